//! The spec builder's tests: Docker's defaults, flags and host facts against the spec.

use super::host::cgroup_v1_mounts;
use super::*;
use std::fs;
use std::path::Path;

use serde_json::json;

const ID: &str = "4f1e3c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

fn rootfs() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    fs::create_dir(d.path().join("etc")).unwrap();
    fs::write(
        d.path().join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nredis:x:999:999::/data:/bin/false\n",
    )
    .unwrap();
    fs::write(
        d.path().join("etc/group"),
        "root:x:0:\nwheel:x:10:root\nredis:x:999:\n",
    )
    .unwrap();
    d
}

fn image() -> serde_json::Value {
    json!({
        "Entrypoint": ["docker-entrypoint.sh"],
        "Cmd": ["redis-server"],
        "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "REDIS_VERSION=7.0", "GOSU=1.16"],
        "WorkingDir": "/data",
        "StopSignal": "SIGINT"
    })
}

struct T {
    _dir: tempfile::TempDir,
    ctx: SpecContext,
}

fn t() -> T {
    let dir = rootfs();
    let ctx = SpecContext::for_tests(ID, dir.path().to_path_buf());
    T { _dir: dir, ctx }
}

fn spec(img: &serde_json::Value, run: &RunConfig) -> Spec {
    let t = t();
    build(img, run, &t.ctx).unwrap()
}

fn err(img: &serde_json::Value, run: &RunConfig) -> String {
    let t = t();
    build(img, run, &t.ctx).unwrap_err().to_string()
}

fn args(img: &serde_json::Value, run: &RunConfig) -> Vec<String> {
    spec(img, run)
        .process()
        .as_ref()
        .unwrap()
        .args()
        .clone()
        .unwrap()
}

fn env(s: &Spec) -> Vec<String> {
    s.process().as_ref().unwrap().env().clone().unwrap()
}

