//! The store's temp area (`ROOT/tmp`): every write lands here first and is renamed into place.
//!
//! Names start with the writer's pid, so leftovers of a killed berth (SIGKILL mid-pull) can be
//! told apart from the work of a live concurrent process and swept by the next command.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone)]
pub struct TempArea {
    dir: PathBuf,
}

impl TempArea {
    pub fn new(root: &Path) -> io::Result<TempArea> {
        let dir = root.join("tmp");
        fs::create_dir_all(&dir)?;
        Ok(TempArea { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A fresh path (not created) in the temp area.
    pub fn new_path(&self, kind: &str) -> io::Result<PathBuf> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Ok(self
            .dir
            .join(format!("{}-{kind}-{n}-{nanos:x}", std::process::id())))
    }

    /// A fresh empty directory in the temp area.
    pub fn new_dir(&self, kind: &str) -> io::Result<PathBuf> {
        let p = self.new_path(kind)?;
        fs::create_dir(&p)?;
        Ok(p)
    }

    /// Removes entries left by processes that no longer exist.
    pub fn sweep_stale(&self) {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return;
        };
        for e in rd.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let Some(pid) = name.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = remove_any(&e.path());
            }
        }
    }
}

/// Removes a file or a whole directory tree; a missing path is not an error.
pub fn remove_any(p: &Path) -> io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_entries_of_dead_processes_only() {
        let d = tempfile::tempdir().unwrap();
        let t = TempArea::new(d.path()).unwrap();
        let mine = t.new_dir("layer").unwrap();
        // pid 0 never names a live process here; 4194305 is above pid_max.
        let dead = t.dir().join("4194305-layer-0-0");
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join("f"), b"x").unwrap();
        t.sweep_stale();
        assert!(mine.exists());
        assert!(!dead.exists());
    }
}
