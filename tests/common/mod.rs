//! Shared test harness: the local registry test bed, and a berth with its own root and run root.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Where the test bed lives (shared by every test and test binary; `up` is idempotent and
/// takes a lock).
pub fn testbed_dir() -> PathBuf {
    std::env::var_os("BERTH_TESTBED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/berth-testbed"))
}

/// Container monitors run in their own session and outlive the berth command that started
/// them; when they exit, someone must reap them. This host's PID 1 does not, so the test process
/// makes itself a child subreaper and reaps exited session leaders (monitors) that were
/// reparented to it. Its own direct children (berth commands) are left to their `wait`.
fn start_reaper() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        nix::sys::prctl::set_child_subreaper(true).expect("become a child subreaper");
        std::thread::spawn(|| {
            let me = std::process::id().to_string();
            loop {
                if let Ok(rd) = std::fs::read_dir("/proc") {
                    for e in rd.flatten() {
                        let name = e.file_name().to_string_lossy().into_owned();
                        let Ok(pid) = name.parse::<i32>() else {
                            continue;
                        };
                        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                            continue;
                        };
                        let Some((_, rest)) = stat.rsplit_once(')') else {
                            continue;
                        };
                        let f: Vec<&str> = rest.split_whitespace().collect();
                        // f[0] state, f[1] ppid, f[3] session
                        if f.len() > 3 && f[0] == "Z" && f[1] == me && f[3] == name {
                            let _ = nix::sys::wait::waitpid(
                                nix::unistd::Pid::from_raw(pid),
                                Some(nix::sys::wait::WaitPidFlag::WNOHANG),
                            );
                        }
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
    });
}

/// Starts the test bed (once per test binary) and returns its DIR/env as a map.
pub fn testbed() -> &'static HashMap<String, String> {
    static ENV: OnceLock<HashMap<String, String>> = OnceLock::new();
    start_reaper();
    ENV.get_or_init(|| {
        let dir = testbed_dir();
        let up = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/testbed/up");
        let out = Command::new(&up)
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .expect("run scripts/testbed/up");
        assert!(
            out.status.success(),
            "scripts/testbed/up failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(dir.join("env")).expect("testbed env");
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
            .collect()
    })
}

pub fn tb(key: &str) -> String {
    testbed()
        .get(key)
        .unwrap_or_else(|| panic!("test bed env has no {key}"))
        .clone()
}

/// `127.0.0.1:5600/NAME`
pub fn image(name: &str) -> String {
    format!("{}/{name}", tb("REGISTRY"))
}

/// The result of one berth run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts exit 125 with exactly one `berth: error:` line on stderr containing `needle`.
    #[track_caller]
    pub fn fails_with(self, needle: &str) -> Run {
        assert_eq!(
            self.code, 125,
            "expected exit 125\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "want one stderr line, got:\n{}",
            self.stderr
        );
        assert!(
            lines[0].starts_with("berth: error: "),
            "stderr: {}",
            self.stderr
        );
        assert!(
            self.stderr.contains(needle),
            "stderr should mention {needle:?}: {}",
            self.stderr
        );
        self
    }

    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// A berth with its own `--root` and `--runroot` under a temp dir, removed (after unmounting
/// anything left under it) on drop.
pub struct Berth {
    pub dir: tempfile::TempDir,
    pub docker_config: PathBuf,
}

impl Default for Berth {
    fn default() -> Self {
        Self::new()
    }
}

impl Berth {
    pub fn new() -> Berth {
        let dir = tempfile::Builder::new()
            .prefix("berth-test-")
            .tempdir_in("/var/tmp")
            .expect("tempdir");
        let docker_config = dir.path().join("docker");
        Berth { dir, docker_config }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    pub fn runroot(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_berth"));
        c.arg("--root")
            .arg(self.root())
            .arg("--runroot")
            .arg(self.runroot())
            .env("DOCKER_CONFIG", &self.docker_config)
            .env(
                "BERTH_REGISTRIES_CONF",
                self.dir.path().join("registries.json"),
            )
            .env_remove("BERTH_ROOT")
            .env_remove("BERTH_RUNROOT")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command().args(args).output().expect("run berth"))
    }

    /// Runs with `input` on stdin.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn berth");
        // berth may exit before reading its input (a refused login): ignore a broken pipe.
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        Run::from(child.wait_with_output().unwrap())
    }

    pub fn pull(&self, name: &str) -> Run {
        self.run(&["pull", &image(name)]).ok()
    }

    /// Image IDs in the store (`images -q --no-trunc`).
    pub fn image_ids(&self) -> Vec<String> {
        self.run(&["images", "-q", "--no-trunc"])
            .ok()
            .stdout
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Entries of a store directory (`blobs/sha256`, `layers/sha256`, `tmp`).
    pub fn store_entries(&self, sub: &str) -> Vec<String> {
        match std::fs::read_dir(self.root().join(sub)) {
            Ok(rd) => {
                let mut v: Vec<String> = rd
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                v.sort();
                v
            }
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for Berth {
    fn drop(&mut self) {
        let base = self.dir.path().to_string_lossy().into_owned();
        // A test that failed half-way may leave containers: remove them the normal way (this
        // also removes their cgroups), then stop any berth process still working on our root.
        if let Ok(out) = self.command().args(["ps", "-aq", "--no-trunc"]).output() {
            let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect();
            if !ids.is_empty() {
                let _ = self.command().args(["rm", "-f"]).args(&ids).output();
            }
        }
        // Networks: bridges and firewall rules are host-wide; `system reset` removes this root's
        // (it also deletes the root and run root).
        let _ = self.command().args(["system", "reset", "-f"]).output();
        if let Ok(rd) = std::fs::read_dir("/proc") {
            for e in rd.flatten() {
                let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                    continue;
                };
                if let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline"))
                    && String::from_utf8_lossy(&cmd).contains(&base)
                {
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
            }
        }
        // Unmount whatever is still mounted below our directory (a failed test's mounts).
        if let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") {
            let mut points: Vec<String> = info
                .lines()
                .filter_map(|l| l.split(' ').nth(4))
                .filter(|m| m.starts_with(&base))
                .map(str::to_string)
                .collect();
            points.sort_by_key(|p| std::cmp::Reverse(p.len()));
            for p in points {
                let _ = Command::new("umount").arg("-l").arg(&p).status();
            }
        }
    }
}

/// Reads images.json of the test bed.
pub fn images_json() -> serde_json::Value {
    testbed();
    let b = std::fs::read(testbed_dir().join("images.json")).expect("images.json");
    serde_json::from_slice(&b).expect("images.json is JSON")
}

/// Pulls the test bed's busybox into this berth; returns its reference.
pub fn busybox(b: &Berth) -> String {
    b.pull("busybox:latest");
    image("busybox")
}

/// `inspect NAME`, the first (only) object.
pub fn inspect(b: &Berth, name: &str) -> serde_json::Value {
    let out = b.run(&["inspect", name]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v[0].clone()
}

/// Mounts, cgroups (every controller, v1 and v2) and directories of these containers are gone.
#[track_caller]
pub fn assert_no_leftovers(b: &Berth, ids: &[String]) {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let base = b.dir.path().to_string_lossy().into_owned();
    assert!(
        !mounts.lines().any(|l| l.contains(&base)),
        "mounts left under {base}"
    );
    for id in ids {
        for e in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
            for p in [e.path().join("berth").join(id), e.path().join(id)] {
                assert!(!p.exists(), "cgroup left: {}", p.display());
            }
        }
        assert!(
            !b.root().join("containers").join(id).exists(),
            "container dir left for {id}"
        );
        assert!(
            !b.runroot().join("netns").join(id).exists(),
            "network namespace left for {id}"
        );
        // The kernel deletes a container's veth pair with its network namespace, in the
        // background: give it a moment.
        let veth = format!("veth{}", &id[..9]);
        let veths = || -> Vec<String> {
            std::fs::read_dir("/sys/class/net")
                .unwrap()
                .flatten()
                .map(|l| l.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&veth))
                .collect()
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !veths().is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(veths().is_empty(), "veth left for {id}: {:?}", veths());
    }
}

/// A container over its 16 MiB memory limit is OOM-killed: exit 137 and `OOMKilled: true`.
/// `run` runs berth (a test of another cgroup layout wraps it).
#[track_caller]
pub fn assert_oom_kill(b: &Berth, img: &str, run: impl Fn(&[&str]) -> Run) {
    let r = run(&[
        "run",
        "--name",
        "hog",
        "-m",
        "16m",
        "--memory-swap",
        "16m",
        "--network",
        "none",
        img,
        "sh",
        "-c",
        "tail /dev/zero",
    ]);
    assert_eq!(r.code, 137, "{}", r.stderr);
    let i = inspect(b, "hog");
    assert_eq!(i["State"]["OOMKilled"], true, "{}", i["State"]);
    assert_eq!(i["HostConfig"]["Memory"], 16 << 20);
    run(&["rm", "hog"]).ok();
}

/// A test that cannot run on this host (it lacks what the test needs): says so on stderr and
/// returns. When `BERTH_REQUIRE_ALL=1` (CI sets it) it fails instead, unless the test is named
/// in `BERTH_CANNOT_RUN` (names separated by spaces): there CI declares the tests its host is
/// known not to be able to run, and why. So nothing passes silently, and CI stays green only
/// for the gaps it has declared.
#[track_caller]
pub fn cannot_run_here(test: &str, why: &str) {
    let declared =
        std::env::var("BERTH_CANNOT_RUN").is_ok_and(|v| v.split_whitespace().any(|t| t == test));
    if std::env::var("BERTH_REQUIRE_ALL").is_ok_and(|v| v == "1") && !declared {
        panic!(
            "{test}: cannot run on this host ({why}) and BERTH_REQUIRE_ALL=1 \
             (BERTH_CANNOT_RUN does not name it)"
        );
    }
    // Past the test harness's capture of `eprintln!`: seen in the output of a passing test too.
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{test}: NOT RUN: {why}");
}

/// Is a process with exactly this command line (NUL-separated, with the trailing NUL) alive?
pub fn process_running(cmdline: &str) -> bool {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .any(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == cmdline.as_bytes()))
}

/// Has process `pid` exited (gone, or a zombie nobody has reaped yet)?
pub fn process_exited(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_none_or(|state| state == "Z"),
    }
}

/// Waits for `child` at most `secs` seconds; returns its exit code (-signal if killed).
#[track_caller]
pub fn wait_child(child: &mut std::process::Child, secs: u64) -> i32 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            use std::os::unix::process::ExitStatusExt;
            return st.code().unwrap_or_else(|| -st.signal().unwrap_or(0));
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("process did not exit within {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The container is recorded as running (`ps` lists it).
pub fn is_running(b: &Berth, name: &str) -> bool {
    let ps = b.run(&["ps", "-q", "--filter", &format!("name={name}")]);
    ps.code == 0 && !ps.stdout.trim().is_empty()
}

pub fn status_of(b: &Berth, name: &str) -> String {
    b.run(&[
        "ps",
        "-a",
        "--filter",
        &format!("name={name}"),
        "--format",
        "{{.Status}}",
    ])
    .ok()
    .stdout
    .trim()
    .to_string()
}

/// Polls `f` every 50 ms until it returns true, or panics after `secs` seconds with `what`.
#[track_caller]
pub fn wait_until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !f() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A new pseudo-terminal of `rows` x `cols`: (master, slave).
pub fn openpty(rows: u16, cols: u16) -> (std::os::fd::OwnedFd, std::os::fd::OwnedFd) {
    let ws = nix::pty::Winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pty = nix::pty::openpty(Some(&ws), None).expect("openpty");
    (pty.master, pty.slave)
}

/// Lines of /proc/PID/status text with their whitespace collapsed (`"CapEff: 00000000a80425fb"`).
pub fn status_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// `grep -E` pattern for the lines of [`DEFAULT_SECURITY`], in /proc/PID/status order.
pub const SECURITY_FIELDS: &str = "^(CapEff|CapPrm|NoNewPrivs|Seccomp):";

/// What a process of a container with Docker's defaults shows in /proc/PID/status: Docker's
/// capability set, no no_new_privs, a seccomp filter.
pub const DEFAULT_SECURITY: [&str; 4] = [
    "CapPrm: 00000000a80425fb",
    "CapEff: 00000000a80425fb",
    "NoNewPrivs: 0",
    "Seccomp: 2",
];

/// A `berth system service` (the Docker Engine API) of a [`Berth`], on its own socket under
/// the test's directory; stopped (SIGTERM, then waited for) on drop.
pub struct Service {
    pub child: std::process::Child,
    pub socket: PathBuf,
}

impl Service {
    /// Starts the service (no idle timeout) and waits for its socket to answer.
    pub fn start(b: &Berth) -> Service {
        Service::start_with(b, &["-t", "0"])
    }

    /// Starts the service with extra `system service` arguments (before the URI).
    pub fn start_with(b: &Berth, args: &[&str]) -> Service {
        let socket = b.dir.path().join("api.sock");
        let child = b
            .command()
            .args(["system", "service"])
            .args(args)
            .arg(format!("unix://{}", socket.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the service");
        let s = Service { child, socket };
        wait_until(20, "the service's socket", || {
            std::os::unix::net::UnixStream::connect(&s.socket).is_ok()
        });
        s
    }

    /// `unix:///…`, for DOCKER_HOST.
    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// The docker CLI (28, /usr/local/bin/docker) pointed at this service, with a config dir
    /// of its own.
    pub fn docker(&self) -> Command {
        let mut c = Command::new("/usr/local/bin/docker");
        let config = self.socket.with_file_name("docker-cli");
        c.env("DOCKER_HOST", self.host())
            .env("DOCKER_CONFIG", config)
            .env_remove("DOCKER_CONTEXT")
            .stdin(Stdio::null());
        c
    }

    /// Runs the docker CLI.
    pub fn run_docker(&self, args: &[&str]) -> Run {
        Run::from(self.docker().args(args).output().expect("run docker"))
    }

    /// `curl` on the socket: (HTTP status, body). `method` like "GET"; `body` as JSON text.
    pub fn curl(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let mut c = Command::new("curl");
        c.args(["-sS", "-o", "-", "-w", "\n%{http_code}", "-X", method])
            .arg("--unix-socket")
            .arg(&self.socket);
        if let Some(b) = body {
            c.args(["-H", "Content-Type: application/json", "--data-binary", b]);
        }
        c.arg(format!("http://d{path}"));
        let out = c.output().expect("run curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        // (no panic here: a drop may run while a failed test unwinds)
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while matches!(self.child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Service {
    /// Sends SIGTERM and waits (at most `secs` seconds) for the service to exit; its exit code.
    #[track_caller]
    pub fn stop(&mut self, secs: u64) -> i32 {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        wait_child(&mut self.child, secs)
    }

    /// Has the service exited by itself?
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// `curl` with extra arguments (before the URL): (HTTP status, headers and body as curl
    /// printed them with `-i` when asked).
    pub fn curl_args(&self, args: &[&str], path: &str) -> (u16, String) {
        let out = Command::new("curl")
            .args(["-sS", "-o", "-", "-w", "\n%{http_code}"])
            .arg("--unix-socket")
            .arg(&self.socket)
            .args(args)
            .arg(format!("http://d{path}"))
            .output()
            .expect("run curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }
}

/// A command (berth, the docker CLI) whose stdin/stdout/stderr are the slave of a new pty
/// (its controlling terminal, in a session of its own); everything written to the master is
/// collected.
pub struct PtyRun {
    pub child: Child,
    master: OwnedFd,
    out: Arc<Mutex<Vec<u8>>>,
}

impl PtyRun {
    pub fn spawn(mut cmd: Command, args: &[&str], rows: u16, cols: u16) -> PtyRun {
        let (master, slave) = openpty(rows, cols);
        cmd.args(args)
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // The command runs in a session of its own with the pty as controlling terminal (so it gets
        // SIGWINCH). It is a grandchild: our child waits for it and exits with its code, so the
        // harness's reaper of exited session leaders (tests/common) does not take it from us.
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                match libc::fork() {
                    -1 => return Err(std::io::Error::last_os_error()),
                    0 => {}
                    pid => {
                        // Close our copy of std's exec-status pipe (and any other descriptor
                        // but stdio), or `spawn` would wait for us rather than for the exec.
                        libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
                        let mut st = 0;
                        while libc::waitpid(pid, &mut st, 0) < 0 {}
                        libc::_exit(if libc::WIFEXITED(st) {
                            libc::WEXITSTATUS(st)
                        } else {
                            128 + libc::WTERMSIG(st)
                        });
                    }
                }
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn a command in a pty");
        let out = Arc::new(Mutex::new(Vec::new()));
        let reader = master.try_clone().unwrap();
        let sink = out.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::File::from(reader);
            let mut buf = [0u8; 4096];
            // EIO once the last slave descriptor is closed.
            while let Ok(n) = f.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        PtyRun { child, master, out }
    }

    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    /// Types `text` on the terminal.
    pub fn type_text(&self, text: &str) {
        use std::io::Write;
        let mut f = std::fs::File::from(self.master.try_clone().unwrap());
        f.write_all(text.as_bytes()).unwrap();
    }

    /// Waits until the output (after `from` bytes) contains `needle`; returns the end offset.
    #[track_caller]
    pub fn expect(&self, from: usize, needle: &str) -> usize {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let out = self.output();
            if let Some(i) = out.get(from..).and_then(|s| s.find(needle)) {
                return from + i + needle.len();
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} on the terminal; got:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Is our end of the terminal echoing (cooked), rather than raw?
    pub fn echoes(&self) -> bool {
        nix::sys::termios::tcgetattr(&self.master)
            .expect("tcgetattr")
            .local_flags
            .contains(nix::sys::termios::LocalFlags::ECHO)
    }

    pub fn resize(&self, rows: u16, cols: u16) {
        let ws = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ on the master; the kernel signals SIGWINCH to the foreground group.
        unsafe { libc::ioctl(self.master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
    }
}