fn sv(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn command_override_rules() {
    let img = image();
    let run = RunConfig::default();
    assert_eq!(args(&img, &run), ["docker-entrypoint.sh", "redis-server"]);
    let run = RunConfig {
        cmd: sv(&["redis-cli", "ping"]),
        ..Default::default()
    };
    assert_eq!(
        args(&img, &run),
        ["docker-entrypoint.sh", "redis-cli", "ping"]
    );
    // --entrypoint drops the image's Cmd…
    let run = RunConfig {
        entrypoint: Some(sv(&["/bin/sh"])),
        ..Default::default()
    };
    assert_eq!(args(&img, &run), ["/bin/sh"]);
    // …unless a command is given.
    let run = RunConfig {
        entrypoint: Some(sv(&["/bin/sh"])),
        cmd: sv(&["-c", "echo hi"]),
        ..Default::default()
    };
    assert_eq!(args(&img, &run), ["/bin/sh", "-c", "echo hi"]);
    // --entrypoint "" clears it.
    let run = RunConfig {
        entrypoint: Some(sv(&[""])),
        cmd: sv(&["env"]),
        ..Default::default()
    };
    assert_eq!(args(&img, &run), ["env"]);
    // Nothing left: error.
    let run = RunConfig {
        entrypoint: Some(vec![]),
        ..Default::default()
    };
    assert_eq!(err(&img, &run), "no command specified");
    assert_eq!(
        err(&json!({}), &RunConfig::default()),
        "no command specified"
    );
    assert_eq!(
        err(&serde_json::Value::Null, &RunConfig::default()),
        "no command specified"
    );
    // A string Cmd (Docker's StrSlice) and a null Entrypoint.
    assert_eq!(
        args(
            &json!({"Entrypoint": null, "Cmd": "sh"}),
            &RunConfig::default()
        ),
        ["sh"]
    );
    // --init goes in front.
    let run = RunConfig {
        init: Some(InitConfig {
            host_path: "/usr/bin/berth".into(),
            container_path: "/sbin/docker-init".into(),
            args: sv(&["--"]),
        }),
        ..Default::default()
    };
    assert_eq!(
        args(&img, &run),
        [
            "/sbin/docker-init",
            "--",
            "docker-entrypoint.sh",
            "redis-server"
        ]
    );
}

#[test]
fn inspect_helpers() {
    let run = RunConfig {
        env: sv(&["GOSU=2", "X=1"]),
        init: Some(InitConfig {
            host_path: "/usr/bin/berth".into(),
            container_path: "/sbin/docker-init".into(),
            args: sv(&["--"]),
        }),
        ..Default::default()
    };
    assert_eq!(
        command(&image(), &run).unwrap(),
        ["docker-entrypoint.sh", "redis-server"]
    );
    assert_eq!(
        config_env(&image(), &run).unwrap(),
        [
            "GOSU=2",
            "X=1",
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "REDIS_VERSION=7.0"
        ]
    );
    assert!(command(&json!({}), &RunConfig::default()).is_err());
}

#[test]
fn environment_merge() {
    let img = image();
    let run = RunConfig {
        env: sv(&["GOSU=2", "FOO=bar", "FOO=baz", "REDIS_VERSION"]),
        tty: true,
        ..Default::default()
    };
    let e = env(&spec(&img, &run));
    assert_eq!(
        e,
        [
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "HOSTNAME=4f1e3c2b9a8d",
            "TERM=xterm",
            "GOSU=2",
            "FOO=baz",
            "HOME=/root",
        ]
    );
    // No PATH in the image: Docker's default; no tty: no TERM; HOSTNAME can be overridden.
    let run = RunConfig {
        env: sv(&["HOSTNAME=mine", "HOME=/tmp"]),
        cmd: sv(&["true"]),
        ..Default::default()
    };
    let e = env(&spec(&json!({"Env": ["A=1"]}), &run));
    assert_eq!(
        e,
        [
            format!("PATH={DEFAULT_PATH}").as_str(),
            "HOSTNAME=mine",
            "HOME=/tmp",
            "A=1"
        ]
    );
    let run = RunConfig {
        env: sv(&["=x"]),
        ..Default::default()
    };
    assert_eq!(err(&img, &run), "invalid environment variable \"=x\"");
}

#[test]
fn user_workdir_and_home() {
    let img = json!({"Cmd": ["redis-server"], "User": "redis", "WorkingDir": "/data/./x/.."});
    let s = spec(&img, &RunConfig::default());
    let p = s.process().as_ref().unwrap();
    assert_eq!((p.user().uid(), p.user().gid()), (999, 999));
    assert_eq!(p.cwd(), Path::new("/data"));
    assert!(env(&s).contains(&"HOME=/data".to_string()));
    // -u overrides the image's User; numeric without passwd entry is fine.
    let run = RunConfig {
        user: Some("1234:5678".into()),
        workdir: Some("/tmp".into()),
        group_add: sv(&["wheel"]),
        ..Default::default()
    };
    let s = spec(&img, &run);
    let p = s.process().as_ref().unwrap();
    assert_eq!((p.user().uid(), p.user().gid()), (1234, 5678));
    assert_eq!(p.user().additional_gids().as_deref(), Some(&[10u32][..]));
    assert_eq!(p.cwd(), Path::new("/tmp"));
    assert!(env(&s).contains(&"HOME=/".to_string()));
    // Root by default, with its groups.
    let s = spec(&image(), &RunConfig::default());
    let u = s.process().as_ref().unwrap().user().clone();
    assert_eq!((u.uid(), u.gid()), (0, 0));
    assert_eq!(u.additional_gids().as_deref(), Some(&[10u32][..]));
    let run = RunConfig {
        user: Some("nobody".into()),
        ..Default::default()
    };
    assert_eq!(
        err(&image(), &run),
        "unable to find user nobody: no matching entries in passwd file"
    );
    let run = RunConfig {
        workdir: Some("data".into()),
        ..Default::default()
    };
    assert!(err(&image(), &run).contains("needs to be an absolute path"));
}

#[test]
fn default_security() {
    let s = spec(&image(), &RunConfig::default());
    let p = s.process().as_ref().unwrap();
    let c = p.capabilities().as_ref().unwrap();
    assert_eq!(
        capability_bitmask(c.bounding().as_ref().unwrap()),
        0xa80425fb
    );
    assert_eq!(c.effective(), c.bounding());
    assert_eq!(c.permitted(), c.bounding());
    assert!(c.inheritable().as_ref().unwrap().is_empty());
    assert!(c.ambient().as_ref().unwrap().is_empty());
    assert_eq!(p.no_new_privileges(), None);
    assert_eq!(p.terminal(), Some(false));
    assert!(p.rlimits().is_none());
    let l = s.linux().as_ref().unwrap();
    assert_eq!(l.masked_paths().as_ref().unwrap().len(), 11);
    assert_eq!(l.readonly_paths().as_ref().unwrap().len(), 5);
    let sc = l.seccomp().as_ref().unwrap();
    let allows = |n: &str| {
        sc.syscalls()
            .as_ref()
            .unwrap()
            .iter()
            .any(|r| r.names().iter().any(|x| x == n) && r.args().is_none())
    };
    assert!(allows("read") && !allows("mount") && !allows("reboot"));
    assert_eq!(l.devices().as_ref().unwrap().len(), 6);
    let rules = l.resources().as_ref().unwrap().devices().as_ref().unwrap();
    assert!(!rules[0].allow());
    assert_eq!(s.root().as_ref().unwrap().readonly(), Some(false));
    assert_eq!(s.hostname().as_deref(), Some("4f1e3c2b9a8d"));
}

#[test]
fn cap_add_opens_seccomp() {
    let run = RunConfig {
        cap_add: sv(&["SYS_ADMIN"]),
        cap_drop: sv(&["NET_RAW"]),
        no_new_privileges: true,
        ..Default::default()
    };
    let s = spec(&image(), &run);
    let p = s.process().as_ref().unwrap();
    let b = capability_bitmask(
        p.capabilities()
            .as_ref()
            .unwrap()
            .bounding()
            .as_ref()
            .unwrap(),
    );
    assert_eq!(b, (0xa80425fb | (1 << 21)) & !(1 << 13));
    assert_eq!(p.no_new_privileges(), Some(true));
    let sc = s.linux().as_ref().unwrap().seccomp().clone().unwrap();
    assert!(
        sc.syscalls()
            .as_ref()
            .unwrap()
            .iter()
            .any(|r| r.names().iter().any(|n| n == "mount"))
    );
    let run = RunConfig {
        cap_add: sv(&["CAP_WHATEVER"]),
        ..Default::default()
    };
    assert_eq!(err(&image(), &run), "unknown capability: \"CAP_WHATEVER\"");
}

#[test]
fn privileged() {
    let run = RunConfig {
        privileged: true,
        ..Default::default()
    };
    let s = spec(&image(), &run);
    let c = s
        .process()
        .as_ref()
        .unwrap()
        .capabilities()
        .clone()
        .unwrap();
    assert_eq!(c.bounding().as_ref().unwrap().len(), 41);
    let l = s.linux().as_ref().unwrap();
    assert!(l.seccomp().is_none());
    assert!(l.masked_paths().is_none() && l.readonly_paths().is_none());
    let rules = l.resources().as_ref().unwrap().devices().clone().unwrap();
    assert_eq!(rules.len(), 1);
    assert!(rules[0].allow() && rules[0].major().is_none());
    let sys = s
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.destination() == Path::new("/sys"))
        .unwrap()
        .clone();
    assert!(!sys.options().as_ref().unwrap().contains(&"ro".to_string()));
    // Privileged ignores a seccomp profile, as Docker does.
    let run = RunConfig {
        privileged: true,
        seccomp: SeccompMode::Profile(json!({"defaultAction": "SCMP_ACT_KILL"})),
        ..Default::default()
    };
    assert!(
        spec(&image(), &run)
            .linux()
            .as_ref()
            .unwrap()
            .seccomp()
            .is_none()
    );
}

