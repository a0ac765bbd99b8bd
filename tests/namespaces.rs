//! Namespaces, devices and the cgroup flags of `run`/`create`, seen from inside the container:
//! `--ipc`, `--pid`, `--uts`, `--cgroupns`, `--device`, `--device-cgroup-rule`, `--gpus`,
//! `--shm-size`, `--group-add`, `--cgroup-parent`, `--domainname`, `--memory-reservation`,
//! `--oom-kill-disable`, `--oom-score-adj`, `--security-opt systempaths|label|apparmor`; and
//! the same through the Engine API (the docker CLI).

mod common;

use common::{Berth, Service, busybox, cannot_run_here, inspect, wait_until};

/// This process's namespace of `kind` (`pid`, `ipc`, …): the host's.
fn host_ns(kind: &str) -> String {
    std::fs::read_link(format!("/proc/self/ns/{kind}"))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn ns_in(b: &Berth, img: &str, flags: &[&str], kind: &str) -> String {
    let link = format!("/proc/self/ns/{kind}");
    let mut args = vec!["run", "--rm"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&[img, "readlink", &link]);
    b.run(&args).ok().stdout.trim().to_string()
}

#[test]
fn host_namespaces_are_the_hosts() {
    let b = Berth::new();
    let img = busybox(&b);
    for kind in ["pid", "ipc", "uts", "cgroup"] {
        let flag = if kind == "cgroup" {
            "--cgroupns".to_string()
        } else {
            format!("--{kind}")
        };
        assert_eq!(
            ns_in(&b, &img, &[&flag, "host"], kind),
            host_ns(kind),
            "{kind}"
        );
        assert_ne!(ns_in(&b, &img, &[], kind), host_ns(kind), "{kind}");
    }
    assert_ne!(
        ns_in(&b, &img, &["--cgroupns", "private"], "cgroup"),
        host_ns("cgroup")
    );
    // --pid host: the host's processes are seen; --uts host: the host's name.
    let r = b
        .run(&["run", "--rm", "--pid", "host", &img, "cat", "/proc/1/comm"])
        .ok();
    let host_init = std::fs::read_to_string("/proc/1/comm").unwrap();
    assert_eq!(r.stdout, host_init);
    let r = b
        .run(&["run", "--rm", "--uts", "host", &img, "hostname"])
        .ok();
    let host_name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(r.stdout.trim(), host_name.trim());
    // --ipc host: the host's /dev/shm.
    let marker = format!("/dev/shm/berth-test-{}", std::process::id());
    std::fs::write(&marker, "shared\n").unwrap();
    let r = b
        .run(&["run", "--rm", "--ipc", "host", &img, "cat", &marker])
        .ok();
    std::fs::remove_file(&marker).unwrap();
    assert_eq!(r.stdout, "shared\n");
    // Refusals, before anything exists.
    for (flags, why) in [
        (vec!["--ipc", "bogus"], "--ipc: invalid IPC mode"),
        (vec!["--pid", "private"], "--pid: invalid PID mode"),
        (vec!["--uts", "container:x"], "--uts: invalid UTS mode"),
        (
            vec!["--cgroupns", "shared"],
            "--cgroupns: invalid CGROUP mode",
        ),
        (
            vec!["--uts", "host", "-h", "named"],
            "conflicting options: hostname and the UTS mode",
        ),
        (vec!["--ipc", "container:nosuch"], "nosuch"),
    ] {
        let mut args = vec!["create"];
        args.extend_from_slice(&flags);
        args.push(&img);
        let r = b.run(&args);
        assert_eq!(r.code, 125, "{flags:?}: {r:?}");
        assert!(r.stderr.contains(why), "{flags:?}: {}", r.stderr);
    }
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
}

#[test]
fn ipc_and_pid_of_another_container_are_joined() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "peer",
        "--ipc",
        "shareable",
        &img,
        "sh",
        "-c",
        "echo ready; exec sleep 300",
    ])
    .ok();
    wait_until(10, "peer ready", || {
        b.run(&["logs", "peer"]).stdout.contains("ready")
    });
    let peer_ns = |kind: &str| {
        b.run(&["exec", "peer", "readlink", &format!("/proc/self/ns/{kind}")])
            .ok()
            .stdout
            .trim()
            .to_string()
    };
    // (Its /dev/shm is shared too: tests/network_flags.rs.)
    assert_eq!(
        ns_in(&b, &img, &["--ipc", "container:peer"], "ipc"),
        peer_ns("ipc")
    );
    let r = b
        .run(&[
            "run",
            "--rm",
            "--pid",
            "container:peer",
            &img,
            "ps",
            "-o",
            "args",
        ])
        .ok();
    assert!(r.stdout.contains("sleep 300"), "{}", r.stdout);
    assert_eq!(
        ns_in(&b, &img, &["--pid", "container:peer"], "pid"),
        peer_ns("pid")
    );
    // A peer that is not running cannot be joined; the container stays Created.
    b.run(&["stop", "-t", "0", "peer"]).ok();
    let r = b.run(&[
        "run",
        "--name",
        "late",
        "--ipc",
        "container:peer",
        &img,
        "true",
    ]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.stderr
            .contains("cannot join IPC of a non running container: peer"),
        "{}",
        r.stderr
    );
    assert_eq!(
        inspect(&b, "late")["HostConfig"]["IpcMode"],
        "container:peer"
    );
    b.run(&["rm", "-f", "late", "peer"]).ok();
}

