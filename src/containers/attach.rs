//! `attach`: streaming a running container's output (and, if it was created with `-i`, our
//! stdin to it) through its monitor until it exits.

use std::time::Duration;

use super::{ContainerError, Paths, Settings, reconcile};
use crate::error::{Classify, ErrorKind};
use crate::monitor::client::{self, ClientError};
use crate::monitor::protocol::{self, Kind, WANT_STDERR, WANT_STDIN, WANT_STDOUT};
use crate::state::StateError;
use crate::state::containers::{self as rows, ContainerRow, Status};
use crate::store::Store;

/// Why `attach` failed.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    /// The container is paused, restarting or stopped (`state`); `hint` says what to do.
    #[error("You cannot attach to a {state} container, {hint}")]
    NotAttachable {
        state: &'static str,
        hint: &'static str,
    },
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error(transparent)]
    State(#[from] StateError),
    /// The monitor refused or failed (a restart that failed reports Docker's exit code).
    #[error(transparent)]
    Monitor(#[from] ClientError),
}

impl Classify for AttachError {
    fn kind(&self) -> ErrorKind {
        match self {
            AttachError::NotAttachable { .. } => ErrorKind::Conflict,
            AttachError::Container(e) => e.kind(),
            AttachError::State(_) => ErrorKind::Internal,
            AttachError::Monitor(e) => e.kind(),
        }
    }
}

/// `berth attach`: streams the running container's output to `io` (and `io.stdin` to it if
/// it was created with `-i`) until it exits; returns its exit code.
pub fn attach(
    store: &mut Store,
    c: &ContainerRow,
    mut io: client::AttachIo,
) -> Result<i32, AttachError> {
    let c = reconcile(store, c.clone())?;
    let refuse = |state, hint| Err(AttachError::NotAttachable { state, hint });
    match c.status {
        Status::Running => {}
        Status::Paused => return refuse("paused", "unpause it first"),
        Status::Restarting => return refuse("restarting", "wait until it is running"),
        _ => return refuse("stopped", "start it first"),
    }
    let s = Settings::of(&c)?;
    if !s.interactive {
        io.stdin = None;
    }
    let want = WANT_STDOUT | WANT_STDERR | if io.stdin.is_some() { WANT_STDIN } else { 0 };
    let paths = Paths::new(store, &c.id);
    let root = store.root.clone();
    let result = client::connect(&paths.socket(), Duration::from_secs(2)).and_then(|mut stream| {
        protocol::write_frame(&mut stream, Kind::Attach, &[want])?;
        super::events::record(&root, &c, "attach");
        client::attach(stream, s.tty, io)
    });
    match result {
        Ok(code) => Ok(code),
        // The monitor reported an error (a restart that failed): that is the answer.
        Err(e @ ClientError::Start { .. }) => Err(e.into()),
        // The container ended around the time we connected (the monitor was finishing, or had
        // removed its socket): its recorded exit code is the answer.
        Err(e) => match rows::get(&store.db.conn, &c.id)? {
            Some(now) => {
                let now = reconcile(store, now)?;
                if now.status.is_active() {
                    Err(e.into())
                } else {
                    Ok(now.exit_code as i32)
                }
            }
            // Removed (--rm) meanwhile: its code went with it.
            None => Ok(0),
        },
    }
}

/// `resize`: sets the size of the running container's terminal, from any connection (with or
/// without an attach session): one `Resize` frame to its monitor. A container without a
/// terminal ignores it.
pub fn resize(
    store: &mut Store,
    c: &ContainerRow,
    rows: u16,
    cols: u16,
) -> Result<(), AttachError> {
    let c = reconcile(store, c.clone())?;
    if !c.status.is_active() {
        return Err(ContainerError::NotRunning(c.name.clone()).into());
    }
    let paths = Paths::new(store, &c.id);
    let stream = client::connect(&paths.socket(), Duration::from_secs(2))?;
    client::Controls::new(stream, true, false)
        .resize(rows, cols)
        .map_err(ClientError::Io)?;
    Ok(())
}
