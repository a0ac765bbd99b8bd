//! Exec instances, as the Engine API has them: an exec is created (its options recorded), then
//! started once, runs, and exits with a code that stays readable afterwards (`docker exec`
//! reads it once the stream has ended). Their state lives under the run root, one file each
//! (`$RUNROOT/execs/ID.json`, written to a temp file and renamed), not in a service's memory,
//! so that any process can start, resize or inspect an exec another process created.
//!
//! The process runs in a child of whoever starts it: the embedded runtime clones the calling
//! process and needs it single-threaded, which a service is not. [`Engine::exec_run`] is that
//! child's side: it records the exec as running, runs it through
//! [`Engine::container_exec`], applies the sizes sent to its resize socket
//! (`$RUNROOT/execs/ID.sock`, see [`Engine::exec_resize`]) and records the exit code.
//!
//! An exec's files go with its container (`container_remove`); those of a container removed
//! otherwise are removed whenever an exec is created, and an exec whose container is gone is
//! not found.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Attach, Engine, Error, Result};
use crate::containers::exec::{ExecError, ExecOptions};
use crate::error::Classify;
use crate::monitor::client::{AttachIo, Controls};
use crate::state::containers::Status;

/// `POST /containers/{id}/exec`'s options.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExecCreateOptions {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
    pub privileged: bool,
    pub tty: bool,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub detach_keys: Option<String>,
    /// The terminal's initial size (rows, columns).
    pub console_size: Option<(u16, u16)>,
}

/// An exec instance as recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExecInstance {
    pub id: String,
    pub container_id: String,
    pub options: ExecCreateOptions,
    pub running: bool,
    /// Once it has exited (or failed to start: 126, 127, …).
    pub exit_code: Option<i32>,
    /// The exec'd process's pid on the host, once started (kept after its exit, as Docker).
    pub pid: Option<u32>,
}

impl Engine {
    fn execs_dir(&self) -> PathBuf {
        self.runroot().join("execs")
    }

    fn exec_file(&self, id: &str) -> PathBuf {
        self.execs_dir().join(format!("{id}.json"))
    }

    fn exec_socket(&self, id: &str) -> PathBuf {
        self.execs_dir().join(format!("{id}.sock"))
    }

    fn exec_claim_file(&self, id: &str) -> PathBuf {
        self.execs_dir().join(format!("{id}.started"))
    }

    fn exec_write(&self, e: &ExecInstance) -> Result<()> {
        let dir = self.execs_dir();
        fs::create_dir_all(&dir).map_err(Error::io(format!("create {}", dir.display())))?;
        let tmp = dir.join(format!(".{}.{}.tmp", e.id, std::process::id()));
        let data = serde_json::to_vec(e).map_err(|e| Error::invalid(e.to_string()))?;
        fs::write(&tmp, data).map_err(Error::io(format!("write {}", tmp.display())))?;
        fs::rename(&tmp, self.exec_file(&e.id))
            .map_err(Error::io(format!("rename {}", tmp.display())))
    }

    fn exec_remove_files(&self, id: &str) {
        let _ = fs::remove_file(self.exec_file(id));
        let _ = fs::remove_file(self.exec_socket(id));
        let _ = fs::remove_file(self.exec_claim_file(id));
    }