#[test]
fn devices_are_created_and_allowed() {
    let b = Berth::new();
    let img = busybox(&b);
    let r = b
        .run(&[
            "run",
            "--rm",
            "--device",
            "/dev/null:/dev/mynull:rw",
            &img,
            "sh",
            "-c",
            "ls -l /dev/mynull; echo x > /dev/mynull && echo written",
        ])
        .ok();
    let lines = r.lines();
    assert!(lines[0].starts_with("crw-rw-rw-"), "{}", r.stdout);
    assert!(lines[0].contains(" 1,   3 "), "{}", r.stdout);
    assert_eq!(lines[1], "written");
    // Read-only: the cgroup refuses to open it for writing (loop-control, 10:237, is not
    // among the devices every container may use).
    let write = "echo x > /dev/lc";
    let r = b.run(&[
        "run",
        "--rm",
        "--device",
        "/dev/loop-control:/dev/lc:r",
        &img,
        "sh",
        "-c",
        write,
    ]);
    assert!(r.stderr.contains("Operation not permitted"), "{r:?}");
    let r = b.run(&[
        "run",
        "--rm",
        "--device",
        "/dev/loop-control:/dev/lc:rw",
        &img,
        "sh",
        "-c",
        write,
    ]);
    assert!(!r.stderr.contains("Operation not permitted"), "{r:?}");
    // --device-cgroup-rule: a node made in the container becomes usable.
    let script = "mknod /tmp/lc c 10 237; echo x > /tmp/lc";
    let r = b.run(&["run", "--rm", &img, "sh", "-c", script]);
    assert!(r.stderr.contains("Operation not permitted"), "{r:?}");
    let r = b.run(&[
        "run",
        "--rm",
        "--device-cgroup-rule",
        "c 10:237 rwm",
        &img,
        "sh",
        "-c",
        script,
    ]);
    assert!(!r.stderr.contains("Operation not permitted"), "{r:?}");
    // Refusals.
    for (flag, value, why) in [
        (
            "--device",
            "/dev/nope",
            "error gathering device information while adding custom device \"/dev/nope\": no such file or directory",
        ),
        ("--device", "/etc/passwd", "not a device node"),
        ("--device", "/dev/null:/x:rwx", "invalid device mode: rwx"),
        (
            "--device-cgroup-rule",
            "c 1:3",
            "invalid device cgroup format 'c 1:3'",
        ),
        (
            "--gpus",
            "all",
            "could not select device driver \"\" with capabilities: [[gpu]]",
        ),
    ] {
        let r = b.run(&["create", flag, value, &img]);
        assert_eq!(r.code, 125, "{value}: {r:?}");
        assert!(r.stderr.contains(why), "{value}: {}", r.stderr);
    }
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
    let i = inspect_created(&b, &img, &["--device", "/dev/null:/dev/n2:r"]);
    assert_eq!(
        i["HostConfig"]["Devices"][0],
        serde_json::json!({"PathOnHost": "/dev/null", "PathInContainer": "/dev/n2", "CgroupPermissions": "r"})
    );
}

