//! Starting the kernel's wait for a cgroup migration early.
//!
//! Moving a process into a cgroup (a write to `cgroup.procs`, which libcontainer's
//! intermediate process does for the container, on cgroup v1 and v2 alike) takes the kernel's
//! global `cgroup_threadgroup_rwsem` for writing, and its first writer waits for an RCU grace
//! period to switch the lock's readers to their slow path: 7–25 ms on this machine, a third of
//! a `run --rm` once the seccomp filter is cached. A writer that comes while that switch is in
//! flight, or within about one grace period after the last writer, waits only for what is left
//! of it (the kernel's `rcu_sync`).
//!
//! So the CLI starts one right away (`main`, before parsing its command line, for `run`,
//! `start`, `restart` and `exec`), on a thread of its own: it writes its own pid into the
//! cgroup it is already in (a migration that moves nothing), while the CLI goes on opening the
//! database and starting the container's monitor. By the time the container's cgroup is
//! joined, 10–15 ms later, the grace period has passed or is nearly over. Nothing changes if
//! the write fails (cgroupfs read-only, a cgroup not writable): it is best effort. Kernels
//! mounted with `favordynmods` have no such wait; the write is then merely cheap.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::thread::JoinHandle;

/// A warm-up in flight; [`Warmup::wait`] before cloning (the runtime wants one thread).
pub struct Warmup(Option<JoinHandle<()>>);

/// The warm-up `main` starts before parsing the command line, for the commands that start
/// containers or processes in them: every millisecond earlier is one less to wait.
static EARLY: std::sync::Mutex<Option<Warmup>> = std::sync::Mutex::new(None);

/// Starts the process-wide warm-up if `args` (the command line, without the program) name a
/// command that joins a container's cgroup: `run`, `start`, `restart` or `exec` anywhere (a
/// mistaken match costs one no-op migration). Never in a monitor, which must stay
/// single-threaded.
pub fn start_early_for(args: impl IntoIterator<Item = std::ffi::OsString>) {
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    if wants_warmup(&args)
        && let Ok(mut w) = EARLY.lock()
    {
        *w = Some(Warmup::start());
    }
}

fn wants_warmup(args: &[std::ffi::OsString]) -> bool {
    !args.iter().any(|a| a == "container-monitor")
        && args
            .iter()
            .any(|a| ["run", "start", "restart", "exec"].iter().any(|c| a == *c))
}

/// Waits for the warm-up [`start_early_for`] started, if any (before the runtime clones).
pub fn wait_early() {
    let w = EARLY.lock().ok().and_then(|mut w| w.take());
    if let Some(w) = w {
        w.wait();
    }
}

impl Warmup {
    /// Starts the no-op migration on a new thread.
    pub fn start() -> Warmup {
        let h = std::thread::Builder::new()
            .name("cgroup-warmup".into())
            .spawn(migrate_into_own_cgroup)
            .ok();
        Warmup(h)
    }

    /// Waits for the warm-up thread to end.
    pub fn wait(mut self) {
        if let Some(h) = self.0.take() {
            let _ = h.join();
        }
    }
}

/// The `cgroup.procs` files of this process's own cgroups worth a try, best first: the unified
/// hierarchy's (pure v2, or the v2 mount of a hybrid host), then the v1 `pids` hierarchy's.
fn own_cgroup_procs(proc_self_cgroup: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in proc_self_cgroup.lines() {
        let mut f = line.splitn(3, ':');
        let (Some(_), Some(ctrls), Some(path)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let rel = path.trim_start_matches('/');
        match ctrls {
            "" => {
                out.insert(
                    0,
                    PathBuf::from("/sys/fs/cgroup")
                        .join(rel)
                        .join("cgroup.procs"),
                );
                out.insert(
                    0,
                    PathBuf::from("/sys/fs/cgroup/unified")
                        .join(rel)
                        .join("cgroup.procs"),
                );
            }
            c if c.split(',').any(|c| c == "pids") => {
                out.push(
                    PathBuf::from("/sys/fs/cgroup")
                        .join(c)
                        .join(rel)
                        .join("cgroup.procs"),
                );
            }
            _ => {}
        }
    }
    out
}

fn migrate_into_own_cgroup() {
    let Ok(text) = fs::read_to_string("/proc/self/cgroup") else {
        return;
    };
    let pid = std::process::id().to_string();
    for p in own_cgroup_procs(&text) {
        // Opening for writing fails on anything but a writable cgroupfs file.
        if let Ok(mut f) = fs::OpenOptions::new().write(true).open(&p)
            && f.write_all(pid.as_bytes()).is_ok()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_for_hybrid_v2_and_v1() {
        let hybrid = "9:name=systemd:/\n8:pids:/a\n4:memory:/x/y\n0::/u\n";
        assert_eq!(
            own_cgroup_procs(hybrid),
            [
                PathBuf::from("/sys/fs/cgroup/unified/u/cgroup.procs"),
                PathBuf::from("/sys/fs/cgroup/u/cgroup.procs"),
                PathBuf::from("/sys/fs/cgroup/pids/a/cgroup.procs"),
            ]
        );
        assert_eq!(
            own_cgroup_procs("0::/user.slice/s.scope\n"),
            [
                PathBuf::from("/sys/fs/cgroup/unified/user.slice/s.scope/cgroup.procs"),
                PathBuf::from("/sys/fs/cgroup/user.slice/s.scope/cgroup.procs"),
            ]
        );
        assert_eq!(
            own_cgroup_procs("3:cpu,pids:/\n"),
            [PathBuf::from("/sys/fs/cgroup/cpu,pids/cgroup.procs")]
        );
        assert!(own_cgroup_procs("garbage\n").is_empty());
    }

    #[test]
    fn which_command_lines_warm_up() {
        let v = |s: &str| -> Vec<std::ffi::OsString> { s.split(' ').map(Into::into).collect() };
        assert!(wants_warmup(&v("run --rm img true")));
        assert!(wants_warmup(&v("--root /r container exec c sh")));
        assert!(wants_warmup(&v("restart c")));
        assert!(!wants_warmup(&v("ps -a")));
        assert!(!wants_warmup(&v("logs running")));
        assert!(!wants_warmup(&v(
            "--root /r --runroot /x container-monitor run"
        )));
    }

    #[test]
    fn warmup_runs_and_ends() {
        // Best effort: it must end whether or not the write is allowed here.
        Warmup::start().wait();
        let before = fs::read_to_string("/proc/self/cgroup").unwrap();
        Warmup::start().wait();
        assert_eq!(fs::read_to_string("/proc/self/cgroup").unwrap(), before);
    }
}