#[test]
fn seccomp_modes() {
    let run = RunConfig {
        seccomp: SeccompMode::Unconfined,
        ..Default::default()
    };
    assert!(
        spec(&image(), &run)
            .linux()
            .as_ref()
            .unwrap()
            .seccomp()
            .is_none()
    );
    let run = RunConfig {
        seccomp: SeccompMode::Profile(json!({
            "defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["chmod"], "action": "SCMP_ACT_ERRNO"}]
        })),
        ..Default::default()
    };
    let s = spec(&image(), &run);
    let sc = s.linux().as_ref().unwrap().seccomp().clone().unwrap();
    assert_eq!(sc.syscalls().as_ref().unwrap().len(), 1);
    let run = RunConfig {
        seccomp: SeccompMode::Profile(json!({"defaultAction": 3})),
        ..Default::default()
    };
    assert!(err(&image(), &run).starts_with("seccomp profile: invalid profile"));
}

#[test]
fn namespaces_and_hostname() {
    let types = |s: &Spec| -> Vec<(String, Option<PathBuf>)> {
        s.linux()
            .as_ref()
            .unwrap()
            .namespaces()
            .clone()
            .unwrap()
            .iter()
            .map(|n| (n.typ().to_string(), n.path().clone()))
            .collect()
    };
    let s = spec(&image(), &RunConfig::default());
    let n = types(&s);
    assert_eq!(
        n.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["mnt", "net", "uts", "pid", "ipc", "cgroup"]
    );
    assert!(n.iter().all(|(_, p)| p.is_none()));
    let run = RunConfig {
        network: NetworkMode::Path("/run/berth/netns/abc".into()),
        hostname: Some("web".into()),
        ..Default::default()
    };
    let s = spec(&image(), &run);
    assert!(types(&s).contains(&("net".into(), Some("/run/berth/netns/abc".into()))));
    assert_eq!(s.hostname().as_deref(), Some("web"));
    assert!(env(&s).contains(&"HOSTNAME=web".to_string()));
    let run = RunConfig {
        network: NetworkMode::Host,
        ..Default::default()
    };
    let s = spec(&image(), &run);
    assert!(!types(&s).iter().any(|(t, _)| t == "net"));
    assert_eq!(s.hostname().as_deref(), Some("host.example"));
    let run = RunConfig {
        network: NetworkMode::Path("relative".into()),
        ..Default::default()
    };
    assert!(err(&image(), &run).contains("must be absolute"));
    let run = RunConfig {
        hostname: Some("a/b".into()),
        ..Default::default()
    };
    assert!(err(&image(), &run).starts_with("invalid hostname"));
}

