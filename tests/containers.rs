//! Containers from the test bed images: run, output and exit codes, stdin, detached lifecycle,
//! logs, stop/kill/wait/rm, security defaults, limits, and cleanup.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Berth, assert_no_leftovers, busybox, image, inspect, process_exited, wait_until};
use serde_json::Value;

#[test]
fn run_streams_stdout_and_stderr_apart_and_returns_the_exit_code() {
    let b = Berth::new();
    let img = busybox(&b);
    let out = b.run(&[
        "run",
        "--rm",
        &img,
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.stdout, "out\n");
    assert_eq!(out.stderr, "err\n");
    assert!(
        b.run(&["ps", "-aq"]).ok().stdout.is_empty(),
        "--rm removed it"
    );
    assert_no_leftovers(&b, &[]);
}

#[test]
fn docker_exit_codes_for_missing_and_non_executable_commands() {
    let b = Berth::new();
    let img = busybox(&b);
    let fails = |args: &[&str], code: i32, why: &str| {
        let r = b.run(args);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(r.stderr.contains(why), "{args:?}: {}", r.stderr);
    };
    let not_found = "executable file not found in $PATH";
    // A path is not searched for: runc's "no such file or directory".
    fails(
        &["run", "--rm", &img, "/no/such/command"],
        127,
        "exec: \"/no/such/command\": stat /no/such/command: no such file or directory",
    );
    fails(&["run", "--rm", &img, "nosuchcmd"], 127, not_found);
    fails(
        &["run", "--rm", &img, "/etc/passwd"],
        126,
        "permission denied",
    );
    // Executable files that execve refuses: a missing interpreter (127), no known format (126).
    use std::os::unix::fs::PermissionsExt;
    for (name, text) in [
        ("interp", "#!/no/such/interpreter\n"),
        ("garbage", "\x01\x02\x03\n"),
    ] {
        let f = b.dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let bind = |name: &str| format!("{}:/{name}", b.dir.path().join(name).display());
    let (interp, garbage) = (bind("interp"), bind("garbage"));
    fails(
        &["run", "--rm", "-v", &interp, &img, "/interp"],
        127,
        "exec: \"/interp\": no such file or directory",
    );
    fails(
        &["run", "--rm", "-v", &garbage, &img, "/garbage"],
        126,
        "exec: \"/garbage\": exec format error",
    );
    // --rm runs that failed left nothing behind.
    assert!(b.store_entries("containers").is_empty());
    // Without --rm, a run that cannot start keeps the container as Created (Docker's), and
    // `start` can retry it.
    let r = b.run(&["run", "--name", "failed", &img, "nosuchcmd"]);
    assert_eq!(r.code, 127, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let ps = b
        .run(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"])
        .ok();
    assert_eq!(ps.stdout.trim(), "failed Created", "{}", ps.stdout);
    let i = &common::inspect(&b, "failed");
    assert_eq!(i["State"]["Status"], "created");
    assert_eq!(i["State"]["ExitCode"], 127);
    let r = b.run(&["start", "failed"]);
    assert_eq!(r.code, 127, "{}", r.stderr);
    assert_eq!(b.run(&["wait", "failed"]).ok().stdout.trim(), "127");
    b.run(&["rm", "failed"]).ok();
    // create + start keeps the container, as Docker does.
    b.run(&["create", "--name", "kept", &img, "nosuchcmd"]).ok();
    let r = b.run(&["start", "kept"]);
    assert_eq!(r.code, 127, "{}", r.stderr);
    let i: Value = serde_json::from_str(&b.run(&["inspect", "kept"]).ok().stdout).unwrap();
    assert_eq!(i[0]["State"]["ExitCode"], 127);
    assert!(
        i[0]["State"]["Error"]
            .as_str()
            .unwrap()
            .contains("executable file not found")
    );
    b.run(&["rm", "kept"]).ok();
    assert_no_leftovers(&b, &[]);
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
}

#[test]
fn stdin_is_forwarded_and_eof_ends_cat() {
    let b = Berth::new();
    let img = busybox(&b);
    let out = b
        .run_stdin(&["run", "--rm", "-i", &img, "cat"], "line one\nline two\n")
        .ok();
    assert_eq!(out.stdout, "line one\nline two\n");
}

#[test]
fn detached_lifecycle_ps_logs_stop_inspect_rm() {
    let b = Berth::new();
    let img = busybox(&b);
    let out = b
        .run(&[
            "run",
            "-d",
            "--name",
            "web",
            &img,
            "sh",
            "-c",
            "echo hello; echo oops >&2; sleep 300",
        ])
        .ok();
    let id = out.stdout.trim().to_string();
    assert_eq!(id.len(), 64, "{}", out.stdout);
    let ps = b.run(&["ps"]).ok();
    let lines = ps.lines();
    assert!(
        lines[0].starts_with("CONTAINER ID") && lines[0].ends_with("NAMES"),
        "{}",
        ps.stdout
    );
    assert!(
        lines[1].starts_with(&id[..12]) && lines[1].contains("Up ") && lines[1].ends_with("web"),
        "{}",
        ps.stdout
    );
    // Logs (both streams, kept apart).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let l = b.run(&["logs", "web"]).ok();
        if l.stdout == "hello\n" && l.stderr == "oops\n" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "logs: {:?} {:?}",
            l.stdout,
            l.stderr
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let i = inspect(&b, "web");
    assert_eq!(i["Id"], id.as_str());
    assert_eq!(i["Name"], "/web");
    assert_eq!(i["State"]["Status"], "running");
    assert_eq!(i["State"]["Running"], true);
    assert!(i["State"]["Pid"].as_i64().unwrap() > 0);
    // rm refuses a running container.
    b.run(&["rm", "web"]).fails_with("container is running");
    // sh as PID 1 ignores SIGTERM: stop waits -t 1 second, then kills.
    let t0 = Instant::now();
    assert_eq!(b.run(&["stop", "-t", "1", "web"]).ok().stdout.trim(), "web");
    assert!(t0.elapsed() >= Duration::from_millis(900));
    let i = inspect(&b, &id[..12]);
    assert_eq!(i["State"]["Status"], "exited");
    assert_eq!(i["State"]["ExitCode"], 137);
    let ps = b.run(&["ps", "-a"]).ok();
    assert!(ps.stdout.contains("Exited (137)"), "{}", ps.stdout);
    assert!(b.run(&["ps", "-q"]).ok().stdout.is_empty());
    b.run(&["rm", "web"]).ok();
    b.run(&["inspect", "web"]).fails_with("No such object: web");
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn wait_kill_and_restart_policies() {
    let b = Berth::new();
    let img = busybox(&b);
    let id = b
        .run(&["run", "-d", &img, "sh", "-c", "exit 5"])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(b.run(&["wait", &id]).ok().stdout.trim(), "5");
    // A container that traps `signal` and exits with `code`, its trap in place.
    let trapping = |signal: &str, code: u8| {
        let script =
            format!("trap 'exit {code}' {signal}; echo trapped; while true; do sleep 0.1; done");
        let id = b
            .run(&["run", "-d", &img, "sh", "-c", &script])
            .ok()
            .stdout
            .trim()
            .to_string();
        wait_until(10, "the trap", || {
            b.run(&["logs", &id]).ok().stdout == "trapped\n"
        });
        id
    };
    // kill -s with a trap.
    let id2 = trapping("USR1", 42);
    b.run(&["kill", "-s", "USR1", &id2]).ok();
    assert_eq!(b.run(&["wait", &id2]).ok().stdout.trim(), "42");
    b.run(&["kill", &id2]).fails_with("is not running");
    // A real-time signal reaches the container too (SIGRTMIN is 34).
    let id_rt = trapping("34", 43);
    b.run(&["kill", "-s", "RTMIN", &id_rt]).ok();
    wait_until(10, "the container to end on RTMIN", || {
        b.run(&["inspect", "-f", "{{.State.Status}}", &id_rt])
            .ok()
            .stdout
            .trim()
            == "exited"
    });
    assert_eq!(b.run(&["wait", &id_rt]).ok().stdout.trim(), "43");
    // on-failure:2 restarts twice, then stays exited.
    let id3 = b
        .run(&[
            "run",
            "-d",
            "--restart",
            "on-failure:2",
            &img,
            "sh",
            "-c",
            "exit 1",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let i = inspect(&b, &id3);
        if i["State"]["Status"] == "exited" && i["RestartCount"] == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "{i}");
        std::thread::sleep(Duration::from_millis(100));
    }
    b.run(&["rm", &id, &id2, &id3]).ok();
    assert_no_leftovers(&b, &[id, id2, id3]);
}

#[test]
fn docker_security_defaults_inside_the_container() {
    let b = Berth::new();
    let img = busybox(&b);
    let s = b
        .run(&["run", "--rm", &img, "cat", "/proc/self/status"])
        .ok()
        .stdout;
    let field = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        field("CapEff:"),
        "00000000a80425fb",
        "Docker's 14 capabilities"
    );
    assert_eq!(field("CapBnd:"), "00000000a80425fb");
    assert_eq!(field("Seccomp:"), "2", "seccomp filter mode");
    // Masked and read-only paths, read-only /sys.
    let r = b.run(&[
        "run",
        "--rm",
        &img,
        "sh",
        "-c",
        "cat /proc/kcore | wc -c; touch /sys/x; echo 1 > /proc/sys/kernel/domainname",
    ]);
    assert_eq!(r.stdout.trim(), "0", "{}", r.stderr);
    assert!(r.stderr.contains("Read-only file system"), "{}", r.stderr);
    // The default seccomp policy refuses new namespaces without CAP_SYS_ADMIN.
    let r = b.run(&["run", "--rm", &img, "unshare", "-U", "-n", "true"]);
    assert_ne!(r.code, 0, "unshare must be refused: {}", r.stdout);
    assert!(r.stderr.contains("not permitted"), "{}", r.stderr);
    // PID namespace: the command is PID 1.
    assert_eq!(
        b.run(&["run", "--rm", &img, "sh", "-c", "echo $$"])
            .ok()
            .stdout
            .trim(),
        "1"
    );
    // --read-only root.
    let r = b.run(&["run", "--rm", "--read-only", &img, "touch", "/x"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Read-only file system"), "{}", r.stderr);
    // --cap-drop ALL.
    let s = b
        .run(&[
            "run",
            "--rm",
            "--cap-drop",
            "ALL",
            &img,
            "grep",
            "CapEff",
            "/proc/self/status",
        ])
        .ok()
        .stdout;
    assert!(s.contains("0000000000000000"), "{s}");
}

#[test]
fn memory_limit_oom_kills_with_137_and_inspect_says_so() {
    let b = Berth::new();
    let img = busybox(&b);
    common::assert_oom_kill(&b, &img, |args| b.run(args));
}

#[test]
fn bad_input_leaves_nothing_behind() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["run", "--memory", "lots", &img, "true"])
        .fails_with("invalid size");
    b.run(&["run", "--restart", "sometimes", &img, "true"])
        .fails_with("invalid restart policy");
    b.run(&["run", "--name", "bad name", &img, "true"])
        .fails_with("Invalid container name");
    b.run(&["run", "--cap-add", "NOPE", &img, "true"])
        .fails_with("NOPE");
    b.run(&["run", "--sysctl", "kernel.hostname=x", &img, "true"])
        .fails_with("kernel.hostname");
    // Like Docker, berth says it will pull, then why it could not.
    let r = b.run(&["run", &image("nosuch/image"), "true"]);
    assert_eq!(r.code, 125);
    assert!(
        r.stderr.starts_with(&format!(
            "Unable to find image '{}' locally\n",
            image("nosuch/image")
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.lines().nth(1).unwrap().contains("not found"),
        "{}",
        r.stderr
    );
    b.run(&["create", "--name", "dup", &img]).ok();
    b.run(&["create", "--name", "dup", &img])
        .fails_with("is already in use");
    // `run` spawns the container's monitor before it creates the container: a failed create
    // leaves no monitor process and none of its directories.
    b.run(&["run", "--name", "dup", &img, "true"])
        .fails_with("is already in use");
    let root = b.root().to_string_lossy().into_owned();
    let monitors: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains("container-monitor") && c.contains(&root))
        .collect();
    assert!(monitors.is_empty(), "{monitors:?}");
    // (The first dup was created, never started: it has no run directory.)
    let runs: Vec<_> = std::fs::read_dir(b.runroot().join("containers"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(runs.is_empty(), "{runs:?}");
    let all = b.run(&["ps", "-aq"]).ok();
    assert_eq!(
        all.lines().len(),
        1,
        "only the first dup exists: {}",
        all.stdout
    );
    b.run(&["rm", "dup"]).ok();
    b.run(&["rm", "nosuch"])
        .fails_with("No such container: nosuch");
    // An image in use cannot be removed without -f.
    b.run(&["create", "--name", "user", &img]).ok();
    b.run(&["rmi", &img])
        .fails_with("is using its referenced image");
    b.run(&["rm", "user"]).ok();
    assert!(b.store_entries("containers").is_empty());
}

#[test]
fn sigkill_of_the_monitor_is_noticed_and_rm_cleans_up() {
    let b = Berth::new();
    let img = busybox(&b);
    let id = b
        .run(&["run", "-d", &img, "sleep", "300"])
        .ok()
        .stdout
        .trim()
        .to_string();
    let i = inspect(&b, &id);
    let pid = i["State"]["Pid"].as_i64().unwrap();
    // The monitor is the container's parent.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let ppid: i32 = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(ppid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    wait_until(10, "ps to show the container exited", || {
        b.run(&["ps", "-a", "--format", "{{.State}}"])
            .ok()
            .stdout
            .trim()
            == "exited"
    });
    b.run(&["rm", &id]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn twenty_parallel_detached_runs_then_rm_f_leave_nothing() {
    let b = Berth::new();
    let img = busybox(&b);
    let children: Vec<_> = (0..20)
        .map(|_| {
            b.command()
                .args(["run", "-d", &img, "sleep", "300"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ids = Vec::new();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        ids.push(String::from_utf8_lossy(&o.stdout).trim().to_string());
    }
    assert_eq!(b.run(&["ps", "-q"]).ok().lines().len(), 20);
    let mut args = vec!["rm", "-f"];
    args.extend(ids.iter().map(String::as_str));
    b.run(&args).ok();
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
    assert_no_leftovers(&b, &ids);
}

#[test]
fn containers_run_from_images_with_many_layers() {
    let b = Berth::new();
    b.pull("many-layers:latest");
    let out = b
        .run(&[
            "run",
            "--rm",
            &image("many-layers"),
            "sh",
            "-c",
            "cat /layers/00 /layers/69; ls /layers | wc -l",
        ])
        .ok();
    assert_eq!(out.stdout, "layer 0\nlayer 69\n70\n");
}

/// A reboot, as far as berth can tell: every process gone, the run root and cgroups empty.
fn simulate_reboot(b: &Berth, ids: &[String]) {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let mut killed = Vec::new();
    for id in ids {
        let i = inspect(b, id);
        let pid = i["State"]["Pid"].as_i64().unwrap_or(0) as i32;
        if pid > 0 {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let ppid: i32 = stat
                .rsplit_once(')')
                .and_then(|(_, r)| r.split_whitespace().nth(1).map(|p| p.parse().unwrap_or(0)))
                .unwrap_or(0);
            for p in [ppid, pid] {
                if p > 1 {
                    let _ = kill(Pid::from_raw(p), Signal::SIGKILL);
                    killed.push(p);
                }
            }
        }
    }
    wait_until(10, "the monitors and containers to die", || {
        killed.iter().all(|&p| process_exited(p))
    });
    let run = b.runroot();
    let _ = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "grep -o ' {0}[^ ]*' /proc/self/mountinfo | xargs -r -n1 umount -l; rm -rf {0}",
            run.display()
        ))
        .status();
    for id in ids {
        for ctrl in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
            let _ = std::fs::remove_dir(ctrl.path().join("berth").join(id));
        }
    }
}

#[test]
fn after_a_reboot_running_containers_show_exited_and_start_all_restarts_the_right_ones() {
    let b = Berth::new();
    let img = busybox(&b);
    let run = |policy: &str| {
        b.run(&["run", "-d", "--restart", policy, &img, "sleep", "300"])
            .ok()
            .stdout
            .trim()
            .to_string()
    };
    let always = run("always");
    let unless = run("unless-stopped");
    let no = run("no");
    let stopped = run("unless-stopped");
    b.run(&["stop", "-t", "0", &stopped]).ok();
    simulate_reboot(&b, &[always.clone(), unless.clone(), no.clone()]);
    let states = b
        .run(&["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}}"])
        .ok();
    for id in [&always, &unless, &no, &stopped] {
        assert!(
            states.stdout.contains(&format!("{id} exited")),
            "{}",
            states.stdout
        );
    }
    let started = b.run(&["start", "--all"]).ok();
    assert_eq!(started.lines().len(), 2, "{}", started.stdout);
    let running = b.run(&["ps", "-q", "--no-trunc"]).ok().stdout;
    assert!(
        running.contains(&always) && running.contains(&unless),
        "{running}"
    );
    assert!(
        !running.contains(&no) && !running.contains(&stopped),
        "{running}"
    );
    b.run(&["rm", "-f", &always, &unless, &no, &stopped]).ok();
    assert_no_leftovers(&b, &[always, unless, no, stopped]);
}

/// The mount options of the overlay at the container's root, from /proc/self/mountinfo.
fn rootfs_mount_options(b: &Berth, id: &str) -> String {
    let target = b
        .runroot()
        .join("containers")
        .join(&id[..16])
        .join("rootfs");
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    info.lines()
        .find(|l| l.split(' ').nth(4) == Some(&*target.to_string_lossy()))
        .unwrap_or_else(|| panic!("{} is not mounted", target.display()))
        .to_string()
}

/// A `--rm` container's writable layer is mounted `volatile` (never synced, as Podman does);
/// `restart` keeps a `--rm` container and its files (as Docker does), which needs the layer
/// mounted again; after a crash the layer may have lost writes: `start` says so and the
/// container goes.
#[test]
fn rm_containers_have_a_volatile_layer_that_survives_restart_but_not_a_crash() {
    let b = Berth::new();
    let img = busybox(&b);
    let detached = |rm: bool| {
        let mut args = vec!["run", "-d", "--network", "none"];
        if rm {
            args.push("--rm");
        }
        args.extend([img.as_str(), "sh", "-c", "echo x >>/f; exec sleep 300"]);
        b.run(&args).ok().stdout.trim().to_string()
    };
    let kept = detached(false);
    let rm = detached(true);
    // Linux 6.18 shows `fsync=volatile`, older kernels `volatile`.
    assert!(!rootfs_mount_options(&b, &kept).contains("volatile"));
    let opts = rootfs_mount_options(&b, &rm);
    assert!(opts.contains("volatile"), "{opts}");
    // The command appends a line to /f each time it starts.
    let lines_of_f = |n: usize| {
        wait_until(10, &format!("{n} line(s) in /f"), || {
            b.run(&["exec", &rm, "cat", "/f"]).stdout == "x\n".repeat(n)
        })
    };
    lines_of_f(1);
    assert_eq!(b.run(&["restart", "-t", "0", &rm]).ok().stdout.trim(), rm);
    assert!(rootfs_mount_options(&b, &rm).contains("volatile"));
    // The layer is kept across restart.
    lines_of_f(2);
    b.run(&["rm", "-f", &kept]).ok();
    // A crash: the overlay goes without berth unmounting it.
    simulate_reboot(&b, std::slice::from_ref(&rm));
    let ps = b
        .run(&["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}}"])
        .ok();
    assert!(ps.stdout.contains(&format!("{rm} exited")), "{}", ps.stdout);
    let mark = b
        .root()
        .join("containers")
        .join(&rm)
        .join("work/work/incompat/volatile");
    assert!(mark.exists(), "{} (the kernel's mark)", mark.display());
    b.run(&["start", &rm]).fails_with("was never unmounted");
    b.run(&["inspect", &rm]).fails_with("No such object");
    assert_no_leftovers(&b, &[kept, rm]);
}

/// Relative --root and --runroot are taken from the working directory: the monitor, which
/// works from `/`, gets them absolute.
#[test]
fn relative_root_and_runroot() {
    let b = Berth::new();
    let img = busybox(&b);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .current_dir(b.dir.path())
        .args(["--root", "root", "--runroot", "run", "run", "--rm"])
        .args(["--network", "none", &img, "echo", "ok"])
        .env_remove("BERTH_ROOT")
        .env_remove("BERTH_RUNROOT")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n", "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
    assert!(b.store_entries("containers").is_empty());
}

/// `run` pulls a missing image (and with `--pull always`, pulls anyway) before it creates the
/// container; the monitor it spawned at the start is replaced after a pull.
#[test]
fn run_pulls_a_missing_image_then_runs_it() {
    let b = Berth::new();
    let img = image("busybox");
    let r = b.run(&["run", "--rm", "--network", "none", &img, "echo", "ok"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "ok\n"), "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with(&format!("Unable to find image '{img}' locally")),
        "{}",
        r.stderr
    );
    let r = b.run(&[
        "run",
        "--rm",
        "--pull",
        "always",
        "--network",
        "none",
        &img,
        "echo",
        "again",
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "again\n"), "{}", r.stderr);
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
    assert!(b.store_entries("containers").is_empty());
    assert_no_leftovers(&b, &[]);
}
