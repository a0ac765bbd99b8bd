//! `run --init`: berth's own binary as the container's PID 1 (static, so that it starts in
//! images without a libc). It reaps orphans that a command as PID 1 would leave as zombies,
//! passes exit codes through, and forwards the signals such a command would ignore.

mod common;

use std::time::{Duration, Instant};

use common::{Berth, busybox, inspect, wait_until};

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
    // A real-time signal too (SIGRTMIN is 34): init reaps with a status nix's cannot hold.
    let r = b.run(&["run", "--rm", "--init", &img, "sh", "-c", "kill -34 $$"]);
    assert_eq!(r.code, 162, "{}", r.stderr);
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
