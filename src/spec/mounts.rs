//! Mounts, masked and read-only paths, and devices, as Docker and runc set them up.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};

use oci_spec::runtime::{LinuxDevice, LinuxDeviceCgroup, LinuxDeviceType, Mount as OciMount};

use super::{InitConfig, Mount, SpecError};

/// Docker's masked paths (moby `oci.DefaultLinuxSpec` plus `/sys/devices/virtual/powercap`).
pub const MASKED_PATHS: [&str; 11] = [
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Docker's read-only paths.
pub const READONLY_PATHS: [&str; 5] = [
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// Default size of /dev/shm (Docker's `--shm-size` default, 64 MiB).
pub const DEFAULT_SHM_SIZE: u64 = 64 << 20;

fn oci_mount(dest: &str, typ: &str, source: &str, options: &[&str]) -> OciMount {
    let mut m = OciMount::default();
    m.set_destination(PathBuf::from(dest));
    m.set_typ(Some(typ.to_string()));
    m.set_source(Some(PathBuf::from(source)));
    m.set_options(Some(options.iter().map(|s| s.to_string()).collect()));
    m
}

/// The mounts every container gets (moby's defaults, with /dev/shm a tmpfs of `shm_size`
/// bytes instead of a bind of a daemon-owned tmpfs). Privileged: /sys and its cgroup mount rw.
pub fn default_mounts(privileged: bool, shm_size: u64) -> Vec<OciMount> {
    let ro = if privileged { "rw" } else { "ro" };
    let shm_size = format!("size={}k", shm_size.div_ceil(1024));
    vec![
        oci_mount("/proc", "proc", "proc", &["nosuid", "noexec", "nodev"]),
        oci_mount(
            "/dev",
            "tmpfs",
            "tmpfs",
            &["nosuid", "strictatime", "mode=755", "size=65536k"],
        ),
        oci_mount(
            "/dev/pts",
            "devpts",
            "devpts",
            &[
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620",
                "gid=5",
            ],
        ),
        oci_mount("/sys", "sysfs", "sysfs", &[ro, "nosuid", "noexec", "nodev"]),
        oci_mount(
            "/sys/fs/cgroup",
            "cgroup",
            "cgroup",
            &[ro, "nosuid", "noexec", "nodev"],
        ),
        oci_mount(
            "/dev/mqueue",
            "mqueue",
            "mqueue",
            &["nosuid", "noexec", "nodev"],
        ),
        oci_mount(
            "/dev/shm",
            "tmpfs",
            "shm",
            &["nosuid", "noexec", "nodev", "mode=1777", &shm_size],
        ),
    ]
}

/// Mount flags a tmpfs option may name, grouped: options of one group override each other
/// (`exec` undoes `noexec`).
const TMPFS_FLAGS: [(&str, &str); 19] = [
    ("ro", "ro"),
    ("rw", "ro"),
    ("suid", "suid"),
    ("nosuid", "suid"),
    ("dev", "dev"),
    ("nodev", "dev"),
    ("exec", "exec"),
    ("noexec", "exec"),
    ("sync", "sync"),
    ("async", "sync"),
    ("dirsync", "dirsync"),
    ("atime", "atime"),
    ("noatime", "atime"),
    ("diratime", "diratime"),
    ("nodiratime", "diratime"),
    ("relatime", "relatime"),
    ("norelatime", "relatime"),
    ("strictatime", "strictatime"),
    ("nostrictatime", "strictatime"),
];

/// Mount propagation modes: one group, only one of them applies.
const PROPAGATION: [&str; 8] = [
    "private",
    "rprivate",
    "shared",
    "rshared",
    "slave",
    "rslave",
    "unbindable",
    "runbindable",
];

/// `key=value` tmpfs options Docker accepts.
const TMPFS_DATA: [&str; 7] = [
    "size",
    "mode",
    "uid",
    "gid",
    "nr_inodes",
    "nr_blocks",
    "mpol",
];

fn flag_group(opt: &str) -> Option<&'static str> {
    if PROPAGATION.contains(&opt) {
        return Some("propagation");
    }
    TMPFS_FLAGS.iter().find(|(o, _)| *o == opt).map(|(_, g)| *g)
}

/// Docker's `MergeTmpfsOptions` over the defaults `noexec,nosuid,nodev`: later options win
/// within a group, unknown options are refused.
pub fn tmpfs_options(path: &str, opts: &str) -> Result<Vec<String>, SpecError> {
    let all: Vec<&str> = ["noexec", "nosuid", "nodev"]
        .into_iter()
        .chain(opts.split(',').map(str::trim).filter(|s| !s.is_empty()))
        .collect();
    let mut seen_groups = HashSet::new();
    let mut seen_keys = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    // Walk backwards so the last occurrence of each group/key is the one kept.
    for opt in all.iter().rev() {
        if *opt == "defaults" {
            continue;
        }
        if let Some(g) = flag_group(opt) {
            if seen_groups.insert(g) {
                out.push(opt.to_string());
            }
            continue;
        }
        match opt.split_once('=') {
            Some((k, v)) if TMPFS_DATA.contains(&k) && !v.is_empty() => {
                if seen_keys.insert(k) {
                    out.push(opt.to_string());
                }
            }
            _ => {
                return Err(SpecError::InvalidTmpfs {
                    path: path.to_string(),
                    reason: format!("invalid option {opt:?}"),
                });
            }
        }
    }
    out.reverse();
    Ok(out)
}

/// Lexically cleans an absolute container path (`/a/./b/../c/` → `/a/c`), like Go's
/// `filepath.Clean`; `None` for a relative path.
pub fn clean_abs(p: &str) -> Option<String> {
    if !p.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in Path::new(p).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// The files under /proc runc lets a mount cover (those lxcfs emulates).
const PROC_MOUNTS_ALLOWED: [&str; 10] = [
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/net/dev",
    "/proc/sys/kernel/ns_last_pid",
];

/// runc's refusal of a mount onto /proc or inside it (but for the files lxcfs emulates), and
/// of one onto /sys: it would replace the container's procfs or sysfs.
fn check_kernel_fs_dest(dest: &str) -> Result<(), SpecError> {
    let refuse = |reason: &str| {
        Err(SpecError::KernelFsMount {
            dest: dest.to_string(),
            reason: reason.to_string(),
        })
    };
    match dest {
        "/proc" => refuse("it is not of type proc"),
        "/sys" => refuse("it is not of type sysfs"),
        d if d.starts_with("/proc/") && !PROC_MOUNTS_ALLOWED.contains(&d) => {
            refuse("it is inside /proc")
        }
        _ => Ok(()),
    }
}

fn depth(dest: &Path) -> usize {
    dest.components().count()
}

/// All mounts: defaults (minus those a user mount replaces), then the user's tmpfs mounts, bind
/// mounts and the init binary, parents before children.
pub fn build_mounts(
    privileged: bool,
    shm_size: u64,
    tmpfs: &[(String, String)],
    binds: &[Mount],
    init: Option<&InitConfig>,
) -> Result<Vec<OciMount>, SpecError> {
    let mut user: Vec<OciMount> = Vec::new();
    let mut dests = HashSet::new();
    let mut claim = |dest: &str, what: &str| -> Result<String, SpecError> {
        let clean = clean_abs(dest).ok_or_else(|| SpecError::InvalidMount {
            dest: dest.to_string(),
            reason: format!("{what} destination must be an absolute path"),
        })?;
        if clean == "/" {
            return Err(SpecError::InvalidMount {
                dest: dest.to_string(),
                reason: "destination can't be '/'".to_string(),
            });
        }
        if !dests.insert(clean.clone()) {
            return Err(SpecError::InvalidMount {
                dest: clean,
                reason: "duplicate mount point".to_string(),
            });
        }
        Ok(clean)
    };

    for (path, opts) in tmpfs {
        let dest = claim(path, "tmpfs")?;
        check_kernel_fs_dest(&dest)?;
        let options = tmpfs_options(&dest, opts)?;
        let refs: Vec<&str> = options.iter().map(String::as_str).collect();
        user.push(oci_mount(&dest, "tmpfs", "tmpfs", &refs));
    }
    for b in binds {
        let dest = claim(&b.destination, "bind mount")?;
        check_kernel_fs_dest(&dest)?;
        if !b.source.is_absolute() {
            return Err(SpecError::InvalidMount {
                dest,
                reason: format!("source {:?} must be an absolute path", b.source),
            });
        }
        let mut options = vec!["rbind".to_string()];
        if !b
            .options
            .iter()
            .any(|o| flag_group(o) == Some("propagation"))
        {
            options.push("rprivate".to_string());
        }
        options.extend(b.options.iter().cloned());
        if b.read_only {
            options.push("ro".to_string());
        }
        let mut m = oci_mount(&dest, "bind", "", &[]);
        m.set_source(Some(b.source.clone()));
        m.set_options(Some(options));
        user.push(m);
    }
    if let Some(init) = init {
        let dest = claim(&init.container_path, "init")?;
        let mut m = oci_mount(&dest, "bind", "", &["rbind", "rprivate", "ro"]);
        m.set_source(Some(init.host_path.clone()));
        user.push(m);
    }
    // Parents first, so a child mount is not hidden by a later mount of its parent.
    user.sort_by_key(|m| depth(m.destination()));

    // A user mount replaces the default at the same place; one on /dev replaces everything
    // under /dev too (as Docker does).
    let user_dev = dests.contains("/dev");
    let mut out: Vec<OciMount> = default_mounts(privileged, shm_size)
        .into_iter()
        .filter(|m| {
            let d = m.destination().to_string_lossy();
            !(dests.contains(d.as_ref()) || (user_dev && d.starts_with("/dev/")))
        })
        .collect();
    out.extend(user);
    Ok(out)
}

fn device(path: &str, major: i64, minor: i64) -> LinuxDevice {
    let mut d = LinuxDevice::default();
    d.set_path(PathBuf::from(path));
    d.set_typ(LinuxDeviceType::C);
    d.set_major(major);
    d.set_minor(minor);
    d.set_file_mode(Some(0o666));
    d.set_uid(Some(0));
    d.set_gid(Some(0));
    d
}

/// The device nodes every container gets (the OCI default devices that Docker relies on).
pub fn default_devices() -> Vec<LinuxDevice> {
    vec![
        device("/dev/null", 1, 3),
        device("/dev/zero", 1, 5),
        device("/dev/full", 1, 7),
        device("/dev/random", 1, 8),
        device("/dev/urandom", 1, 9),
        device("/dev/tty", 5, 0),
    ]
}

fn rule(
    allow: bool,
    typ: Option<LinuxDeviceType>,
    major: Option<i64>,
    minor: Option<i64>,
    access: &str,
) -> LinuxDeviceCgroup {
    let mut r = LinuxDeviceCgroup::default();
    r.set_allow(allow);
    r.set_typ(typ);
    r.set_major(major);
    r.set_minor(minor);
    r.set_access(Some(access.to_string()));
    r
}

/// The device cgroup rules: deny everything, then allow mknod of any node and the use of the
/// default devices, the console, /dev/pts/* and /dev/ptmx (moby's list plus the rules runc adds
/// itself). Privileged: everything.
pub fn device_rules(privileged: bool) -> Vec<LinuxDeviceCgroup> {
    use LinuxDeviceType::{B, C};
    if privileged {
        return vec![rule(true, None, None, None, "rwm")];
    }
    vec![
        rule(false, None, None, None, "rwm"),
        rule(true, Some(C), None, None, "m"),
        rule(true, Some(B), None, None, "m"),
        rule(true, Some(C), Some(1), Some(3), "rwm"), // /dev/null
        rule(true, Some(C), Some(1), Some(5), "rwm"), // /dev/zero
        rule(true, Some(C), Some(1), Some(7), "rwm"), // /dev/full
        rule(true, Some(C), Some(1), Some(8), "rwm"), // /dev/random
        rule(true, Some(C), Some(1), Some(9), "rwm"), // /dev/urandom
        rule(true, Some(C), Some(5), Some(0), "rwm"), // /dev/tty
        rule(true, Some(C), Some(5), Some(1), "rwm"), // /dev/console
        rule(true, Some(C), Some(5), Some(2), "rwm"), // /dev/ptmx
        rule(true, Some(C), Some(136), None, "rwm"),  // /dev/pts/*
        rule(false, Some(C), Some(10), Some(229), "rwm"), // /dev/fuse stays denied
    ]
}

/// `--device HOST[:CONTAINER][:PERMS]` (Docker's `parseDevice`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceMapping {
    pub host: String,
    pub container: String,
    /// Some of `rwm`.
    pub perms: String,
}

fn valid_perms(p: &str) -> bool {
    !p.is_empty() && p.len() <= 3 && p.chars().all(|c| matches!(c, 'r' | 'w' | 'm'))
}

impl std::str::FromStr for DeviceMapping {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, SpecError> {
        let bad = |why: String| SpecError::Device(why);
        let parts: Vec<&str> = s.split(':').collect();
        let (host, container, perms) = match parts.as_slice() {
            [h] => (*h, *h, "rwm"),
            [h, p] if valid_perms(p) => (*h, *h, *p),
            [h, c] => (*h, *c, "rwm"),
            [h, c, p] => {
                if !valid_perms(p) {
                    return Err(bad(format!("invalid device mode: {p}")));
                }
                (*h, *c, *p)
            }
            _ => return Err(bad(format!("invalid device specification: {s}"))),
        };
        if !container.starts_with('/') || host.is_empty() {
            return Err(bad(format!("bad format for path: {container}")));
        }
        Ok(DeviceMapping {
            host: host.to_string(),
            container: clean_abs(container).unwrap_or_else(|| container.to_string()),
            perms: perms.to_string(),
        })
    }
}

/// The device nodes and cgroup rules of `--device`s: a node is given with its type, numbers,
/// mode and owner; a directory gives every device below it (as Docker does).
pub fn user_devices(
    maps: &[DeviceMapping],
) -> Result<(Vec<LinuxDevice>, Vec<LinuxDeviceCgroup>), SpecError> {
    let mut devices = Vec::new();
    let mut rules = Vec::new();
    for m in maps {
        let gather = |why: String| {
            SpecError::Device(format!(
                "error gathering device information while adding custom device {:?}: {why}",
                m.host
            ))
        };
        let meta = fs::metadata(&m.host).map_err(|e| {
            let why = match e.raw_os_error() {
                Some(n) => nix::errno::Errno::from_raw(n).desc().to_lowercase(),
                None => e.to_string(),
            };
            gather(why)
        })?;
        let mut found = Vec::new();
        if meta.is_dir() {
            walk_devices(Path::new(&m.host), Path::new(&m.host), &mut found);
            for d in &mut found {
                let rel = d
                    .path()
                    .strip_prefix("/dev")
                    .unwrap_or(d.path())
                    .to_path_buf();
                d.set_path(Path::new(&m.container).join(rel));
            }
        } else {
            let ft = meta.file_type();
            let typ = if ft.is_char_device() {
                LinuxDeviceType::C
            } else if ft.is_block_device() {
                LinuxDeviceType::B
            } else {
                return Err(gather("not a device node".into()));
            };
            let mut d = LinuxDevice::default();
            d.set_path(PathBuf::from(&m.container));
            d.set_typ(typ);
            d.set_major(nix::sys::stat::major(meta.rdev()) as i64);
            d.set_minor(nix::sys::stat::minor(meta.rdev()) as i64);
            d.set_file_mode(Some(meta.mode() & 0o7777));
            d.set_uid(Some(meta.uid()));
            d.set_gid(Some(meta.gid()));
            found.push(d);
        }
        for d in found {
            rules.push(rule(
                true,
                Some(d.typ()),
                Some(d.major()),
                Some(d.minor()),
                &m.perms,
            ));
            devices.retain(|x: &LinuxDevice| x.path() != d.path());
            devices.push(d);
        }
    }
    Ok((devices, rules))
}

/// `--device-cgroup-rule 'TYPE MAJOR:MINOR PERMS'` (`c 1:3 mr`, `a *:* rwm`), Docker's format.
pub fn device_cgroup_rule(s: &str) -> Result<LinuxDeviceCgroup, SpecError> {
    let bad = || SpecError::Device(format!("invalid device cgroup format '{s}'"));
    let f: Vec<&str> = s.split(' ').collect();
    let [typ, numbers, perms] = f.as_slice() else {
        return Err(bad());
    };
    let typ = match *typ {
        "a" => LinuxDeviceType::A,
        "b" => LinuxDeviceType::B,
        "c" => LinuxDeviceType::C,
        _ => return Err(bad()),
    };
    let (major, minor) = numbers.split_once(':').ok_or_else(bad)?;
    let number = |n: &str| match n {
        "*" => Ok(None),
        n if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
            n.parse::<i64>().map(Some).map_err(|_| bad())
        }
        _ => Err(bad()),
    };
    if !valid_perms(perms) {
        return Err(bad());
    }
    Ok(rule(true, Some(typ), number(major)?, number(minor)?, perms))
}

