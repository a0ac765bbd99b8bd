//! More containers from the test bed's busybox image: `--init`, a real pseudo-terminal, logs
//! (follow, tail, timestamps, rotation), a CLI killed mid-run, signals to a foreground `run`,
//! resource limits seen from inside, the `run` flags Docker users rely on, and `ps` filters and
//! speed with many containers.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{
    Berth, DEFAULT_SECURITY, SECURITY_FIELDS, busybox, inspect, status_lines, wait_until,
};
use serde_json::Value;

/// Waits for `child` at most `secs` seconds; returns its exit code (-signal if killed).
#[track_caller]
fn wait_child(child: &mut Child, secs: u64) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            use std::os::unix::process::ExitStatusExt;
            return st.code().unwrap_or_else(|| -st.signal().unwrap_or(0));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("process did not exit within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The container is recorded as running (`ps` lists it).
fn is_running(b: &Berth, name: &str) -> bool {
    let ps = b.run(&["ps", "-q", "--filter", &format!("name={name}")]);
    ps.code == 0 && !ps.stdout.trim().is_empty()
}

fn status_of(b: &Berth, name: &str) -> String {
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

// ---------------------------------------------------------------------------------------------
// --init

/// Lists zombies seen in /proc from inside the container, half a second after an orphan
/// (`sleep 0.1` started by a subshell that exits at once) has exited, while PID 1 is `sleep 1`
/// (without --init) or berth's init (with it).
const ZOMBIE_SCRIPT: &str = "(sleep 0.1 &); \
    sh -c 'sleep 0.5; for f in /proc/[0-9]*/status; do \
        grep -q \"^State:.Z\" $f && echo zombie $f; done; echo checked' & \
    exec sleep 1";

#[test]
fn init_reaps_orphans_that_pid_1_would_leave_as_zombies() {
    let b = Berth::new();
    let img = busybox(&b);
    // Without --init, PID 1 is the command (`sleep 1` here), which never waits: the orphan
    // stays a zombie.
    let r = b
        .run(&["run", "--rm", &img, "sh", "-c", ZOMBIE_SCRIPT])
        .ok();
    assert!(r.stdout.contains("checked"), "{}", r.stdout);
    assert!(
        r.stdout.contains("zombie"),
        "without --init the orphan should be a zombie: {}",
        r.stdout
    );
    // With --init, berth's init is PID 1 and reaps it.
    let r = b
        .run(&["run", "--rm", "--init", &img, "sh", "-c", ZOMBIE_SCRIPT])
        .ok();
    assert_eq!(r.stdout, "checked\n", "no zombie with --init");
}

/// Does the ELF file have a program interpreter (PT_INTERP), i.e. is it dynamically linked?
fn has_interpreter(path: &str) -> bool {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..4], b"\x7fELF");
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(b[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    (0..phnum).any(|i| {
        let o = phoff + i * phentsize;
        u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) == 3 // PT_INTERP
    })
}

#[test]
fn the_binary_is_static_and_still_resolves_host_names() {
    // `--init` bind-mounts this very binary into images that may have no libc.
    assert!(
        !has_interpreter(env!("CARGO_BIN_EXE_berth")),
        "berth must be statically linked (see .cargo/config.toml)"
    );
    // glibc's static name lookups: /etc/hosts ("localhost") works for pulls.
    let b = Berth::new();
    let port = common::tb("REGISTRY")
        .rsplit_once(':')
        .map(|(_, p)| p.to_string())
        .unwrap();
    let name = format!("localhost:{port}/busybox:latest");
    b.run(&["pull", &name]).ok();
    let r = b
        .run(&["run", "--rm", &name, "echo", "pulled by name"])
        .ok();
    assert_eq!(r.stdout, "pulled by name\n");
}

#[test]
fn init_is_pid_1_and_passes_exit_codes_through() {
    let b = Berth::new();
    let img = busybox(&b);
    // PID 1 is berth's init (bind-mounted at /dev/init, busybox has no libc and no /sbin), the
    // command is PID 2.
    let r = b
        .run(&[
            "run",
            "--rm",
            "--init",
            &img,
            "sh",
            "-c",
            "echo sh=$$; ps -o pid,args",
        ])
        .ok();
    assert!(r.stdout.starts_with("sh=2\n"), "{}", r.stdout);
    let pid1 = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap_or_else(|| panic!("no PID 1 in ps: {}", r.stdout));
    assert!(
        pid1.contains("/dev/init init -- sh -c"),
        "PID 1 is the init: {}",
        r.stdout
    );
    // Exit codes and deaths by signal pass through (128+N).
    let r = b.run(&["run", "--rm", "--init", &img, "sh", "-c", "exit 7"]);
    assert_eq!(r.code, 7, "{}", r.stderr);
    let r = b.run(&["run", "--rm", "--init", &img, "sh", "-c", "kill -KILL $$"]);
    assert_eq!(r.code, 137, "{}", r.stderr);
    let r = b.run(&["run", "--rm", "--init", &img, "sh", "-c", "kill -TERM $$"]);
    assert_eq!(r.code, 143, "{}", r.stderr);
    // A missing command: 127, as docker-init (tini) reports it.
    let r = b.run(&["run", "--rm", "--init", &img, "nosuchcmd"]);
    assert_eq!(r.code, 127, "{}", r.stderr);
    assert!(r.stderr.contains("nosuchcmd"), "{}", r.stderr);
    // A read-only root with a user: the init needs nothing from the image.
    let r = b
        .run(&[
            "run",
            "--rm",
            "--init",
            "--read-only",
            "-u",
            "nobody",
            &img,
            "sh",
            "-c",
            "id -u; cat /proc/1/cmdline | tr '\\0' ' '",
        ])
        .ok();
    assert_eq!(
        r.stdout,
        "65534\n/dev/init init -- sh -c id -u; cat /proc/1/cmdline | tr '\\0' ' ' "
    );
    // inspect shows the command, not the init (as Docker does), and HostConfig.Init.
    b.run(&["create", "--name", "withinit", "--init", &img, "sleep", "1"])
        .ok();
    let i = inspect(&b, "withinit");
    assert_eq!(i["Path"], "sleep");
    assert_eq!(i["HostConfig"]["Init"], true);
    let ps = b.run(&["ps", "-a", "--format", "{{.Command}}"]).ok();
    assert_eq!(ps.stdout.trim(), "\"sleep 1\"");
}

#[test]
fn stop_reaches_a_command_behind_init_that_would_ignore_sigterm_as_pid_1() {
    let b = Berth::new();
    let img = busybox(&b);
    // `sleep` as PID 1 has no SIGTERM handler: the kernel drops the signal, stop waits, kills.
    b.run(&["run", "-d", "--name", "plain", &img, "sleep", "100"])
        .ok();
    let t0 = Instant::now();
    b.run(&["stop", "-t", "1", "plain"]).ok();
    assert!(t0.elapsed() >= Duration::from_millis(900));
    assert_eq!(inspect(&b, "plain")["State"]["ExitCode"], 137);
    // Behind --init it is PID 2: the forwarded SIGTERM kills it at once, exit 128+15.
    b.run(&[
        "run", "-d", "--init", "--name", "inited", &img, "sleep", "100",
    ])
    .ok();
    let t0 = Instant::now();
    b.run(&["stop", "-t", "10", "inited"]).ok();
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "stop took {:?}",
        t0.elapsed()
    );
    assert_eq!(inspect(&b, "inited")["State"]["ExitCode"], 143);
    // kill -s forwards other signals too.
    b.run(&[
        "run",
        "-d",
        "--init",
        "--name",
        "usr1",
        &img,
        "sh",
        "-c",
        "trap 'exit 42' USR1; echo trapped; while true; do sleep 0.1; done",
    ])
    .ok();
    wait_until(10, "the trap", || {
        b.run(&["logs", "usr1"]).ok().stdout == "trapped\n"
    });
    b.run(&["kill", "-s", "USR1", "usr1"]).ok();
    assert_eq!(b.run(&["wait", "usr1"]).ok().stdout.trim(), "42");
    b.run(&["rm", "plain", "inited", "usr1"]).ok();
}