#[test]
fn sysctl_rules() {
    let run = RunConfig {
        sysctls: vec![
            ("net.ipv4.ip_unprivileged_port_start".into(), "0".into()),
            ("kernel/shmmax".into(), "1000000".into()),
            ("kernel.sem".into(), "250 32000 100 128".into()),
            ("fs.mqueue.msg_max".into(), "20".into()),
        ],
        ..Default::default()
    };
    let s = spec(&image(), &run);
    let m = s.linux().as_ref().unwrap().sysctl().clone().unwrap();
    assert_eq!(m.len(), 4);
    assert_eq!(m["kernel.shmmax"], "1000000");
    for bad in [
        "vm.swappiness",
        "kernel.panic",
        "kernel.hostname",
        "fs.file-max",
        "net",
    ] {
        let run = RunConfig {
            sysctls: vec![(bad.into(), "1".into())],
            ..Default::default()
        };
        let e = err(&image(), &run);
        assert!(
            e.starts_with(&format!("sysctl {bad:?} is not allowed")),
            "{e}"
        );
    }
    let run = RunConfig {
        sysctls: vec![("net.ipv4.ip_forward".into(), "1".into())],
        network: NetworkMode::Host,
        ..Default::default()
    };
    assert_eq!(
        err(&image(), &run),
        "sysctl \"net.ipv4.ip_forward\" is not allowed with --network host"
    );
}