/// Directories of /dev that are not copied for --privileged (runc's `HostDevices` skips them).
const SKIP_DEV_DIRS: [&str; 7] = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"];

/// The host's device nodes under `dev` (normally /dev), for --privileged: character and block
/// devices, not following symlinks, skipping /dev/console and the directories above.
pub fn host_devices(dev: &Path) -> Vec<LinuxDevice> {
    let mut out = Vec::new();
    walk_devices(dev, dev, &mut out);
    out.sort_by(|a, b| a.path().cmp(b.path()));
    out
}

fn walk_devices(top: &Path, dir: &Path, out: &mut Vec<LinuxDevice>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(meta) = e.path().symlink_metadata() else {
            continue;
        };
        let ft = meta.file_type();
        let name = e.file_name();
        if ft.is_dir() {
            if !SKIP_DEV_DIRS.iter().any(|s| name == *s) {
                walk_devices(top, &e.path(), out);
            }
            continue;
        }
        if dir == top && name == "console" {
            continue;
        }
        let typ = if ft.is_char_device() {
            LinuxDeviceType::C
        } else if ft.is_block_device() {
            LinuxDeviceType::B
        } else {
            continue;
        };
        let Ok(rel) = e.path().strip_prefix(top).map(Path::to_path_buf) else {
            continue;
        };
        let mut d = LinuxDevice::default();
        d.set_path(Path::new("/dev").join(rel));
        d.set_typ(typ);
        d.set_major(nix::sys::stat::major(meta.rdev()) as i64);
        d.set_minor(nix::sys::stat::minor(meta.rdev()) as i64);
        d.set_file_mode(Some(meta.mode() & 0o7777));
        d.set_uid(Some(meta.uid()));
        d.set_gid(Some(meta.gid()));
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dests(ms: &[OciMount]) -> Vec<String> {
        ms.iter()
            .map(|m| m.destination().to_string_lossy().into_owned())
            .collect()
    }

    fn opts(ms: &[OciMount], dest: &str) -> Vec<String> {
        ms.iter()
            .find(|m| m.destination() == Path::new(dest))
            .unwrap()
            .options()
            .clone()
            .unwrap()
    }

    #[test]
    fn defaults() {
        let ms = build_mounts(false, DEFAULT_SHM_SIZE, &[], &[], None).unwrap();
        assert_eq!(
            dests(&ms),
            [
                "/proc",
                "/dev",
                "/dev/pts",
                "/sys",
                "/sys/fs/cgroup",
                "/dev/mqueue",
                "/dev/shm"
            ]
        );
        assert!(opts(&ms, "/sys").contains(&"ro".to_string()));
        assert!(opts(&ms, "/dev/shm").contains(&"size=65536k".to_string()));
        let ms = build_mounts(true, DEFAULT_SHM_SIZE, &[], &[], None).unwrap();
        assert!(!opts(&ms, "/sys").contains(&"ro".to_string()));
        assert!(!opts(&ms, "/sys/fs/cgroup").contains(&"ro".to_string()));
    }

    #[test]
    fn tmpfs_merge() {
        assert_eq!(
            tmpfs_options("/x", "").unwrap(),
            ["noexec", "nosuid", "nodev"]
        );
        assert_eq!(
            tmpfs_options("/x", "size=64m,mode=1777,exec").unwrap(),
            ["nosuid", "nodev", "size=64m", "mode=1777", "exec"]
        );
        assert_eq!(
            tmpfs_options("/x", "size=1m,size=2m,ro").unwrap(),
            ["noexec", "nosuid", "nodev", "size=2m", "ro"]
        );
        let e = tmpfs_options("/x", "bogus=1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid --tmpfs /x: invalid option \"bogus=1\""
        );
        assert!(tmpfs_options("/x", "size=").is_err());
    }

    #[test]
    fn user_mounts_replace_defaults_and_sort() {
        let binds = vec![
            Mount {
                source: "/var/lib/berth/c/hosts".into(),
                destination: "/etc/hosts".into(),
                read_only: false,
                options: vec![],
            },
            Mount {
                source: "/data".into(),
                destination: "/srv/data/".into(),
                read_only: true,
                options: vec!["rslave".into()],
            },
        ];
        let tmpfs = vec![
            ("/dev/shm".to_string(), "size=1g".to_string()),
            ("/run".to_string(), String::new()),
        ];
        let init = InitConfig {
            host_path: "/usr/bin/berth".into(),
            container_path: "/sbin/docker-init".into(),
            args: vec!["--".into()],
        };
        let ms = build_mounts(false, DEFAULT_SHM_SIZE, &tmpfs, &binds, Some(&init)).unwrap();
        let d = dests(&ms);
        assert_eq!(d.iter().filter(|x| *x == "/dev/shm").count(), 1);
        assert_eq!(
            opts(&ms, "/dev/shm"),
            ["noexec", "nosuid", "nodev", "size=1g"]
        );
        assert_eq!(opts(&ms, "/etc/hosts"), ["rbind", "rprivate"]);
        assert_eq!(opts(&ms, "/srv/data"), ["rbind", "rslave", "ro"]);
        assert_eq!(opts(&ms, "/sbin/docker-init"), ["rbind", "rprivate", "ro"]);
        let pos = |p: &str| d.iter().position(|x| x == p).unwrap();
        assert!(pos("/run") < pos("/etc/hosts") && pos("/etc/hosts") < pos("/srv/data"));

        // A mount on /dev drops every default under /dev.
        let ms = build_mounts(false, 1, &[("/dev".into(), String::new())], &[], None).unwrap();
        assert_eq!(dests(&ms), ["/proc", "/sys", "/sys/fs/cgroup", "/dev"]);
    }

    #[test]
    fn bad_mounts() {
        let dup = vec![
            ("/a".to_string(), String::new()),
            ("/a/".to_string(), String::new()),
        ];
        let e = build_mounts(false, 1, &dup, &[], None).unwrap_err();
        assert_eq!(e.to_string(), "invalid mount /a: duplicate mount point");
        assert!(build_mounts(false, 1, &[("rel".into(), String::new())], &[], None).is_err());
        assert!(build_mounts(false, 1, &[("/".into(), String::new())], &[], None).is_err());
        let b = Mount {
            source: "relative".into(),
            destination: "/x".into(),
            read_only: false,
            options: vec![],
        };
        assert!(build_mounts(false, 1, &[], &[b], None).is_err());
    }

    #[test]
    fn device_flags() {
        let d: DeviceMapping = "/dev/null".parse().unwrap();
        assert_eq!(
            (d.host.as_str(), d.container.as_str(), d.perms.as_str()),
            ("/dev/null", "/dev/null", "rwm")
        );
        let d: DeviceMapping = "/dev/null:r".parse().unwrap();
        assert_eq!((d.container.as_str(), d.perms.as_str()), ("/dev/null", "r"));
        let d: DeviceMapping = "/dev/null:/dev/nothing:rw".parse().unwrap();
        assert_eq!(
            (d.container.as_str(), d.perms.as_str()),
            ("/dev/nothing", "rw")
        );
        assert!("/dev/null:/x:rwx".parse::<DeviceMapping>().is_err());
        assert!("/dev/null:rel".parse::<DeviceMapping>().is_err());
        let (devs, rules) = user_devices(&["/dev/null:/dev/mynull:r".parse().unwrap()]).unwrap();
        assert_eq!(devs[0].path(), Path::new("/dev/mynull"));
        assert_eq!((devs[0].major(), devs[0].minor()), (1, 3));
        assert_eq!(rules[0].access().as_deref(), Some("r"));
        let e = user_devices(&["/dev/nope".parse().unwrap()])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "error gathering device information while adding custom device \"/dev/nope\": no such file or directory"
        );
        let e = user_devices(&["/etc/passwd".parse().unwrap()])
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("not a device node"), "{e}");
        let r = device_cgroup_rule("c 1:3 mr").unwrap();
        assert_eq!(
            (r.major(), r.minor(), r.access().as_deref()),
            (Some(1), Some(3), Some("mr"))
        );
        let r = device_cgroup_rule("a *:* rwm").unwrap();
        assert_eq!((r.major(), r.minor()), (None, None));
        for bad in ["c 1:3", "x 1:3 r", "c a:3 r", "c 1:3 rwx", "c 1-3 r"] {
            assert_eq!(
                device_cgroup_rule(bad).unwrap_err().to_string(),
                format!("invalid device cgroup format '{bad}'")
            );
        }
    }

    #[test]
    fn mounts_over_proc_and_sys_are_refused() {
        let bind = |dest: &str| Mount {
            source: PathBuf::from("/etc"),
            destination: dest.to_string(),
            read_only: false,
            options: Vec::new(),
        };
        for (dest, why) in [
            (
                "/proc",
                "\"/proc\" cannot be mounted because it is not of type proc",
            ),
            (
                "/proc/",
                "\"/proc\" cannot be mounted because it is not of type proc",
            ),
            (
                "/proc/sys",
                "\"/proc/sys\" cannot be mounted because it is inside /proc",
            ),
            (
                "/sys",
                "\"/sys\" cannot be mounted because it is not of type sysfs",
            ),
        ] {
            let e = build_mounts(false, DEFAULT_SHM_SIZE, &[], &[bind(dest)], None)
                .unwrap_err()
                .to_string();
            assert_eq!(e, why);
        }
        let e = build_mounts(
            false,
            DEFAULT_SHM_SIZE,
            &[("/proc".into(), String::new())],
            &[],
            None,
        );
        assert!(e.is_err());
        for ok in ["/proc/meminfo", "/sys/fs/cgroup", "/process"] {
            build_mounts(false, DEFAULT_SHM_SIZE, &[], &[bind(ok)], None).unwrap();
        }
    }

    #[test]
    fn clean_paths() {
        assert_eq!(clean_abs("/a/./b/../c/").as_deref(), Some("/a/c"));
        assert_eq!(clean_abs("/../..").as_deref(), Some("/"));
        assert_eq!(clean_abs("a/b"), None);
    }

    #[test]
    fn devices() {
        let d = default_devices();
        assert_eq!(d.len(), 6);
        assert!(d.iter().all(|d| d.file_mode() == Some(0o666)));
        let rules = device_rules(false);
        assert!(!rules[0].allow() && rules[0].access().as_deref() == Some("rwm"));
        assert!(rules.iter().any(|r| r.allow() && r.major() == Some(136)));
        let p = device_rules(true);
        assert_eq!(p.len(), 1);
        assert!(p[0].allow());
    }

    #[test]
    fn host_devices_walk() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("pts")).unwrap();
        fs::create_dir(dir.path().join("snd")).unwrap();
        fs::write(dir.path().join("regular"), "").unwrap();
        std::os::unix::fs::symlink("/dev/null", dir.path().join("link")).unwrap();
        // Device nodes need CAP_MKNOD; skip that part where we lack it.
        let mk = |p: &Path, maj: u64, min: u64| {
            use nix::sys::stat::{Mode, SFlag, makedev, mknod};
            mknod(
                p,
                SFlag::S_IFCHR,
                Mode::from_bits_truncate(0o600),
                makedev(maj, min),
            )
            .is_ok()
        };
        let made = mk(&dir.path().join("null"), 1, 3)
            && mk(&dir.path().join("snd/timer"), 116, 33)
            && mk(&dir.path().join("pts/0"), 136, 0)
            && mk(&dir.path().join("console"), 5, 1);
        let devs = host_devices(dir.path());
        if made {
            let paths: Vec<_> = devs.iter().map(|d| d.path().clone()).collect();
            assert_eq!(
                paths,
                [PathBuf::from("/dev/null"), PathBuf::from("/dev/snd/timer")]
            );
            assert_eq!((devs[1].major(), devs[1].minor()), (116, 33));
            assert_eq!(devs[0].file_mode(), Some(0o600));
        } else {
            assert!(devs.is_empty());
        }
    }
}