// ---------------------------------------------------------------------------------------------
// A real pseudo-terminal

/// A berth command whose stdin/stdout/stderr are the slave of a new pty (its controlling
/// terminal, in a session of its own); everything written to the master is collected.
struct PtyRun {
    child: Child,
    master: OwnedFd,
    out: Arc<Mutex<Vec<u8>>>,
}

impl PtyRun {
    fn spawn(b: &Berth, args: &[&str], rows: u16, cols: u16) -> PtyRun {
        let (master, slave) = common::openpty(rows, cols);
        let mut cmd = b.command();
        cmd.args(args)
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // berth runs in a session of its own with the pty as controlling terminal (so it gets
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
        let child = cmd.spawn().expect("spawn berth in a pty");
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

    fn output(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    /// Types `text` on the terminal.
    fn type_text(&self, text: &str) {
        use std::io::Write;
        let mut f = std::fs::File::from(self.master.try_clone().unwrap());
        f.write_all(text.as_bytes()).unwrap();
    }

    /// Waits until the output (after `from` bytes) contains `needle`; returns the end offset.
    #[track_caller]
    fn expect(&self, from: usize, needle: &str) -> usize {
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

    fn termios(&self) -> libc::termios {
        // SAFETY: tcgetattr on the master reports the pty's settings.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(self.master.as_raw_fd(), &mut t), 0);
            t
        }
    }

    fn resize(&self, rows: u16, cols: u16) {
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

fn interactive_shell_on_a_pty(init: bool) {
    let b = Berth::new();
    let img = busybox(&b);
    let mut args = vec!["run", "-it", "--rm"];
    if init {
        args.push("--init");
    }
    args.extend([img.as_str(), "sh"]);
    let mut p = PtyRun::spawn(&b, &args, 33, 101);
    let mut at = p.expect(0, "# ");
    // The CLI put our terminal in raw mode: what shows up is the container terminal's echo.
    assert_eq!(p.termios().c_lflag & libc::ECHO, 0, "outer terminal is raw");
    p.type_text("tty\r");
    at = p.expect(at, "tty\r\n");
    at = p.expect(at, "/dev/pts/0\r\n");
    p.type_text("stty size\r");
    at = p.expect(at, "33 101\r\n");
    // A resize of our terminal reaches the container (SIGWINCH → the CLI → the monitor).
    p.resize(40, 120);
    wait_until(10, "the new size in the container", || {
        p.type_text("stty size\r");
        at = p.expect(at, "stty size\r\n");
        let size_at = at;
        at = p.expect(at, "# ");
        p.output()[size_at..at].contains("40 120\r\n")
    });
    p.type_text("echo typed-$((40+2))\r");
    at = p.expect(at, "echo typed-$((40+2))\r\n");
    at = p.expect(at, "typed-42\r\n");
    // ^C interrupts the foreground command (the terminal's foreground group is the shell's,
    // behind --init too), and the shell goes on.
    // A duration unique to this test, to see from here when the shell has started it.
    let secs = format!("{}{}", 100_000 + std::process::id(), u8::from(init));
    p.type_text(&format!("sleep {secs}\r"));
    at = p.expect(at, &format!("sleep {secs}\r\n"));
    wait_until(10, "the foreground sleep", || {
        common::process_running(&format!("sleep\x00{secs}\x00"))
    });
    p.type_text("\x03");
    at = p.expect(at, "^C");
    p.type_text("echo after-$((6*7))\r");
    p.expect(at, "after-42\r\n");
    p.type_text("exit 3\r");
    assert_eq!(wait_child(&mut p.child, 20), 3, "{}", p.output());
    assert_ne!(
        p.termios().c_lflag & libc::ECHO,
        0,
        "terminal mode restored on exit"
    );
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
}

#[test]
fn run_it_on_a_real_pty_echoes_resizes_and_returns_the_exit_code() {
    interactive_shell_on_a_pty(false);
}

#[test]
fn run_it_with_init_on_a_real_pty() {
    interactive_shell_on_a_pty(true);
}

// ---------------------------------------------------------------------------------------------
// Logs

#[test]
fn logs_follow_tail_and_timestamps() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "ticker",
        &img,
        "sh",
        "-c",
        "for i in 1 2 3 4 5 6 7 8 9 10; do echo line$i; sleep 0.1; done",
    ])
    .ok();
    let t0 = Instant::now();
    let mut child = b
        .command()
        .args(["logs", "-f", "ticker"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for l in BufReader::new(child.stdout.take().unwrap()).lines() {
        lines.push((l.unwrap(), t0.elapsed()));
    }
    assert_eq!(wait_child(&mut child, 10), 0);
    let texts: Vec<&str> = lines.iter().map(|(l, _)| l.as_str()).collect();
    let want: Vec<String> = (1..=10).map(|i| format!("line{i}")).collect();
    assert_eq!(texts, want);
    // Lines arrived as they were printed, and -f ended when the container did.
    let spread = lines[9].1 - lines[0].1;
    assert!(
        spread >= Duration::from_millis(500),
        "lines came in a burst: {spread:?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(8), "{:?}", t0.elapsed());
    assert!(status_of(&b, "ticker").starts_with("Exited (0)"));

    let tail = b.run(&["logs", "--tail", "2", "ticker"]).ok();
    assert_eq!(tail.stdout, "line9\nline10\n");
    let ts = b.run(&["logs", "-t", "--tail", "3", "ticker"]).ok();
    let ts_lines = ts.lines();
    assert_eq!(ts_lines.len(), 3, "{}", ts.stdout);
    let mut last = None;
    for (l, n) in ts_lines.iter().zip(8..) {
        let (stamp, text) = l.split_once(' ').unwrap();
        assert_eq!(text, format!("line{n}"));
        let t = chrono::DateTime::parse_from_rfc3339(stamp)
            .unwrap_or_else(|e| panic!("bad timestamp {stamp:?}: {e}"));
        assert!(
            stamp.ends_with('Z') && stamp.len() >= 30,
            "RFC 3339 nanos: {stamp}"
        );
        if let Some(prev) = last {
            assert!(t > prev, "timestamps increase");
        }
        last = Some(t);
    }
    b.run(&["rm", "ticker"]).ok();
}

#[test]
fn log_opts_rotate_into_max_file_files_of_at_most_max_size() {
    let b = Berth::new();
    let img = busybox(&b);
    let id = b
        .run(&[
            "run",
            "-d",
            "--log-opt",
            "max-size=1k",
            "--log-opt",
            "max-file=2",
            &img,
            "sh",
            "-c",
            "i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(b.run(&["wait", &id]).ok().stdout.trim(), "0");
    let dir = b.root().join("containers").join(&id);
    let mut logs: Vec<(String, u64)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("-json.log"))
        .map(|n| {
            let len = std::fs::metadata(dir.join(&n)).unwrap().len();
            (n, len)
        })
        .collect();
    logs.sort();
    let names: Vec<&str> = logs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [format!("{id}-json.log"), format!("{id}-json.log.1")],
        "two files"
    );
    for (n, len) in &logs {
        assert!(*len <= 1024, "{n} is {len} bytes");
        assert!(*len > 0, "{n} is empty");
    }
    // `logs` shows what is left, ending with the last line.
    let out = b.run(&["logs", &id]).ok();
    assert!(out.stdout.ends_with("line 199\n"), "{}", out.stdout);
    assert!(!out.stdout.contains("line 0\n"), "rotated away");
    b.run(&["rm", &id]).ok();
}

// ---------------------------------------------------------------------------------------------
// The CLI killed or signalled during a foreground run

#[test]
fn sigkill_of_the_cli_leaves_the_container_running_to_completion() {
    let b = Berth::new();
    let img = busybox(&b);
    let mut cli = b
        .command()
        .args([
            "run",
            "--name",
            "survivor",
            &img,
            "sh",
            "-c",
            "sleep 2; echo done",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(30, "the container to run", || is_running(&b, "survivor"));
    cli.kill().unwrap(); // SIGKILL
    assert_eq!(wait_child(&mut cli, 5), -libc::SIGKILL);
    assert!(
        status_of(&b, "survivor").starts_with("Up "),
        "still running"
    );
    wait_until(15, "the container to finish", || {
        status_of(&b, "survivor").starts_with("Exited (0)")
    });
    let logs = b.run(&["logs", "survivor"]).ok();
    assert_eq!(logs.stdout, "done\n");
    b.run(&["rm", "survivor"]).ok();
}

/// Starts a foreground `run` of `script` (which prints `ready` when it is), waits until it is
/// ready, sends `sig` to the CLI and returns the CLI's exit code.
fn signal_foreground_run(
    b: &Berth,
    img: &str,
    name: &str,
    script: &str,
    sig: nix::sys::signal::Signal,
) -> i32 {
    let mut cli = b
        .command()
        .args(["run", "--name", name, img, "sh", "-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_ready(b, name, &mut cli);
    signal(&cli, sig);
    wait_child(&mut cli, 10)
}

/// Waits until the container of the foreground `run` in `cli` has printed `ready` (after
/// installing its traps): the CLI then relays its output, so it forwards signals too.
#[track_caller]
fn wait_for_ready(b: &Berth, name: &str, cli: &mut Child) {
    let stdout = cli.stdout.take().expect("the CLI's stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Reads to the end, so that the CLI never blocks on a full pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) if line == "ready" => return,
            Ok(_) => {}
            Err(_) if Instant::now() < deadline && cli.try_wait().unwrap().is_none() => {}
            Err(_) => {
                let _ = cli.kill();
                let status = cli.wait().unwrap();
                let mut stderr = String::new();
                if let Some(mut e) = cli.stderr.take() {
                    let _ = e.read_to_string(&mut stderr);
                }
                panic!(
                    "{name} did not get ready: {status:?}\nstderr: {stderr}\nps: {}",
                    b.run(&["ps", "-a"]).stdout
                );
            }
        }
    }
}

/// Sends `sig` to the CLI.
fn signal(cli: &Child, sig: nix::sys::signal::Signal) {
    let pid = nix::unistd::Pid::from_raw(cli.id() as i32);
    nix::sys::signal::kill(pid, sig).expect("signal the CLI");
}

#[test]
fn sigterm_and_sigint_to_a_foreground_run_are_forwarded() {
    use nix::sys::signal::Signal;
    let b = Berth::new();
    let img = busybox(&b);
    let code = signal_foreground_run(
        &b,
        &img,
        "term",
        "trap 'exit 9' TERM; echo ready; sleep 100 & wait",
        Signal::SIGTERM,
    );
    assert_eq!(code, 9);
    let code = signal_foreground_run(
        &b,
        &img,
        "int",
        "trap 'exit 7' INT; echo ready; sleep 100 & wait",
        Signal::SIGINT,
    );
    assert_eq!(code, 7);
    assert_eq!(inspect(&b, "term")["State"]["ExitCode"], 9);
    // With -i the CLI has a stdin thread too: the signal must still reach the container.
    let mut cli = b
        .command()
        .args([
            "run",
            "-i",
            "--name",
            "interactive",
            &img,
            "sh",
            "-c",
            "trap 'exit 9' TERM; echo ready; sleep 100 & wait",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_ready(&b, "interactive", &mut cli);
    signal(&cli, Signal::SIGTERM);
    assert_eq!(wait_child(&mut cli, 10), 9);
    b.run(&["rm", "interactive"]).ok();
    // --sig-proxy=false: the CLI's own default action (it dies), the container goes on.
    let mut cli = b
        .command()
        .args([
            "run",
            "--sig-proxy=false",
            "--name",
            "noproxy",
            &img,
            "sh",
            "-c",
            "trap 'exit 9' TERM; sleep 2 & wait",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(30, "the container to run", || is_running(&b, "noproxy"));
    signal(&cli, Signal::SIGTERM);
    assert_eq!(wait_child(&mut cli, 5), -libc::SIGTERM);
    assert_eq!(b.run(&["wait", "noproxy"]).ok().stdout.trim(), "0");
    b.run(&["rm", "term", "int", "noproxy"]).ok();
}

// ---------------------------------------------------------------------------------------------
// Resource limits, seen from inside

/// A cgroup v1 file, or its v2 equivalent.
fn cgroup_cat(v1: &str, v2: &str) -> String {
    format!("cat /sys/fs/cgroup/{v1} 2>/dev/null || cat /sys/fs/cgroup/{v2}")
}

#[test]
fn pids_limit_contains_a_fork_loop() {
    let b = Berth::new();
    let img = busybox(&b);
    let script = format!(
        "{}; \
         (i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done) 2>/tmp/err; \
         echo loop exited $?; \
         read n < /sys/fs/cgroup/pids/pids.current 2>/dev/null || n=$(cat /sys/fs/cgroup/pids.current); \
         echo current $n; read e < /tmp/err; echo \"$e\"",
        cgroup_cat("pids/pids.max", "pids.max")
    );
    let r = b
        .run(&[
            "run",
            "--rm",
            "--pids-limit",
            "20",
            &img,
            "sh",
            "-c",
            &script,
        ])
        .ok();
    let lines = r.lines();
    assert_eq!(lines[0], "20", "{}", r.stdout);
    assert_ne!(lines[1], "loop exited 0", "{}", r.stdout);
    let current: i64 = lines[2].strip_prefix("current ").unwrap().parse().unwrap();
    assert!(current <= 20, "{}", r.stdout);
    assert!(
        lines[3].contains("can't fork") || lines[3].contains("Resource temporarily unavailable"),
        "{}",
        r.stdout
    );
    assert_eq!(
        inspect_after_create(&b, &img, &["--pids-limit", "20"])["HostConfig"]["PidsLimit"],
        20
    );
}

fn inspect_after_create(b: &Berth, img: &str, flags: &[&str]) -> Value {
    let mut args = vec!["create"];
    args.extend_from_slice(flags);
    args.push(img);
    let id = b.run(&args).ok().stdout.trim().to_string();
    let v = inspect(b, &id);
    b.run(&["rm", &id]).ok();
    v
}

#[test]
fn cpus_and_memory_limits_in_the_container_cgroup() {
    let b = Berth::new();
    let img = busybox(&b);
    let script = format!(
        "{} ; {}",
        cgroup_cat("cpu/cpu.cfs_quota_us", "cpu.max"),
        cgroup_cat("cpu/cpu.cfs_period_us", "cpu.max")
    );
    let r = b
        .run(&["run", "--rm", "--cpus", "0.5", &img, "sh", "-c", &script])
        .ok();
    if std::path::Path::new("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").exists() {
        assert_eq!(r.stdout, "50000\n100000\n");
    } else {
        assert_eq!(r.stdout, "50000 100000\n50000 100000\n");
    }
    let r = b
        .run(&[
            "run",
            "--rm",
            "--memory",
            "64m",
            &img,
            "sh",
            "-c",
            &cgroup_cat("memory/memory.limit_in_bytes", "memory.max"),
        ])
        .ok();
    assert_eq!(r.stdout, "67108864\n");
}

#[test]
fn ulimits_inside_and_one_line_refusal_above_the_hard_limit() {
    let b = Berth::new();
    let img = busybox(&b);
    let r = b
        .run(&[
            "run",
            "--rm",
            "--ulimit",
            "nofile=512:1024",
            &img,
            "sh",
            "-c",
            "ulimit -n; ulimit -Hn",
        ])
        .ok();
    assert_eq!(r.stdout, "512\n1024\n");
    // Above the hard limit berth itself has (what root may not raise here either).
    let mut hard: libc::rlimit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut hard) };
    let above = hard.rlim_max + 1;
    let flag = format!("nofile={above}:{above}");
    b.run(&["run", "--rm", "--ulimit", &flag, &img, "true"])
        .fails_with("nofile");
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty(), "nothing left");
}

// ---------------------------------------------------------------------------------------------
// The flags Docker users rely on

#[test]
fn run_flags_sysctl_user_workdir_entrypoint_env_hostname() {
    let b = Berth::new();
    let img = busybox(&b);
    let one = |args: &[&str]| -> String {
        let mut a = vec!["run", "--rm"];
        a.extend_from_slice(args);
        b.run(&a).ok().stdout
    };
    assert_eq!(
        one(&[
            "--sysctl",
            "net.ipv4.ip_forward=1",
            &img,
            "cat",
            "/proc/sys/net/ipv4/ip_forward"
        ]),
        "1\n"
    );
    assert_eq!(one(&["-u", "nobody", &img, "id", "-u"]), "65534\n");
    assert_eq!(one(&["-u", "nobody", &img, "id", "-g"]), "65534\n");
    assert_eq!(
        one(&[
            "-w",
            "/tmp/newdir",
            &img,
            "sh",
            "-c",
            "pwd; test -d /tmp/newdir && echo made"
        ]),
        "/tmp/newdir\nmade\n"
    );
    assert_eq!(
        one(&["--entrypoint", "echo", &img, "from", "entrypoint"]),
        "from entrypoint\n"
    );
    assert_eq!(
        one(&["--hostname", "berthbox", &img, "hostname"]),
        "berthbox\n"
    );
    let env_file = b.dir.path().join("env.list");
    std::fs::write(
        &env_file,
        "# a comment\nFROM_FILE=file value\n\nBOTH=from-file\n",
    )
    .unwrap();
    let out = one(&[
        "-e",
        "ONE=1",
        "-e",
        "BOTH=from-flag",
        "--env-file",
        env_file.to_str().unwrap(),
        &img,
        "sh",
        "-c",
        "echo \"$ONE|$FROM_FILE|$BOTH\"",
    ]);
    assert_eq!(out, "1|file value|from-flag\n", "-e wins over --env-file");
}

#[test]
fn run_flags_tmpfs_read_only_privileged_seccomp() {
    let b = Berth::new();
    let img = busybox(&b);
    // --tmpfs size is enforced.
    let r = b.run(&[
        "run",
        "--rm",
        "--tmpfs",
        "/run:size=1m",
        &img,
        "sh",
        "-c",
        "dd if=/dev/zero of=/run/f bs=1k count=2048 2>/dev/null || echo full; \
         rm /run/f; echo small > /run/small && cat /run/small",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("full\n"),
        "2m into a 1m tmpfs fails: {}",
        r.stdout
    );
    // --read-only root, writable --tmpfs.
    let r = b.run(&[
        "run",
        "--rm",
        "--read-only",
        "--tmpfs",
        "/tmp",
        &img,
        "sh",
        "-c",
        "echo ok > /tmp/x && cat /tmp/x; touch /etc/x",
    ]);
    assert_eq!(r.stdout, "ok\n");
    assert!(r.stderr.contains("Read-only file system"), "{}", r.stderr);
    assert_ne!(r.code, 0);
    // --privileged: every capability berth itself has (the host's bounding set).
    let host_caps = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |s: &str, k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
            .unwrap()
    };
    let host_bnd = field(&host_caps, "CapBnd:");
    let inside = b
        .run(&[
            "run",
            "--rm",
            "--privileged",
            &img,
            "cat",
            "/proc/self/status",
        ])
        .ok()
        .stdout;
    assert_eq!(field(&inside, "CapEff:"), host_bnd, "{inside}");
    assert_eq!(field(&inside, "Seccomp:"), "0", "privileged: no seccomp");
    // --security-opt seccomp=unconfined: no filter, the default capabilities.
    let inside = b
        .run(&[
            "run",
            "--rm",
            "--security-opt",
            "seccomp=unconfined",
            &img,
            "cat",
            "/proc/self/status",
        ])
        .ok()
        .stdout;
    assert_eq!(field(&inside, "Seccomp:"), "0");
    assert_eq!(field(&inside, "CapEff:"), "00000000a80425fb");
}

/// A profile of one's own (--security-opt seccomp=FILE) with SCMP_CMP_MASKED_EQ, whose
/// operands read as the OCI spec and runc have them: `(arg & value) == valueTwo`. Here chmod
/// is refused unless the mode has the setuid bit; with the operands swapped (as libcontainer
/// 0.7 reads them) both chmods would pass. The process keeps exactly the default capabilities
/// (the capability lent to install the filter is gone) and no no_new_privs, as with Docker.
#[test]
fn seccomp_profile_file_masked_eq() {
    let b = Berth::new();
    let img = busybox(&b);
    let arg = |i| format!(r#"{{"index":{i},"value":2048,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}}"#);
    let profile = format!(
        r#"{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {{"names":["chmod"],"action":"SCMP_ACT_ERRNO","args":[{}]}},
            {{"names":["fchmodat","fchmodat2"],"action":"SCMP_ACT_ERRNO","args":[{}]}}]}}"#,
        arg(1),
        arg(2)
    );
    let file = b.dir.path().join("chmod-profile.json");
    std::fs::write(&file, profile).unwrap();
    let opt = format!("seccomp={}", file.display());
    let r = b.run(&[
        "run",
        "--rm",
        "--security-opt",
        &opt,
        &img,
        "sh",
        "-c",
        &format!(
            "touch /f; chmod 644 /f; echo plain=$?; chmod 4644 /f; echo setuid=$?; \
             grep -E '{SECURITY_FIELDS}' /proc/self/status"
        ),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("Operation not permitted"), "{}", r.stderr);
    let out: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(out[..2], ["plain=1", "setuid=0"], "{}", r.stdout);
    assert_eq!(status_lines(&out[2..].join("\n")), DEFAULT_SECURITY);
    // SCMP_ACT_NOTIFY needs a seccomp agent: refused at create, one line, 125, nothing made.
    std::fs::write(
        &file,
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],"action":"SCMP_ACT_NOTIFY"}]}"#,
    )
    .unwrap();
    let r = b.run(&["run", "--rm", "--security-opt", &opt, &img, "true"]);
    assert_eq!(r.code, 125, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("SCMP_ACT_NOTIFY"), "{}", r.stderr);
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
}

// ---------------------------------------------------------------------------------------------
// ps

#[test]
fn ps_filters_and_formats() {
    let b = Berth::new();
    let img = busybox(&b);
    let r = b.run(&[
        "run", "--name", "alpha", "--label", "k=v", &img, "sh", "-c", "exit 3",
    ]);
    assert_eq!(r.code, 3);
    let beta = b
        .run(&[
            "create",
            "--name",
            "beta",
            &img,
            "echo",
            "a-rather-long-argument",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    b.run(&[
        "run", "-d", "--name", "gamma", "--label", "k=w", &img, "sleep", "100",
    ])
    .ok();
    let names = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["ps", "--format", "{{.Names}}"];
        a.extend_from_slice(args);
        b.run(&a).ok().stdout.lines().map(str::to_string).collect()
    };
    assert_eq!(names(&[]), ["gamma"], "running only by default");
    assert_eq!(names(&["-a"]), ["gamma", "beta", "alpha"], "newest first");
    assert_eq!(names(&["--filter", "status=exited"]), ["alpha"]);
    assert_eq!(names(&["--filter", "status=created"]), ["beta"]);
    assert_eq!(names(&["--filter", "status=running"]), ["gamma"]);
    assert_eq!(names(&["-a", "--filter", "exited=3"]), ["alpha"]);
    assert_eq!(names(&["-a", "--filter", "name=gam"]), ["gamma"]);
    assert_eq!(names(&["-a", "--filter", "label=k=v"]), ["alpha"]);
    assert_eq!(names(&["-a", "--filter", "label=k"]), ["gamma", "alpha"]);
    assert_eq!(
        names(&["-a", "--filter", &format!("ancestor={img}")]),
        ["gamma", "beta", "alpha"]
    );
    assert!(names(&["-a", "--filter", "ancestor=nosuch:image"]).is_empty());
    assert_eq!(
        names(&["-a", "--filter", &format!("id={}", &beta[..8])]),
        ["beta"]
    );
    assert_eq!(
        names(&["-a", "--filter", "label=k", "--filter", "status=exited"]),
        ["alpha"],
        "filters combine"
    );
    assert_eq!(names(&["-n", "1"]), ["gamma"]);
    assert_eq!(names(&["-n", "2"]), ["gamma", "beta"]);
    assert_eq!(names(&["-l"]), ["gamma"]);
    // IDs: 12 characters, 64 with --no-trunc.
    let q = b.run(&["ps", "-aq"]).ok();
    assert!(q.lines().iter().all(|l| l.len() == 12), "{}", q.stdout);
    let q = b.run(&["ps", "-aq", "--no-trunc"]).ok();
    assert!(q.lines().iter().all(|l| l.len() == 64), "{}", q.stdout);
    assert!(q.stdout.contains(&beta));
    // Commands are cut at 20 characters, kept whole with --no-trunc.
    let cmd = |extra: &[&str]| {
        let mut a = vec![
            "ps",
            "-a",
            "--filter",
            "name=beta",
            "--format",
            "{{.Command}}",
        ];
        a.extend_from_slice(extra);
        b.run(&a).ok().stdout.trim().to_string()
    };
    assert_eq!(cmd(&[]), "\"echo a-rather-long-…\"");
    assert_eq!(cmd(&["--no-trunc"]), "\"echo a-rather-long-argument\"");
    // JSON lines.
    let json = b.run(&["ps", "-a", "--format", "json"]).ok();
    let objs: Vec<Value> = json
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 3);
    assert_eq!(objs[0]["Names"], "gamma");
    assert_eq!(objs[0]["State"], "running");
    assert_eq!(
        objs[2]["Status"].as_str().unwrap().get(..10),
        Some("Exited (3)")
    );
    assert_eq!(objs[2]["Labels"], "k=v");
    // A table template: a header from the field names, tab-aligned columns.
    let t = b
        .run(&["ps", "-a", "--format", "table {{.Names}}\t{{.State}}"])
        .ok();
    let tl = t.lines();
    assert_eq!(tl.len(), 4, "{}", t.stdout);
    assert!(
        tl[0].starts_with("NAMES") && tl[0].contains("STATE"),
        "{}",
        t.stdout
    );
    assert!(
        tl[1].starts_with("gamma") && tl[1].ends_with("running"),
        "{}",
        t.stdout
    );
    assert!(
        tl[3].starts_with("alpha") && tl[3].ends_with("exited"),
        "{}",
        t.stdout
    );
    b.run(&["ps", "--filter", "colour=red"])
        .fails_with("colour");
    b.run(&["rm", "-f", "alpha", "beta", "gamma"]).ok();
}

#[test]
fn ps_with_a_thousand_containers_is_fast() {
    let b = Berth::new();
    let img = busybox(&b);
    // `create` in parallel batches (each is a process with its own write transaction).
    let total = 1000;
    let batch = 16;
    let mut made = 0;
    while made < total {
        let n = batch.min(total - made);
        let children: Vec<Child> = (0..n)
            .map(|_| {
                b.command()
                    .args(["create", &img, "true"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        made += n;
    }
    // One running container too, so a row needs reconciling.
    b.run(&["run", "-d", "--name", "live", &img, "sleep", "100"])
        .ok();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t0 = Instant::now();
        let out = b.run(&["ps", "-a"]).ok();
        best = best.min(t0.elapsed());
        assert_eq!(out.lines().len(), total + 2, "header + rows");
    }
    eprintln!("ps -a with {} containers: {best:?}", total + 1);
    assert!(best < Duration::from_millis(500), "ps -a took {best:?}");
    let t0 = Instant::now();
    let q = b.run(&["ps", "-aq", "--filter", "status=created"]).ok();
    assert_eq!(q.lines().len(), total);
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    b.run(&["rm", "-f", "live"]).ok();
}