#[test]
fn ulimits_are_bounded_by_this_process() {
    let dir = rootfs();
    let mut ctx = SpecContext::for_tests(ID, dir.path().to_path_buf());
    ctx.host_rlimits = HostRlimits::unlimited().with("nofile", 20_000);
    let run = RunConfig {
        ulimits: vec!["nofile=1024:20000".parse().unwrap()],
        ..Default::default()
    };
    let s = build(&image(), &run, &ctx).unwrap();
    let r = s.process().as_ref().unwrap().rlimits().clone().unwrap();
    assert_eq!((r[0].soft(), r[0].hard()), (1024, 20_000));
    let run = RunConfig {
        ulimits: vec!["nofile=1048576".parse().unwrap()],
        ..Default::default()
    };
    let e = build(&image(), &run, &ctx).unwrap_err().to_string();
    assert!(
        e.starts_with("--ulimit nofile: soft limit 1048576 is above"),
        "{e}"
    );
    // The real context reads this process's limits.
    let real = SpecContext::new(ID, dir.path().to_path_buf(), "/berth/x");
    let hard = real.host_rlimits.hard("nofile").unwrap();
    assert!(hard > 0);
    assert!(real.cap_last_cap >= 36 && real.kernel_version.0 >= 3 && real.host_cpus >= 1);
}

#[test]
fn stop_signals() {
    assert_eq!(
        stop_signal(&image(), &RunConfig::default()).unwrap(),
        libc::SIGINT
    );
    assert_eq!(
        stop_signal(&json!({}), &RunConfig::default()).unwrap(),
        libc::SIGTERM
    );
    let run = RunConfig {
        stop_signal: Some("9".into()),
        ..Default::default()
    };
    assert_eq!(stop_signal(&image(), &run).unwrap(), 9);
    let t = t();
    let b = build_detailed(&image(), &run, &t.ctx).unwrap();
    assert_eq!(b.stop_signal, 9);
    let run = RunConfig {
        stop_signal: Some("SIGNOPE".into()),
        ..Default::default()
    };
    assert_eq!(err(&image(), &run), "invalid signal: SIGNOPE");
}

