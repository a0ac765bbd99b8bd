//! The pty of a container or exec'd process with a terminal: the listening side of
//! `--console-socket`, receiving the pty master libcontainer sends.

use std::fs;
use std::io::{self, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Result, io_err};

/// The listening end of a console socket for terminal containers: bind it, pass
/// [`ConsoleSocket::path`] to `run`/`exec`, then (after they return Ok) take the pty
/// master with [`ConsoleSocket::recv_master`]. The socket file is removed on drop.
/// (libcontainer connects during `run`, and the container's init sends the master before
/// `run` returns, so no concurrent accept is needed.)
pub struct ConsoleSocket {
    listener: UnixListener,
    path: PathBuf,
}

impl ConsoleSocket {
    /// Binds a unix socket at `path` (at most 107 bytes; a stale file is replaced).
    pub fn bind(path: impl Into<PathBuf>) -> Result<ConsoleSocket> {
        let path = path.into();
        let _ = fs::remove_file(&path);
        let listener = UnixListener::bind(&path)
            .map_err(io_err(format!("bind console socket {}", path.display())))?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
            .map_err(io_err(format!("chmod console socket {}", path.display())))?;
        listener
            .set_nonblocking(true)
            .map_err(io_err("console socket: set non-blocking"))?;
        Ok(ConsoleSocket { listener, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Accepts the pending connection and receives the pty master (SCM_RIGHTS).
    /// Fails at once if no connection is pending (call it after a successful run/exec).
    pub fn recv_master(&self) -> Result<OwnedFd> {
        let (stream, _) = self
            .listener
            .accept()
            .map_err(io_err("console socket: no connection from the container"))?;
        stream
            .set_nonblocking(false)
            .map_err(io_err("console socket: set blocking"))?;
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let mut buf = [0u8; 4096];
        let mut iov = [IoSliceMut::new(&mut buf)];
        let mut cmsg = nix::cmsg_space!([RawFd; 1]);
        let msg = nix::sys::socket::recvmsg::<()>(
            stream.as_raw_fd(),
            &mut iov,
            Some(&mut cmsg),
            nix::sys::socket::MsgFlags::MSG_CMSG_CLOEXEC,
        )
        .map_err(|e| io_err("console socket: receive the pty master")(e.into()))?;
        let mut master = None;
        for c in msg
            .cmsgs()
            .map_err(|e| io_err("console socket: read control data")(e.into()))?
        {
            if let nix::sys::socket::ControlMessageOwned::ScmRights(fds) = c {
                for fd in fds {
                    // SAFETY: the kernel just installed this fd for us.
                    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
                    if master.is_none() {
                        master = Some(fd);
                    }
                }
            }
        }
        master.ok_or_else(|| {
            io_err("console socket")(io::Error::other("the container sent no pty master"))
        })
    }
}

impl Drop for ConsoleSocket {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}
