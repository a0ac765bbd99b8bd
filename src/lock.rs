//! Advisory whole-file locks (flock(2)), held until dropped. A leaf: it imports nothing of berth.
//!
//! Every lock berth takes goes through here: the per-container monitor lock, the host-wide
//! network lock, the per-volume lock, the image mount lock and the cgroup parent lock.

use std::fs::{self, File};
use std::io;
use std::path::Path;

use nix::fcntl::{Flock, FlockArg};

/// What kind of lock, and whether to wait for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Shared, waiting while someone holds it exclusively.
    Shared,
    /// Exclusive, waiting while anyone holds it.
    Exclusive,
    /// Shared, or fail with [`io::ErrorKind::WouldBlock`] at once.
    TryShared,
    /// Exclusive, or fail with [`io::ErrorKind::WouldBlock`] at once.
    TryExclusive,
}

impl Mode {
    fn arg(self) -> FlockArg {
        match self {
            Mode::Shared => FlockArg::LockShared,
            Mode::Exclusive => FlockArg::LockExclusive,
            Mode::TryShared => FlockArg::LockSharedNonblock,
            Mode::TryExclusive => FlockArg::LockExclusiveNonblock,
        }
    }
}

/// A held lock; released (`LOCK_UN`) when dropped. The descriptor is close-on-exec, so a
/// command berth executes does not inherit the lock.
#[derive(Debug)]
pub struct Lock {
    _held: Flock<File>,
}

impl Lock {
    /// Locks the lock file at `path`, creating it (empty) if it is missing.
    pub fn file(path: &Path, mode: Mode) -> io::Result<Lock> {
        let f = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        Lock::hold(f, mode)
    }

    /// Locks an existing file or directory, opened read-only (nothing is created).
    pub fn existing(path: &Path, mode: Mode) -> io::Result<Lock> {
        Lock::hold(File::open(path)?, mode)
    }

    fn hold(f: File, mode: Mode) -> io::Result<Lock> {
        match Flock::lock(f, mode.arg()) {
            Ok(held) => Ok(Lock { _held: held }),
            Err((_, errno)) => Err(errno.into()),
        }
    }
}

/// Whether a `Try…` lock failed only because someone else holds it.
pub fn is_held_elsewhere(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_excludes_and_shared_shares_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let ex = Lock::file(&path, Mode::Exclusive).unwrap();
        assert!(path.exists(), "the lock file is created");
        // flock locks belong to the open file: a second open conflicts even in one process.
        let e = Lock::file(&path, Mode::TryExclusive).unwrap_err();
        assert!(is_held_elsewhere(&e), "{e}");
        let e = Lock::existing(&path, Mode::TryShared).unwrap_err();
        assert!(is_held_elsewhere(&e), "{e}");
        drop(ex);

        let a = Lock::existing(&path, Mode::TryShared).unwrap();
        let b = Lock::existing(&path, Mode::Shared).unwrap();
        assert!(is_held_elsewhere(
            &Lock::existing(&path, Mode::TryExclusive).unwrap_err()
        ));
        drop((a, b));
        Lock::existing(&path, Mode::TryExclusive).unwrap();
    }

    #[test]
    fn a_directory_can_be_locked_and_nothing_is_created_by_existing() {
        let dir = tempfile::tempdir().unwrap();
        let _d = Lock::existing(dir.path(), Mode::Exclusive).unwrap();
        let missing = dir.path().join("missing");
        let e = Lock::existing(&missing, Mode::Exclusive).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert!(!missing.exists());
        assert!(!is_held_elsewhere(&e));
    }
}