#[test]
fn cgroup_v1_hierarchies_are_read_only() {
    let mountinfo = "25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw\n\
        33 25 0:28 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n\
        34 33 0:29 / /sys/fs/cgroup/unified rw shared:10 - cgroup2 cgroup2 rw\n\
        38 33 0:33 / /sys/fs/cgroup/memory rw shared:15 - cgroup cgroup rw,memory\n\
        39 33 0:34 / /sys/fs/cgroup/cpu,cpuacct rw shared:16 - cgroup cgroup rw,cpu,cpuacct\n";
    let m = cgroup_v1_mounts(mountinfo);
    assert_eq!(m, ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory"]);
    let dir = rootfs();
    let mut ctx = SpecContext::for_tests(ID, dir.path().to_path_buf());
    ctx.cgroup_v1_mounts = m;
    let s = build(&image(), &RunConfig::default(), &ctx).unwrap();
    let ro = s
        .linux()
        .as_ref()
        .unwrap()
        .readonly_paths()
        .clone()
        .unwrap();
    assert_eq!(ro.len(), 8);
    assert_eq!(ro[5], "/sys/fs/cgroup");
    assert!(ro.contains(&"/sys/fs/cgroup/memory".to_string()));
    let run = RunConfig {
        privileged: true,
        ..Default::default()
    };
    let s = build(&image(), &run, &ctx).unwrap();
    assert!(s.linux().as_ref().unwrap().readonly_paths().is_none());
}

/// The whole spec as JSON: the key paths a runtime reads.
#[test]
fn serialized_spec() {
    let run = RunConfig {
        tty: true,
        read_only: true,
        labels: vec![("com.example.team".into(), "infra".into())],
        tmpfs: vec![("/run".into(), "size=64m".into())],
        mounts: vec![Mount {
            source: "/var/lib/berth/containers/x/hosts".into(),
            destination: "/etc/hosts".into(),
            read_only: false,
            options: vec![],
        }],
        resources: Resources {
            cpus: Some(1.5),
            memory: Some(256 << 20),
            pids_limit: Some(64),
            ..Default::default()
        },
        ..Default::default()
    };
    let t = t();
    let s = build(&image(), &run, &t.ctx).unwrap();
    let j = serde_json::to_value(&s).unwrap();
    assert_eq!(j["ociVersion"], oci_spec::runtime::VERSION);
    assert_eq!(j["root"]["path"], t.ctx.rootfs.to_str().unwrap());
    assert_eq!(j["root"]["readonly"], true);
    assert_eq!(j["process"]["terminal"], true);
    assert_eq!(j["process"]["cwd"], "/data");
    assert_eq!(j["process"]["user"]["uid"], 0);
    assert_eq!(
        j["process"]["args"],
        json!(["docker-entrypoint.sh", "redis-server"])
    );
    assert!(
        j["process"]["env"]
            .as_array()
            .unwrap()
            .contains(&json!("TERM=xterm"))
    );
    assert_eq!(
        j["process"]["capabilities"]["bounding"]
            .as_array()
            .unwrap()
            .len(),
        14
    );
    assert!(j["process"].get("noNewPrivileges").is_none());
    assert_eq!(j["hostname"], "4f1e3c2b9a8d");
    assert_eq!(j["annotations"]["com.example.team"], "infra");
    assert_eq!(j["linux"]["cgroupsPath"], format!("/berth/{ID}"));
    assert_eq!(j["linux"]["resources"]["cpu"]["quota"], 150000);
    assert_eq!(j["linux"]["resources"]["cpu"]["period"], 100000);
    assert_eq!(j["linux"]["resources"]["memory"]["limit"], 256 << 20);
    assert_eq!(j["linux"]["resources"]["memory"]["swap"], 512 << 20);
    assert_eq!(j["linux"]["resources"]["pids"]["limit"], 64);
    assert_eq!(j["linux"]["resources"]["devices"][0]["allow"], false);
    assert_eq!(j["linux"]["resources"]["devices"][0]["access"], "rwm");
    assert_eq!(j["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
    assert_eq!(j["linux"]["seccomp"]["defaultErrnoRet"], 1);
    assert_eq!(
        j["linux"]["seccomp"]["architectures"][0],
        "SCMP_ARCH_X86_64"
    );
    assert_eq!(j["linux"]["maskedPaths"][0], "/proc/asound");
    assert_eq!(j["linux"]["readonlyPaths"][3], "/proc/sys");
    assert_eq!(j["linux"]["namespaces"][0]["type"], "mount");
    assert_eq!(j["linux"]["devices"][0]["path"], "/dev/null");
    assert_eq!(j["linux"]["devices"][0]["type"], "c");
    let mounts = j["mounts"].as_array().unwrap();
    let find = |d: &str| {
        mounts
            .iter()
            .find(|m| m["destination"] == d)
            .unwrap()
            .clone()
    };
    assert_eq!(find("/proc")["type"], "proc");
    assert_eq!(find("/dev/pts")["options"].as_array().unwrap().len(), 6);
    assert_eq!(
        find("/run")["options"],
        json!(["noexec", "nosuid", "nodev", "size=64m"])
    );
    assert_eq!(find("/etc/hosts")["type"], "bind");
    assert_eq!(
        find("/etc/hosts")["source"],
        "/var/lib/berth/containers/x/hosts"
    );
    // It round-trips through oci-spec's own reader.
    let back: Spec = serde_json::from_value(j).unwrap();
    assert_eq!(back, s);
}
