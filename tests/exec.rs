//! Working with running containers: exec (output, exit codes, namespaces, -e/-u/-w, -i, -t,
//! -d), attach, top, pause/unpause, and cleanup of paused containers.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{
    Berth, DEFAULT_SECURITY, SECURITY_FIELDS, assert_no_leftovers, busybox, inspect,
    process_running, status_lines, wait_until,
};

/// `run -d` with a name; returns the container's ID.
fn run_detached(b: &Berth, name: &str, args: &[&str]) -> String {
    let img = busybox(b);
    let mut all = vec!["run", "-d", "--name", name, &img];
    all.extend_from_slice(args);
    let id = b.run(&all).ok().stdout.trim().to_string();
    assert_eq!(id.len(), 64, "{id}");
    id
}

/// Zombie children of this test process other than berth itself (monitors, exec helpers and
/// CLIs are named berth and reaped by the harness or by `wait`): an exec'd process that nobody
/// reaped would show up here once its CLI exited.
fn foreign_zombies() -> Vec<String> {
    let me = std::process::id().to_string();
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.parse::<u32>().is_err() {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{name}/stat")) else {
            continue;
        };
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let comm = head.split_once('(').map(|x| x.1).unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.len() > 1 && f[0] == "Z" && f[1] == me && comm != "berth" {
            out.push(format!("{name} ({comm})"));
        }
    }
    out
}

