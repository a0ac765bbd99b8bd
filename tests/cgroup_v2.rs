//! Containers under cgroup v2, as far as the host allows. On a pure-v2 host berth runs as it
//! is. On a hybrid host (v1 controllers, plus a cgroup2 at /sys/fs/cgroup/unified, as on the
//! CI machine) every berth command runs in a private mount namespace where that cgroup2 is
//! mounted at /sys/fs/cgroup: libcgroups then sees a unified layout and takes its v2 paths
//! (creation, joining, freezing, the cgroup namespace and mount inside the container, removal),
//! with only the controllers the hybrid host leaves to v2. Limits are checked where their
//! controller is available, and refused with a berth error (125) where it is not.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

#[test]
fn containers_under_cgroup_v2() {
    let Some(l) = layout() else {
        eprintln!("no cgroup2 hierarchy on this host: nothing to test");
        return;
    };
    let root = v2_root(l);
    let _restore = SubtreeControl {
        file: root.join("cgroup.subtree_control"),
        before: std::fs::read_to_string(root.join("cgroup.subtree_control")).unwrap(),
    };
    let available = read(&root.join("cgroup.controllers"));
    let has = |c: &str| available.split_whitespace().any(|a| a == c);
    let b = Berth::new();
    let img = busybox(&b);
    let id = run_v2(
        &b,
        l,
        &["run", "-d", "--network", "none", &img, "sleep", "300"],
    )
    .ok()
    .stdout
    .trim()
    .to_string();
    let cg = root.join("berth").join(&id);
    let pid = inspect(&b, &id)["State"]["Pid"].as_i64().unwrap();
    assert!(
        read(&cg.join("cgroup.procs"))
            .lines()
            .any(|p| p == pid.to_string()),
        "pid {pid} in {}",
        cg.display()
    );
    // Inside: its own cgroup namespace, and cgroup2 mounted read-only at /sys/fs/cgroup.
    let inside = run_v2(
        &b,
        l,
        &[
            "exec",
            &id,
            "sh",
            "-c",
            "grep '^0::' /proc/self/cgroup; awk '$2 == \"/sys/fs/cgroup\" {print $3}' /proc/mounts \
             | uniq; touch /sys/fs/cgroup/x 2>&1 || true",
        ],
    )
    .ok();
    assert_eq!(
        inside.stdout,
        "0::/\ncgroup2\ntouch: /sys/fs/cgroup/x: Read-only file system\n"
    );
    // An exec'd process joins the container's cgroup.
    let procs = read(&cg.join("cgroup.procs"));
    run_v2(&b, l, &["exec", "-d", &id, "sleep", "299"]).ok();
    wait_until(5, "the exec'd process in the container's cgroup", || {
        read(&cg.join("cgroup.procs")).lines().count() > procs.lines().count()
    });
    // pause/unpause: the v2 freezer (cgroup.freeze, no controller needed).
    run_v2(&b, l, &["pause", &id]).ok();
    assert_eq!(read(&cg.join("cgroup.freeze")), "1");
    wait_until(5, "frozen", || {
        read(&cg.join("cgroup.events")).contains("frozen 1")
    });
    let ps = run_v2(&b, l, &["ps", "--format", "{{.Status}}"]).ok();
    assert!(ps.stdout.contains("(Paused)"), "{}", ps.stdout);
    run_v2(&b, l, &["unpause", &id]).ok();
    assert_eq!(read(&cg.join("cgroup.freeze")), "0");
    let top = run_v2(&b, l, &["top", &id]).ok();
    assert!(
        top.stdout.contains("sleep 300") && top.stdout.contains("sleep 299"),
        "{}",
        top.stdout
    );
    // Limits, where the host leaves their controller to v2.
    if has("memory") {
        common::assert_oom_kill(&b, &img, |args| run_v2(&b, l, args));
    } else {
        // Not a command that was not found (127): the runtime's own error.
        run_v2(
            &b,
            l,
            &[
                "run",
                "--rm",
                "-m",
                "16m",
                "--network",
                "none",
                &img,
                "true",
            ],
        )
        .fails_with("memory.max");
    }
    if has("pids") {
        let r = run_v2(
            &b,
            l,
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
    run_v2(&b, l, &["rm", "-f", &id]).ok();
    assert!(!cg.exists(), "{} left", cg.display());
    assert_no_leftovers(&b, &[id]);
}