fn inspect_created(b: &Berth, img: &str, flags: &[&str]) -> serde_json::Value {
    let mut args = vec!["create"];
    args.extend_from_slice(flags);
    args.push(img);
    let id = b.run(&args).ok().stdout.trim().to_string();
    let v = inspect(b, &id);
    b.run(&["rm", &id]).ok();
    v
}

#[test]
fn shm_groups_domainname_and_security_opts() {
    let b = Berth::new();
    let img = busybox(&b);
    let r = b
        .run(&[
            "run",
            "--rm",
            "--shm-size",
            "128m",
            &img,
            "df",
            "-k",
            "/dev/shm",
        ])
        .ok();
    assert!(
        r.lines()[1].split_whitespace().nth(1) == Some("131072"),
        "{}",
        r.stdout
    );
    let r = b.run(&["run", "--rm", &img, "df", "-k", "/dev/shm"]).ok();
    assert!(
        r.lines()[1].split_whitespace().nth(1) == Some("65536"),
        "{}",
        r.stdout
    );
    let r = b.run(&["run", "--rm", "--ipc", "none", &img, "ls", "/dev/shm"]);
    assert_ne!(r.code, 0, "{r:?}");
    let r = b
        .run(&[
            "run",
            "--rm",
            "--group-add",
            "10",
            "--group-add",
            "1234",
            &img,
            "id",
            "-G",
        ])
        .ok();
    let groups: Vec<&str> = r.stdout.split_whitespace().collect();
    assert!(
        groups.contains(&"10") && groups.contains(&"1234"),
        "{}",
        r.stdout
    );
    let r = b.run(&["run", "--rm", "--group-add", "nosuchgroup", &img, "true"]);
    assert_eq!(r.code, 125);
    assert!(
        r.stderr.contains("unable to find group nosuchgroup"),
        "{}",
        r.stderr
    );
    let r = b
        .run(&[
            "run",
            "--rm",
            "--domainname",
            "example.org",
            &img,
            "cat",
            "/proc/sys/kernel/domainname",
        ])
        .ok();
    assert_eq!(r.stdout.trim(), "example.org");
    // systempaths=unconfined: no masked paths (/proc/keys is masked by default).
    let count = "grep -c ' /proc/keys ' /proc/mounts || true";
    let r = b.run(&["run", "--rm", &img, "sh", "-c", count]).ok();
    assert_eq!(r.stdout.trim(), "1");
    let r = b
        .run(&[
            "run",
            "--rm",
            "--security-opt",
            "systempaths=unconfined",
            &img,
            "sh",
            "-c",
            count,
        ])
        .ok();
    assert_eq!(r.stdout.trim(), "0");
    // No SELinux or AppArmor here: their options are accepted (as Docker does).
    b.run(&[
        "run",
        "--rm",
        "--security-opt",
        "label=disable",
        "--security-opt",
        "label=type:container_t",
        "--security-opt",
        "apparmor=unconfined",
        &img,
        "true",
    ])
    .ok();
    let r = b.run(&["run", "--rm", "--security-opt", "label=bogus", &img, "true"]);
    assert_eq!(r.code, 125);
    assert!(r.stderr.contains("invalid --security-opt"), "{}", r.stderr);
}

/// The container's memory cgroup file `v1` (under /sys/fs/cgroup/memory) or `v2`.
fn memory_file(v1: &str, v2: &str) -> String {
    format!("cat /sys/fs/cgroup/memory/{v1} 2>/dev/null || cat /sys/fs/cgroup/{v2}")
}

