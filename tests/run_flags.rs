//! The `run` flags Docker users rely on, seen from inside the container: resource limits (pids,
//! cpus, memory, ulimits), sysctl, user, workdir, entrypoint, env, hostname, tmpfs, read-only,
//! privileged, and seccomp (the default profile and one's own).

mod common;

use common::{Berth, DEFAULT_SECURITY, SECURITY_FIELDS, busybox, inspect, status_lines};
use serde_json::Value;

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
    // SAFETY: getrlimit fills the rlimit it is given.
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
// Correctness seen by new users

/// The container's `/` has the image's mode (Docker keeps it): an image whose root is 0555.
#[test]
fn the_image_root_mode_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let b = Berth::new();
    let img = busybox(&b);
    let id = b.run(&["create", &img]).ok().stdout.trim().to_string();
    let tar = b.dir.path().join("fs.tar");
    let o = b
        .command()
        .args(["export", "-o"])
        .arg(&tar)
        .arg(&id)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    b.run(&["rm", &id]).ok();
    let fs = b.dir.path().join("fs");
    std::fs::create_dir(&fs).unwrap();
    let untar = std::process::Command::new("tar")
        .arg("-C")
        .arg(&fs)
        .arg("-xf")
        .arg(&tar)
        .status()
        .unwrap();
    assert!(untar.success());
    std::fs::set_permissions(&fs, std::fs::Permissions::from_mode(0o555)).unwrap();
    let packed = b.dir.path().join("root555.tar");
    let pack = std::process::Command::new("tar")
        .arg("-C")
        .arg(&fs)
        .arg("-cf")
        .arg(&packed)
        .arg(".")
        .status()
        .unwrap();
    assert!(pack.success());
    std::fs::set_permissions(&fs, std::fs::Permissions::from_mode(0o755)).unwrap();
    b.run(&["import", packed.to_str().unwrap(), "root555"]).ok();
    let r = b
        .run(&["run", "--rm", "root555", "stat", "-c", "%a %u", "/"])
        .ok();
    assert_eq!(r.stdout.trim(), "555 0");
    let r = b.run(&["run", "--rm", &img, "stat", "-c", "%a", "/"]).ok();
    assert_eq!(r.stdout.trim(), "755");
}

/// A mount onto /proc (or inside it) or onto /sys would replace the container's procfs or
/// sysfs: refused as runc refuses it, before anything exists.
#[test]
fn mounts_over_proc_and_sys_are_refused() {
    let b = Berth::new();
    let img = busybox(&b);
    for (flag, dest, why) in [
        (
            "-v",
            "/etc:/proc",
            "\"/proc\" cannot be mounted because it is not of type proc",
        ),
        (
            "-v",
            "/etc:/proc/sys",
            "\"/proc/sys\" cannot be mounted because it is inside /proc",
        ),
        (
            "-v",
            "/etc:/sys",
            "\"/sys\" cannot be mounted because it is not of type sysfs",
        ),
        (
            "--tmpfs",
            "/proc",
            "\"/proc\" cannot be mounted because it is not of type proc",
        ),
    ] {
        let r = b.run(&["run", "--rm", flag, dest, &img, "true"]);
        assert_eq!(r.code, 125, "{dest}: {r:?}");
        assert_eq!(r.stderr.trim(), format!("berth: error: {why}"), "{dest}");
    }
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
    // The files lxcfs emulates may be covered.
    let r = b
        .run(&[
            "run",
            "--rm",
            "-v",
            "/etc/hostname:/proc/uptime:ro",
            &img,
            "cat",
            "/proc/uptime",
        ])
        .ok();
    assert_eq!(r.stdout, std::fs::read_to_string("/etc/hostname").unwrap());
}