    /// The exec `id` (a full ID); not found if there is none or its container is gone.
    pub fn exec_inspect(&self, id: &str) -> Result<ExecInstance> {
        let not_found = || Error::NotFound(format!("No such exec instance: {id}"));
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(not_found());
        }
        let data = match fs::read(self.exec_file(id)) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
            Err(e) => return Err(Error::io(format!("read exec {id}"))(e)),
        };
        let e: ExecInstance = serde_json::from_slice(&data).map_err(|_| not_found())?;
        let store = self.store()?;
        if crate::containers::resolve(&store, &e.container_id)
            .map_err(Error::from)
            .is_err()
        {
            drop(store);
            self.exec_remove_files(id);
            return Err(not_found());
        }
        Ok(e)
    }

    /// `POST /containers/{id}/exec`: records an exec in the running container `container`;
    /// its ID. A container that is not running (or is paused) is a conflict, in Docker's words.
    pub fn exec_create(&self, container: &str, o: ExecCreateOptions) -> Result<String> {
        let mut store = self.store()?;
        let c = crate::containers::resolve(&store, container).map_err(Error::from)?;
        let c = crate::containers::reconcile(&mut store, c)?;
        match c.status {
            Status::Running => {}
            Status::Paused => return Err(ExecError::Paused(c.id).into()),
            _ => return Err(ExecError::NotRunning(c.id).into()),
        }
        if o.args.is_empty() || o.args[0].is_empty() {
            return Err(ExecError::NoCommand.into());
        }
        drop(store);
        self.exec_prune();
        let e = ExecInstance {
            id: crate::names::new_id(),
            container_id: c.id,
            options: o,
            running: false,
            exit_code: None,
            pid: None,
        };
        self.exec_write(&e)?;
        Ok(e.id)
    }

    /// Removes the execs of the container `container_id` (it was removed).
    pub(crate) fn exec_forget_container(&self, container_id: &str) {
        let Ok(dir) = fs::read_dir(self.execs_dir()) else {
            return;
        };
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name
                .strip_suffix(".json")
                .filter(|_| !name.starts_with('.'))
            else {
                continue;
            };
            let of_it = fs::read(entry.path())
                .ok()
                .and_then(|d| serde_json::from_slice::<ExecInstance>(&d).ok())
                .is_some_and(|e| e.container_id == container_id);
            if of_it {
                self.exec_remove_files(id);
            }
        }
    }

    /// Removes the exec files of containers that no longer exist.
    fn exec_prune(&self) {
        let Ok(dir) = fs::read_dir(self.execs_dir()) else {
            return;
        };
        let Ok(store) = self.store() else { return };
        let mut gone = Vec::new();
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name
                .strip_suffix(".json")
                .filter(|_| !name.starts_with('.'))
            else {
                continue;
            };
            let exists = fs::read(entry.path())
                .ok()
                .and_then(|d| serde_json::from_slice::<ExecInstance>(&d).ok())
                .is_some_and(|e| crate::containers::resolve(&store, &e.container_id).is_ok());
            if !exists {
                gone.push(id.to_string());
            }
        }
        drop(store);
        for id in gone {
            self.exec_remove_files(&id);
        }
    }

    /// Claims the exec `id` for one start (with the terminal's first size, if given): a
    /// conflict if it was started already, or if its container is not running (or paused) now.
    pub fn exec_claim(&self, id: &str, console_size: Option<(u16, u16)>) -> Result<ExecInstance> {
        let mut e = self.exec_inspect(id)?;
        let store = self.store()?;
        let c = crate::containers::resolve(&store, &e.container_id).map_err(Error::from)?;
        let mut store = store;
        let c = crate::containers::reconcile(&mut store, c)?;
        match c.status {
            Status::Running => {}
            Status::Paused => return Err(ExecError::Paused(c.id).into()),
            _ => return Err(ExecError::NotRunning(c.id).into()),
        }
        drop(store);
        let claimed = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.exec_claim_file(id));
        match claimed {
            Ok(_) => {
                if console_size.is_some() {
                    e.options.console_size = console_size;
                    self.exec_write(&e)?;
                }
                Ok(e)
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                let what = if e.exit_code.is_some() {
                    "has already run"
                } else {
                    "is already running"
                };
                Err(Error::Exec(ExecError::Helper {
                    kind: crate::error::ErrorKind::Conflict,
                    message: format!("Error: Exec command {id} {what}"),
                }))
            }
            Err(err) => Err(Error::io(format!("claim exec {id}"))(err)),
        }
    }

    /// The exec child's side of a start (it must be single-threaded): runs the claimed exec
    /// `id` attached to `io` (or detached: its output discarded, its exit code still recorded)
    /// and records its exit code, also when it could not start (126, 127, …: the error is
    /// returned). `on_started` is called once the process runs.
    pub fn exec_run(
        &self,
        id: &str,
        io: AttachIo,
        on_started: Box<dyn FnOnce() + Send>,
    ) -> Result<i32> {
        let mut e = self.exec_inspect(id)?;
        let socket = self.exec_socket(id);
        let _ = fs::remove_file(&socket);
        // Bound before the process starts, so that a resize sent at once waits in the
        // backlog; accepted once the process runs (threads may be started only then).
        let listener = UnixListener::bind(&socket)
            .map_err(Error::io(format!("listen on {}", socket.display())))?;
        // Running from here on; its pid once the process exists.
        e.running = true;
        e.pid = None;
        self.exec_write(&e)?;
        let o = ExecOptions {
            args: e.options.args.clone(),
            env: e.options.env.clone(),
            user: e.options.user.clone(),
            workdir: e.options.workdir.clone(),
            privileged: e.options.privileged,
            interactive: e.options.attach_stdin,
            tty: e.options.tty,
            console_size: e.options.console_size,
        };
        let size = e.options.console_size;
        let engine = self.clone();
        let mut started = e.clone();
        let pid = std::sync::Arc::new(std::sync::Mutex::new(None));
        let started_pid = pid.clone();
        let AttachIo {
            stdin,
            stdout,
            stderr,
            on_attached,
        } = io;
        let io = AttachIo {
            stdin,
            stdout,
            stderr,
            on_attached: Some(Box::new(move |controls: Controls| {
                if controls.tty
                    && let Some((rows, cols)) = size
                {
                    let _ = controls.resize(rows, cols);
                }
                // Recorded before the start is reported, so an inspect after it sees the pid.
                started.pid = controls.pid;
                *started_pid.lock().unwrap_or_else(|p| p.into_inner()) = controls.pid;
                if let Err(err) = engine.exec_write(&started) {
                    tracing::warn!("recording exec {}'s pid: {err}", started.id);
                }
                let c = controls.clone();
                std::thread::spawn(move || serve_resizes(listener, c));
                on_started();
                if let Some(f) = on_attached {
                    f(controls);
                }
            })),
        };
        let r = self.container_exec(&e.container_id, o, Attach::Streams(io));
        let _ = fs::remove_file(&socket);
        // Docker keeps the pid after the exit.
        e.running = false;
        e.pid = *pid.lock().unwrap_or_else(|p| p.into_inner());
        e.exit_code = Some(match &r {
            Ok(code) => *code,
            Err(err) => err.kind().exit_code(),
        });
        self.exec_write(&e)?;
        r
    }

    /// `POST /exec/{id}/resize`: the size of the running exec's terminal. An exec that was
    /// just started may not run yet (clients resize right after the start): its child binds
    /// the resize socket before the process starts, which is waited for (a few seconds).
    pub fn exec_resize(&self, id: &str, rows: u16, cols: u16) -> Result<()> {
        let not_running = || {
            Error::Exec(ExecError::Helper {
                kind: crate::error::ErrorKind::Conflict,
                message: format!("exec {id} is not running"),
            })
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let mut s = loop {
            let e = self.exec_inspect(id)?;
            if e.exit_code.is_some() || !self.exec_claim_file(id).exists() {
                return Err(not_running());
            }
            match UnixStream::connect(self.exec_socket(id)) {
                Ok(s) => break s,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(_) => return Err(not_running()),
            }
        };
        let _ = s.set_write_timeout(Some(Duration::from_secs(2)));
        let mut p = rows.to_be_bytes().to_vec();
        p.extend_from_slice(&cols.to_be_bytes());
        s.write_all(&p).map_err(|_| not_running())
    }
}

/// Applies each size sent to the exec's resize socket (4 bytes: rows, columns, big-endian).
fn serve_resizes(listener: UnixListener, controls: Controls) {
    for conn in listener.incoming() {
        let Ok(mut conn) = conn else { continue };
        let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
        let mut b = [0u8; 4];
        if conn.read_exact(&mut b).is_ok() {
            let rows = u16::from_be_bytes([b[0], b[1]]);
            let cols = u16::from_be_bytes([b[2], b[3]]);
            if controls.resize(rows, cols).is_err() {
                return;
            }
        }
    }
}