#[test]
fn memory_reservation_oom_flags_and_cgroup_parent() {
    let b = Berth::new();
    let img = busybox(&b);
    let r = b
        .run(&[
            "run",
            "--rm",
            "--memory-reservation",
            "64m",
            &img,
            "sh",
            "-c",
            &memory_file("memory.soft_limit_in_bytes", "memory.low"),
        ])
        .ok();
    assert_eq!(r.stdout.trim(), "67108864");
    let r = b.run(&["run", "--rm", "--memory-reservation", "1k", &img, "true"]);
    assert_eq!(r.code, 125);
    assert!(
        r.stderr
            .contains("Minimum memory reservation allowed is 6MB"),
        "{}",
        r.stderr
    );
    if std::path::Path::new("/sys/fs/cgroup/memory/memory.oom_control").exists() {
        let r = b
            .run(&[
                "run",
                "--rm",
                "-m",
                "64m",
                "--oom-kill-disable",
                &img,
                "cat",
                "/sys/fs/cgroup/memory/memory.oom_control",
            ])
            .ok();
        assert!(r.stdout.contains("oom_kill_disable 1"), "{}", r.stdout);
    } else {
        cannot_run_here(
            "memory_reservation_oom_flags_and_cgroup_parent",
            "--oom-kill-disable: no cgroup v1 memory.oom_control",
        );
    }
    let r = b
        .run(&[
            "run",
            "--rm",
            "--oom-score-adj",
            "500",
            &img,
            "cat",
            "/proc/self/oom_score_adj",
        ])
        .ok();
    assert_eq!(r.stdout.trim(), "500");
    let r = b.run(&["run", "--rm", "--oom-score-adj", "1001", &img, "true"]);
    assert_eq!(r.code, 125);
    assert!(
        r.stderr
            .contains("Invalid value 1001, range for oom score adj is [-1000, 1000]"),
        "{}",
        r.stderr
    );
    // A negative value needs CAP_SYS_RESOURCE: used if berth has it, else refused clearly.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let bounding = status
        .lines()
        .find_map(|l| l.strip_prefix("CapBnd:"))
        .map(|v| u64::from_str_radix(v.trim(), 16).unwrap())
        .unwrap();
    let r = b.run(&[
        "run",
        "--rm",
        "--oom-score-adj",
        "-500",
        &img,
        "cat",
        "/proc/self/oom_score_adj",
    ]);
    if bounding & (1 << 24) != 0 {
        assert_eq!(r.ok().stdout.trim(), "-500");
    } else {
        assert_eq!(r.code, 125);
        assert!(r.stderr.contains("needs CAP_SYS_RESOURCE"), "{}", r.stderr);
    }
    // --cgroup-parent: the container's cgroup is PARENT/ID.
    let parent = format!("berth-test-parent-{}", std::process::id());
    let id = b
        .run(&[
            "run",
            "-d",
            "--cgroup-parent",
            &parent,
            &img,
            "sleep",
            "300",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    let v1 = std::path::Path::new("/sys/fs/cgroup/pids")
        .join(&parent)
        .join(&id);
    let v2 = std::path::Path::new("/sys/fs/cgroup")
        .join(&parent)
        .join(&id);
    assert!(
        v1.is_dir() || v2.is_dir(),
        "no cgroup {} or {}",
        v1.display(),
        v2.display()
    );
    assert_eq!(
        inspect(&b, &id)["HostConfig"]["CgroupParent"],
        parent.as_str()
    );
    b.run(&["rm", "-f", &id]).ok();
    // The parent stays (as Docker's does): removed here.
    for h in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
        let _ = std::fs::remove_dir(h.path().join(&parent));
    }
    let _ = std::fs::remove_dir(std::path::Path::new("/sys/fs/cgroup").join(&parent));
}

/// The same flags through the Engine API: the docker CLI's HostConfig.
#[test]
fn the_api_takes_devices_namespaces_and_limits() {
    let b = Berth::new();
    let img = busybox(&b);
    let s = Service::start(&b);
    let r = s
        .run_docker(&[
            "run",
            "--rm",
            "--device",
            "/dev/null:/dev/apinull",
            "--shm-size",
            "96m",
            "--group-add",
            "4321",
            "--oom-score-adj",
            "300",
            "--pid",
            "host",
            "--memory-reservation",
            "32m",
            "--domainname",
            "api.example",
            &img,
            "sh",
            "-c",
            "ls -l /dev/apinull; df -k /dev/shm | tail -1; id -G; cat /proc/self/oom_score_adj; \
             readlink /proc/self/ns/pid; cat /proc/sys/kernel/domainname",
        ])
        .ok();
    let lines = r.lines();
    assert!(lines[0].starts_with("crw"), "{}", r.stdout);
    assert_eq!(
        lines[1].split_whitespace().nth(1),
        Some("98304"),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].split_whitespace().any(|g| g == "4321"),
        "{}",
        r.stdout
    );
    assert_eq!(lines[3], "300");
    assert_eq!(lines[4], host_ns("pid"));
    assert_eq!(lines[5], "api.example");
    let r = s.run_docker(&["run", "--rm", "--gpus", "all", &img, "true"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.stderr.contains("could not select device driver"),
        "{}",
        r.stderr
    );
}
