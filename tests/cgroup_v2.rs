//! Containers under cgroup v2, as far as the host allows. On a pure-v2 host berth runs as it
//! is. On a hybrid host (v1 controllers, plus a cgroup2 at /sys/fs/cgroup/unified, as on the
//! CI machine) every berth command runs in a private mount namespace where that cgroup2 is
//! mounted at /sys/fs/cgroup: libcgroups then sees a unified layout and takes its v2 paths
//! (creation, joining, freezing, the cgroup namespace and mount inside the container, removal),
//! with only the controllers the hybrid host leaves to v2. Limits are checked where their
//! controller is available, and refused with a berth error (125) where it is not: each of those
//! is a test of its own, and one the host cannot run says so (`common::cannot_run_here`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};

use common::{Berth, Run, assert_no_leftovers, busybox, inspect, wait_until};

#[derive(Clone, Copy, PartialEq)]
enum Layout {
    Unified,
    /// v1 controllers and a cgroup2 at /sys/fs/cgroup/unified.
    Hybrid,
}

fn fs_type(p: &str) -> Option<String> {
    let out = Command::new("stat")
        .args(["-f", "-c", "%T", p])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn layout() -> Option<Layout> {
    if fs_type("/sys/fs/cgroup")? == "cgroup2fs" {
        Some(Layout::Unified)
    } else if fs_type("/sys/fs/cgroup/unified").as_deref() == Some("cgroup2fs") {
        Some(Layout::Hybrid)
    } else {
        None
    }
}

/// The cgroup2 hierarchy as the test (in the host's mount namespace) sees it.
fn v2_root(l: Layout) -> PathBuf {
    match l {
        Layout::Unified => PathBuf::from("/sys/fs/cgroup"),
        Layout::Hybrid => PathBuf::from("/sys/fs/cgroup/unified"),
    }
}

/// `b.run(args)`, in a mount namespace with cgroup2 at /sys/fs/cgroup on a hybrid host. (The
/// monitor a `run` spawns stays in the namespace of that `run`; the others reach it through its
/// socket, and `exec` through the container's namespaces.)
fn run_v2(b: &Berth, l: Layout, args: &[&str]) -> Run {
    let base = b.command();
    let mut c = match l {
        Layout::Unified => b.command(),
        Layout::Hybrid => {
            let mut c = Command::new("unshare");
            c.args(["--mount", "--propagation", "private", "sh", "-c"])
                .arg("mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup && exec \"$0\" \"$@\"")
                .arg(base.get_program())
                .args(base.get_args())
                .stdin(Stdio::null());
            for (k, v) in base.get_envs() {
                match v {
                    Some(v) => c.env(k, v),
                    None => c.env_remove(k),
                };
            }
            c
        }
    };
    Run::from(c.args(args).output().expect("run berth"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .trim()
        .to_string()
}

/// Puts the root's `cgroup.subtree_control` back as it was: libcgroups enables the
/// controllers a container needs on the way down, and on a hybrid host nothing else would.
struct SubtreeControl {
    file: PathBuf,
    before: String,
}

impl Drop for SubtreeControl {
    fn drop(&mut self) {
        let now = std::fs::read_to_string(&self.file).unwrap_or_default();
        for c in now.split_whitespace() {
            if !self.before.split_whitespace().any(|b| b == c) {
                let _ = std::fs::write(&self.file, format!("-{c}"));
            }
        }
    }
}

/// The host's cgroup2 hierarchy, held by one test at a time (each puts the root's
/// `cgroup.subtree_control` back as it was when it ends).
struct V2 {
    layout: Layout,
    root: PathBuf,
    controllers: String,
    _restore: SubtreeControl,
    _serial: MutexGuard<'static, ()>,
}

impl V2 {
    /// The cgroup2 hierarchy, or `None` when the host has none (said by `cannot_run_here`).
    fn take(test: &str) -> Option<V2> {
        static SERIAL: Mutex<()> = Mutex::new(());
        let Some(layout) = layout() else {
            common::cannot_run_here(test, "the host has no cgroup2 hierarchy");
            return None;
        };
        let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let root = v2_root(layout);
        let file = root.join("cgroup.subtree_control");
        let before = std::fs::read_to_string(&file).unwrap();
        let controllers = read(&root.join("cgroup.controllers"));
        Some(V2 {
            layout,
            root,
            controllers,
            _restore: SubtreeControl { file, before },
            _serial: serial,
        })
    }

    /// Does the host leave controller `c` to cgroup v2?
    fn has(&self, c: &str) -> bool {
        self.controllers.split_whitespace().any(|a| a == c)
    }

    /// Like [`V2::take`], for a test that needs controller `c` on cgroup v2.
    fn with(test: &str, c: &str) -> Option<V2> {
        let v2 = V2::take(test)?;
        if !v2.has(c) {
            common::cannot_run_here(
                test,
                &format!("the host does not give the {c} controller to cgroup v2 (it is v1's)"),
            );
            return None;
        }
        Some(v2)
    }

    fn run(&self, b: &Berth, args: &[&str]) -> Run {
        run_v2(b, self.layout, args)
    }
}

/// What runs on any host with a cgroup2 hierarchy, controllers or not: a container's cgroup
/// (creation, joining, the cgroup namespace and read-only mount inside, freezing, removal).
#[test]
fn containers_under_cgroup_v2() {
    let Some(v2) = V2::take("containers_under_cgroup_v2") else {
        return;
    };
    let b = Berth::new();
    let img = busybox(&b);
    let id = v2
        .run(
            &b,
            &["run", "-d", "--network", "none", &img, "sleep", "300"],
        )
        .ok()
        .stdout
        .trim()
        .to_string();
    let cg = v2.root.join("berth").join(&id);
    let pid = inspect(&b, &id)["State"]["Pid"].as_i64().unwrap();
    assert!(
        read(&cg.join("cgroup.procs"))
            .lines()
            .any(|p| p == pid.to_string()),
        "pid {pid} in {}",
        cg.display()
    );
    // Inside: its own cgroup namespace, and cgroup2 mounted read-only at /sys/fs/cgroup.
    let inside = v2
        .run(
            &b,
            &[
                "exec",
                &id,
                "sh",
                "-c",
                "grep '^0::' /proc/self/cgroup; awk '$2 == \"/sys/fs/cgroup\" {print $3}' \
                 /proc/mounts | uniq; touch /sys/fs/cgroup/x 2>&1 || true",
            ],
        )
        .ok();
    assert_eq!(
        inside.stdout,
        "0::/\ncgroup2\ntouch: /sys/fs/cgroup/x: Read-only file system\n"
    );
    // An exec'd process joins the container's cgroup.
    let procs = read(&cg.join("cgroup.procs"));
    v2.run(&b, &["exec", "-d", &id, "sleep", "299"]).ok();
    wait_until(5, "the exec'd process in the container's cgroup", || {
        read(&cg.join("cgroup.procs")).lines().count() > procs.lines().count()
    });
    // pause/unpause: the v2 freezer (cgroup.freeze, no controller needed).
    v2.run(&b, &["pause", &id]).ok();
    assert_eq!(read(&cg.join("cgroup.freeze")), "1");
    wait_until(5, "frozen", || {
        read(&cg.join("cgroup.events")).contains("frozen 1")
    });
    let ps = v2.run(&b, &["ps", "--format", "{{.Status}}"]).ok();
    assert!(ps.stdout.contains("(Paused)"), "{}", ps.stdout);
    v2.run(&b, &["unpause", &id]).ok();
    assert_eq!(read(&cg.join("cgroup.freeze")), "0");
    let top = v2.run(&b, &["top", &id]).ok();
    assert!(
        top.stdout.contains("sleep 300") && top.stdout.contains("sleep 299"),
        "{}",
        top.stdout
    );
    v2.run(&b, &["rm", "-f", &id]).ok();
    assert!(!cg.exists(), "{} left", cg.display());
    assert_no_leftovers(&b, &[id]);
}

/// Limits and the v2 controller each needs: (controller, `run` flags, the file it writes).
const LIMITS: [(&str, &[&str], &str); 3] = [
    ("memory", &["-m", "16m"], "memory.max"),
    ("pids", &["--pids-limit", "7"], "pids.max"),
    ("cpu", &["--cpus", "0.5"], "cpu.max"),
];

/// A limit whose controller the host keeps from cgroup v2 is refused with the runtime's own
/// error (125, naming the file), not mistaken for a command that was not found (127), and
/// nothing is left behind.
#[test]
fn limits_whose_controller_cgroup_v2_lacks_are_refused() {
    let test = "limits_whose_controller_cgroup_v2_lacks_are_refused";
    let Some(v2) = V2::take(test) else {
        return;
    };
    let missing: Vec<_> = LIMITS.iter().filter(|(c, ..)| !v2.has(c)).collect();
    if missing.is_empty() {
        common::cannot_run_here(test, "the host gives every controller to cgroup v2");
        return;
    }
    let b = Berth::new();
    let img = busybox(&b);
    for (_, flags, file) in missing {
        let mut args = vec!["run", "--rm", "--network", "none"];
        args.extend_from_slice(flags);
        args.extend([img.as_str(), "true"]);
        v2.run(&b, &args).fails_with(file);
    }
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
}

/// A container over its memory limit under cgroup v2 is OOM-killed.
#[test]
fn memory_limit_under_cgroup_v2_oom_kills() {
    let Some(v2) = V2::with("memory_limit_under_cgroup_v2_oom_kills", "memory") else {
        return;
    };
    let b = Berth::new();
    let img = busybox(&b);
    common::assert_oom_kill(&b, &img, |args| v2.run(&b, args));
}

/// --pids-limit under cgroup v2 is the container's pids.max.
#[test]
fn pids_limit_under_cgroup_v2() {
    let Some(v2) = V2::with("pids_limit_under_cgroup_v2", "pids") else {
        return;
    };
    let b = Berth::new();
    let img = busybox(&b);
    let r = v2
        .run(
            &b,
            &[
                "run",
                "--rm",
                "--pids-limit",
                "7",
                "--network",
                "none",
                &img,
                "cat",
                "/sys/fs/cgroup/pids.max",
            ],
        )
        .ok();
    assert_eq!(r.stdout, "7\n");
}

/// --cpus under cgroup v2 is the container's cpu.max.
#[test]
fn cpu_limit_under_cgroup_v2() {
    let Some(v2) = V2::with("cpu_limit_under_cgroup_v2", "cpu") else {
        return;
    };
    let b = Berth::new();
    let img = busybox(&b);
    let r = v2
        .run(
            &b,
            &[
                "run",
                "--rm",
                "--cpus",
                "0.5",
                "--network",
                "none",
                &img,
                "cat",
                "/sys/fs/cgroup/cpu.max",
            ],
        )
        .ok();
    assert_eq!(r.stdout, "50000 100000\n");
}