#[test]
fn exec_output_exit_code_filesystem_and_pid_namespace() {
    let b = Berth::new();
    let id = run_detached(
        &b,
        "box",
        &["sh", "-c", "echo written > /tmp/mark; exec sleep 300"],
    );
    let r = b.run(&["exec", "box", "sh", "-c", "echo out; echo err >&2; exit 7"]);
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert_eq!(r.stdout, "out\n");
    assert_eq!(r.stderr, "err\n");
    // The container's filesystem: a file its main process wrote.
    wait_until(5, "the mark file", || {
        b.run(&["exec", "box", "cat", "/tmp/mark"]).stdout == "written\n"
    });
    // The container's pid namespace: PID 1 is the main command, we are another process.
    let ps = b.run(&["exec", &id[..12], "ps", "-o", "pid,args"]).ok();
    let first = ps
        .lines()
        .iter()
        .find(|l| l.split_whitespace().next() == Some("1"))
        .map(|l| l.to_string())
        .unwrap_or_default();
    assert!(first.ends_with("sleep 300"), "{}", ps.stdout);
    let me: i64 = b
        .run(&["exec", "box", "sh", "-c", "echo $$"])
        .ok()
        .stdout
        .trim()
        .parse()
        .unwrap();
    assert!(
        me > 1 && me < 1000,
        "pid in the container's namespace: {me}"
    );
    // The hostname is the container's.
    assert_eq!(
        b.run(&["exec", "box", "hostname"]).ok().stdout.trim(),
        &id[..12]
    );
    b.run(&["container", "exec", "box", "true"]).ok();
    assert!(foreign_zombies().is_empty(), "{:?}", foreign_zombies());
    b.run(&["rm", "-f", "box"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn exec_env_user_and_workdir() {
    let b = Berth::new();
    let img = busybox(&b);
    let id = b
        .run(&[
            "run",
            "-d",
            "--name",
            "envbox",
            "-e",
            "A=container",
            "-e",
            "B=kept",
            "-w",
            "/etc",
            &img,
            "sleep",
            "300",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    // Defaults: the container's environment, user and working directory.
    let r = b
        .run(&[
            "exec",
            "envbox",
            "sh",
            "-c",
            "echo $A $B; id -u; pwd; echo $HOME",
        ])
        .ok();
    assert_eq!(r.stdout, "container kept\n0\n/etc\n/root\n");
    let env_file = b.dir.path().join("env.list");
    std::fs::write(&env_file, "# a comment\nFROMFILE=yes\n\nA=file\n").unwrap();
    let r = b
        .run(&[
            "exec",
            "--env-file",
            env_file.to_str().unwrap(),
            "-e",
            "A=override",
            "-e",
            "C=new",
            "-u",
            "nobody",
            "-w",
            "/tmp",
            "envbox",
            "sh",
            "-c",
            "echo $A $B $C $FROMFILE; id -un; id -u; id -g; pwd; echo $HOME",
        ])
        .ok();
    let lines = r.lines();
    assert_eq!(lines[0], "override kept new yes", "{}", r.stdout);
    assert_eq!(lines[1], "nobody");
    assert_eq!(lines[2], "65534");
    assert_eq!(lines[3], "65534");
    assert_eq!(lines[4], "/tmp");
    assert_ne!(lines[5], "/root", "HOME follows the exec user");
    // uid:gid without passwd entries.
    let r = b
        .run(&[
            "exec",
            "-u",
            "1234:5678",
            "envbox",
            "sh",
            "-c",
            "id -u; id -g; echo $HOME",
        ])
        .ok();
    assert_eq!(r.stdout, "1234\n5678\n/\n");
    b.run(&["exec", "-u", "nosuch", "envbox", "true"])
        .fails_with("unable to find user nosuch");
    b.run(&["exec", "-w", "relative", "envbox", "true"])
        .fails_with("needs to be an absolute path");
    let r = b.run(&["exec", "-w", "/no/such/dir", "envbox", "true"]);
    assert_eq!(r.code, 126, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("no such file or directory"),
        "{}",
        r.stderr
    );
    b.run(&["rm", "-f", "envbox"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn exec_i_forwards_stdin_until_eof() {
    let b = Berth::new();
    let id = run_detached(&b, "catbox", &["sleep", "300"]);
    let r = b
        .run_stdin(
            &["exec", "-i", "catbox", "sh", "-c", "cat; echo done"],
            "line one\nline two\n",
        )
        .ok();
    assert_eq!(r.stdout, "line one\nline two\ndone\n");
    // A larger input than a pipe holds, while output flows back.
    let big: String = (0..20000).map(|i| format!("{i}\n")).collect();
    let r = b.run_stdin(&["exec", "-i", "catbox", "cat"], &big).ok();
    assert_eq!(r.stdout.len(), big.len());
    assert!(r.stdout == big);
    // Without -i the process's stdin is empty.
    let r = b
        .run_stdin(
            &["exec", "catbox", "sh", "-c", "cat; echo end"],
            "ignored\n",
        )
        .ok();
    assert_eq!(r.stdout, "end\n");
    // -it needs a terminal on stdin.
    b.run(&["exec", "-it", "catbox", "sh"])
        .fails_with("the input device is not a TTY");
    b.run(&["rm", "-f", "catbox"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn exec_errors_missing_commands_and_stopped_containers() {
    let b = Berth::new();
    let img = busybox(&b);
    let id = run_detached(&b, "live", &["sleep", "300"]);
    let r = b.run(&["exec", "live", "nosuchcmd"]);
    assert_eq!(r.code, 127, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("berth: error: ")
            && r.stderr
                .contains("\"nosuchcmd\": executable file not found in $PATH"),
        "{}",
        r.stderr
    );
    let r = b.run(&["exec", "live", "/etc/passwd"]);
    assert_eq!(r.code, 126, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("permission denied"), "{}", r.stderr);
    // Executable files that execve refuses: a missing interpreter (127), no known format (126).
    b.run(&[
        "exec",
        "live",
        "sh",
        "-c",
        "printf '#!/no/such\\n' >/interp; printf '\\001\\002\\n' >/garbage; chmod +x /interp /garbage",
    ])
    .ok();
    let r = b.run(&["exec", "live", "/interp"]);
    assert_eq!(r.code, 127, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "berth: error: exec failed: exec: \"/interp\": no such file or directory\n"
    );
    let r = b.run(&["exec", "live", "/garbage"]);
    assert_eq!(r.code, 126, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "berth: error: exec failed: exec: \"/garbage\": exec format error\n"
    );
    // Not running: created, or exited.
    let created = b
        .run(&["create", "--name", "created", &img, "sleep", "1"])
        .ok()
        .stdout
        .trim()
        .to_string();
    b.run(&["exec", "created", "true"])
        .fails_with(&format!("container {created} is not running"));
    b.run(&["run", "--name", "done", &img, "true"]).ok();
    b.run(&["exec", "done", "true"])
        .fails_with("is not running");
    b.run(&["exec", "nosuch", "true"])
        .fails_with("No such container: nosuch");
    b.run(&["exec", "--privileged", "live", "true"])
        .fails_with("--privileged");
    b.run(&["rm", "-f", "live", "created", "done"]).ok();
    assert_no_leftovers(&b, &[id, created]);
}

#[test]
fn exec_d_starts_a_process_visible_in_top_and_reaps_it() {
    let b = Berth::new();
    let id = run_detached(&b, "bg", &["sleep", "300"]);
    // A duration unique to this run, to find the process by its command line.
    let secs = format!("{}", 100_000 + std::process::id());
    let t0 = Instant::now();
    let r = b.run(&["exec", "-d", "bg", "sleep", &secs]).ok();
    assert!(
        r.stdout.is_empty() && r.stderr.is_empty(),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(t0.elapsed() < Duration::from_secs(5));
    let top = b.run(&["top", "bg"]).ok();
    let lines = top.lines();
    let titles: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        titles,
        ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    );
    assert!(
        lines.iter().any(|l| l.ends_with(&format!("sleep {secs}"))),
        "{}",
        top.stdout
    );
    assert!(
        lines.iter().any(|l| l.ends_with("sleep 300")),
        "{}",
        top.stdout
    );
    assert_eq!(lines.len(), 3, "{}", top.stdout);
    // A short detached process is reaped once it ends (no zombie left to anyone).
    b.run(&["exec", "-d", "bg", "sh", "-c", "sleep 0.2"]).ok();
    let r = b.run(&["exec", "-d", "bg", "nosuchcmd"]);
    assert_eq!(r.code, 127, "{}", r.stderr);
    wait_until(10, "the short exec'd process to end and be reaped", || {
        b.run(&["top", "bg"]).ok().lines().len() == 3 && foreign_zombies().is_empty()
    });
    // rm -f kills the exec'd process too.
    b.run(&["rm", "-f", "bg"]).ok();
    assert_no_leftovers(&b, &[id]);
    assert!(
        !process_running(&format!("sleep\x00{secs}\x00")),
        "the exec'd process is gone"
    );
}

/// Runs berth with a pty (of `rows` x `cols`) as its stdin, stdout and stderr; writes `input`
/// to the terminal, and returns what berth wrote to it and its exit code.
fn run_in_pty(b: &Berth, args: &[&str], rows: u16, cols: u16, input: &[u8]) -> (String, i32) {
    let (master, slave) = common::openpty(rows, cols);
    let mut child = b
        .command()
        .args(args)
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave))
        .spawn()
        .expect("spawn berth");
    if !input.is_empty() {
        // Type only once berth has put the terminal in raw mode: switching modes may flush
        // what was typed before.
        wait_until(10, "berth to put the terminal in raw mode", || {
            nix::sys::termios::tcgetattr(&master).is_ok_and(|t| {
                !t.local_flags
                    .contains(nix::sys::termios::LocalFlags::ICANON)
            })
        });
    }
    let mut m = std::fs::File::from(master);
    if !input.is_empty() {
        use std::io::Write;
        m.write_all(input).unwrap();
    }
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        // EIO once the last slave fd (berth's) is closed.
        while let Ok(n) = m.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&out).into_owned()
    });
    let code = child.wait().unwrap().code().unwrap_or(-1);
    (reader.join().unwrap(), code)
}

#[test]
fn exec_t_allocates_a_terminal() {
    let b = Berth::new();
    let id = run_detached(&b, "term", &["sleep", "300"]);
    let (out, code) = run_in_pty(
        &b,
        &["exec", "-t", "term", "sh", "-c", "tty; echo $TERM; exit 3"],
        24,
        80,
        b"",
    );
    assert_eq!(code, 3, "{out}");
    // Without -i the local terminal stays cooked, as with Docker: "\r\n" becomes "\r\r\n".
    let lines: Vec<&str> = out.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert!(lines[0].starts_with("/dev/pts/"), "{out:?}");
    assert_eq!(lines[1], "xterm", "{out:?}");
    // -it: our terminal's size, input through the pty (raw mode: the shell echoes).
    let (out, code) = run_in_pty(
        &b,
        &["exec", "-it", "term", "sh"],
        30,
        100,
        b"stty size; exit 5\n",
    );
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("30 100\r\n"), "{out:?}");
    b.run(&["rm", "-f", "term"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn attach_streams_output_until_exit_and_returns_the_code() {
    let b = Berth::new();
    // The container writes once a line comes in on its stdin: through the attached CLI, so
    // only once it is attached.
    let img = busybox(&b);
    let id = b
        .run(&[
            "run",
            "-d",
            "-i",
            "--name",
            "later",
            &img,
            "sh",
            "-c",
            "read x; echo late; echo oops >&2; exit 3",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    let r = b.run_stdin(&["attach", "later"], "go\n");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.stdout, "late\n");
    assert_eq!(r.stderr, "oops\n");
    b.run(&["attach", "later"])
        .fails_with("You cannot attach to a stopped container");
    // What comes in on stdin reaches the container.
    let id2 = b
        .run(&[
            "run",
            "-d",
            "-i",
            "--name",
            "reader",
            &img,
            "sh",
            "-c",
            "read x; echo got $x; exit 4",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    let r = b.run_stdin(&["container", "attach", "reader"], "hello\n");
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.stdout, "got hello\n");
    b.run(&["rm", "later", "reader"]).ok();
    assert_no_leftovers(&b, &[id, id2]);
}

#[test]
fn top_lists_the_containers_processes() {
    let b = Berth::new();
    let id = run_detached(&b, "procs", &["sh", "-c", "sleep 1234 & sleep 5678; wait"]);
    wait_until(5, "two sleeps", || {
        let t = b.run(&["top", "procs"]).ok().stdout;
        t.contains("sleep 1234") && t.contains("sleep 5678")
    });
    let top = b.run(&["top", "procs"]).ok();
    let procs = std::fs::read_to_string(format!("/sys/fs/cgroup/pids/berth/{id}/cgroup.procs"))
        .or_else(|_| std::fs::read_to_string(format!("/sys/fs/cgroup/berth/{id}/cgroup.procs")))
        .unwrap();
    let pids: Vec<&str> = procs.split_whitespace().collect();
    assert_eq!(top.lines().len(), 1 + pids.len(), "{}", top.stdout);
    for l in &top.lines()[1..] {
        let pid = l.split_whitespace().nth(1).unwrap();
        assert!(
            pids.contains(&pid),
            "{pid} is not the container's: {}",
            top.stdout
        );
    }
    // ps options.
    let top = b.run(&["top", "procs", "-o", "pid,comm"]).ok();
    let lines = top.lines();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["PID", "COMMAND"]
    );
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.ends_with("sh") || l.ends_with("sleep"))
    );
    b.run(&["top", "procs", "-o", "comm=PID"])
        .fails_with("is not allowed");
    b.run(&["kill", "procs"]).ok();
    b.run(&["wait", "procs"]).ok();
    b.run(&["top", "procs"]).fails_with("is not running");
    b.run(&["rm", "procs"]).ok();
    assert_no_leftovers(&b, &[id]);
}

fn log_lines(b: &Berth, name: &str) -> usize {
    b.run(&["logs", name]).ok().stdout.lines().count()
}

#[test]
fn pause_freezes_and_unpause_thaws() {
    let b = Berth::new();
    let id = run_detached(
        &b,
        "counter",
        &[
            "sh",
            "-c",
            "i=0; while true; do i=$((i+1)); echo $i; sleep 0.05; done",
        ],
    );
    wait_until(5, "counting", || log_lines(&b, "counter") > 3);
    assert_eq!(b.run(&["pause", "counter"]).ok().stdout, "counter\n");
    let ps = b.run(&["ps"]).ok();
    assert!(ps.stdout.contains("(Paused)"), "{}", ps.stdout);
    assert_eq!(
        b.run(&["ps", "--format", "{{.State}}"]).ok().stdout.trim(),
        "paused"
    );
    let i = inspect(&b, "counter");
    assert_eq!(i["State"]["Paused"], true, "{}", i["State"]);
    assert_eq!(i["State"]["Status"], "paused");
    assert_eq!(i["State"]["Running"], true);
    let frozen = log_lines(&b, "counter");
    // Not a wait for readiness: the behaviour under test is that nothing happens for a while.
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        log_lines(&b, "counter"),
        frozen,
        "a paused counter does not advance"
    );
    b.run(&["pause", "counter"]).fails_with("already paused");
    b.run(&["exec", "counter", "true"]).fails_with("is paused");
    b.run(&["attach", "counter"]).fails_with("paused");
    // top still works on a paused container.
    assert!(b.run(&["top", "counter"]).ok().stdout.contains("sh -c"));
    assert_eq!(b.run(&["unpause", "counter"]).ok().stdout, "counter\n");
    b.run(&["unpause", "counter"]).fails_with("is not paused");
    wait_until(5, "counting again", || {
        log_lines(&b, "counter") > frozen + 3
    });
    let i = inspect(&b, "counter");
    assert_eq!(i["State"]["Paused"], false);
    assert_eq!(i["State"]["Status"], "running");
    // stop and kill work on a paused container (it is thawed to receive the signal).
    b.run(&["pause", "counter"]).ok();
    let t0 = Instant::now();
    b.run(&["stop", "-t", "1", "counter"]).ok();
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert_eq!(inspect(&b, "counter")["State"]["ExitCode"], 137);
    b.run(&["start", "counter"]).ok();
    b.run(&["pause", "counter"]).ok();
    // A signal other than the stop signal waits for unpause.
    b.run(&["kill", "-s", "USR1", "counter"]).ok();
    // Not a wait for readiness: the container must stay paused for a while.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(inspect(&b, "counter")["State"]["Status"], "paused");
    b.run(&["kill", "counter"]).ok();
    wait_until(10, "killed", || {
        inspect(&b, "counter")["State"]["Status"] == "exited"
    });
    b.run(&["pause", "counter"]).fails_with("is not running");
    b.run(&["rm", "counter"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn rm_f_of_a_paused_container_leaves_nothing() {
    let b = Berth::new();
    let id = run_detached(&b, "frozen", &["sleep", "300"]);
    b.run(&["exec", "-d", "frozen", "sleep", "301"]).ok();
    b.run(&["pause", "frozen"]).ok();
    assert!(
        Path::new(&format!("/sys/fs/cgroup/freezer/berth/{id}")).exists() || {
            Path::new(&format!("/sys/fs/cgroup/berth/{id}")).exists()
        }
    );
    let t0 = Instant::now();
    assert_eq!(b.run(&["rm", "-f", "frozen"]).ok().stdout, "frozen\n");
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
    assert_no_leftovers(&b, &[id]);
}

/// libcontainer's tenant builder (exec) keeps only the namespaces, cgroup path, personality and
/// time offsets of the container's `linux` section; berth's executor installs the container's
/// seccomp filter itself. Docker (runc) applies the container's profile to exec'd processes too,
/// without no_new_privs, and with the container's capabilities.
#[test]
fn exec_process_gets_the_containers_seccomp_filter() {
    let b = Berth::new();
    let id = run_detached(&b, "sec", &["sleep", "300"]);
    let s = b
        .run(&[
            "exec",
            "sec",
            "grep",
            "-E",
            SECURITY_FIELDS,
            "/proc/self/status",
        ])
        .ok()
        .stdout;
    assert_eq!(status_lines(&s), DEFAULT_SECURITY);
    let r = b.run(&["exec", "sec", "unshare", "-n", "true"]);
    assert_ne!(r.code, 0, "unshare must be refused in exec too");
    assert!(r.stderr.contains("not permitted"), "{}", r.stderr);
    b.run(&["rm", "-f", "sec"]).ok();
    assert_no_leftovers(&b, &[id]);
}
