//! Linux capabilities: names, numbers, Docker's default set and the `--cap-add`/`--cap-drop`/
//! `--privileged` rules (moby's `TweakCapabilities`).

use oci_spec::runtime::{Capabilities, Capability};

use super::SpecError;

/// Every capability oci-spec can name: (name, number, variant), by number.
const TABLE: [(&str, u32, Capability); 41] = [
    ("CAP_CHOWN", 0, Capability::Chown),
    ("CAP_DAC_OVERRIDE", 1, Capability::DacOverride),
    ("CAP_DAC_READ_SEARCH", 2, Capability::DacReadSearch),
    ("CAP_FOWNER", 3, Capability::Fowner),
    ("CAP_FSETID", 4, Capability::Fsetid),
    ("CAP_KILL", 5, Capability::Kill),
    ("CAP_SETGID", 6, Capability::Setgid),
    ("CAP_SETUID", 7, Capability::Setuid),
    ("CAP_SETPCAP", 8, Capability::Setpcap),
    ("CAP_LINUX_IMMUTABLE", 9, Capability::LinuxImmutable),
    ("CAP_NET_BIND_SERVICE", 10, Capability::NetBindService),
    ("CAP_NET_BROADCAST", 11, Capability::NetBroadcast),
    ("CAP_NET_ADMIN", 12, Capability::NetAdmin),
    ("CAP_NET_RAW", 13, Capability::NetRaw),
    ("CAP_IPC_LOCK", 14, Capability::IpcLock),
    ("CAP_IPC_OWNER", 15, Capability::IpcOwner),
    ("CAP_SYS_MODULE", 16, Capability::SysModule),
    ("CAP_SYS_RAWIO", 17, Capability::SysRawio),
    ("CAP_SYS_CHROOT", 18, Capability::SysChroot),
    ("CAP_SYS_PTRACE", 19, Capability::SysPtrace),
    ("CAP_SYS_PACCT", 20, Capability::SysPacct),
    ("CAP_SYS_ADMIN", 21, Capability::SysAdmin),
    ("CAP_SYS_BOOT", 22, Capability::SysBoot),
    ("CAP_SYS_NICE", 23, Capability::SysNice),
    ("CAP_SYS_RESOURCE", 24, Capability::SysResource),
    ("CAP_SYS_TIME", 25, Capability::SysTime),
    ("CAP_SYS_TTY_CONFIG", 26, Capability::SysTtyConfig),
    ("CAP_MKNOD", 27, Capability::Mknod),
    ("CAP_LEASE", 28, Capability::Lease),
    ("CAP_AUDIT_WRITE", 29, Capability::AuditWrite),
    ("CAP_AUDIT_CONTROL", 30, Capability::AuditControl),
    ("CAP_SETFCAP", 31, Capability::Setfcap),
    ("CAP_MAC_OVERRIDE", 32, Capability::MacOverride),
    ("CAP_MAC_ADMIN", 33, Capability::MacAdmin),
    ("CAP_SYSLOG", 34, Capability::Syslog),
    ("CAP_WAKE_ALARM", 35, Capability::WakeAlarm),
    ("CAP_BLOCK_SUSPEND", 36, Capability::BlockSuspend),
    ("CAP_AUDIT_READ", 37, Capability::AuditRead),
    ("CAP_PERFMON", 38, Capability::Perfmon),
    ("CAP_BPF", 39, Capability::Bpf),
    ("CAP_CHECKPOINT_RESTORE", 40, Capability::CheckpointRestore),
];

/// Docker's default capability set (moby `oci.DefaultCapabilities`), bitmask 0xa80425fb.
pub const DOCKER_DEFAULT_CAPS: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// One capability of the final set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap {
    pub name: &'static str,
    pub number: u32,
    pub oci: Capability,
}

/// Docker's normalization: upper case, `CAP_` prefixed (except `ALL`).
fn normalize(name: &str) -> String {
    let up = name.trim().to_ascii_uppercase();
    if up == "ALL" || up.starts_with("CAP_") {
        up
    } else {
        format!("CAP_{up}")
    }
}

/// Looks a capability up by name (`net_admin`, `NET_ADMIN` or `CAP_NET_ADMIN`).
pub fn lookup(name: &str) -> Option<Cap> {
    let n = normalize(name);
    TABLE
        .iter()
        .find(|(t, _, _)| *t == n)
        .map(|&(name, number, oci)| Cap { name, number, oci })
}

/// The capabilities a container can be given here: those the kernel knows (numbers up to
/// `cap_last_cap`) and that are in berth's own bounding set (a process cannot grant more; on
/// this kind of machine root lacks CAP_SYS_RESOURCE).
pub fn available_mask(cap_last_cap: u32, own_bounding: u64) -> u64 {
    let known = if cap_last_cap >= 63 {
        u64::MAX
    } else {
        (1u64 << (cap_last_cap + 1)) - 1
    };
    known & own_bounding
}

/// Every available capability (see [`available_mask`]) that the spec can name.
pub fn all(available: u64) -> Vec<Cap> {
    TABLE
        .iter()
        .filter(|(_, n, _)| available & (1u64 << n) != 0)
        .map(|&(name, number, oci)| Cap { name, number, oci })
        .collect()
}

/// Parses a `--cap-add`/`--cap-drop` list: normalized names, `ALL` kept, unknown names refused.
fn parse_list(list: &[String], available: u64) -> Result<Vec<String>, SpecError> {
    list.iter()
        .map(|raw| {
            let n = normalize(raw);
            if n == "ALL" {
                return Ok(n);
            }
            let cap = lookup(&n).ok_or_else(|| SpecError::UnknownCapability(n.clone()))?;
            if available & (1u64 << cap.number) == 0 {
                return Err(SpecError::CapabilityNotSupported(cap.name.to_string()));
            }
            Ok(n)
        })
        .collect()
}

/// The final capability set, Docker's rules: privileged → all; `--cap-add ALL` → all minus the
/// drops; `--cap-drop ALL` → only the adds; otherwise defaults minus drops plus adds. "All" and
/// the defaults are limited to the `available` mask; naming an unavailable one is an error.
pub fn resolve(
    privileged: bool,
    cap_add: &[String],
    cap_drop: &[String],
    available: u64,
) -> Result<Vec<Cap>, SpecError> {
    // Names are validated even when privileged makes them moot, as Docker does. Drops may name
    // anything known.
    let adds = parse_list(cap_add, available)?;
    let drops = parse_list(cap_drop, u64::MAX)?;
    if privileged {
        return Ok(all(available));
    }
    let has = |l: &[String], n: &str| l.iter().any(|x| x == n);
    let names: Vec<String> = if has(&adds, "ALL") {
        all(available)
            .into_iter()
            .map(|c| c.name.to_string())
            .filter(|n| !has(&drops, n))
            .collect()
    } else if has(&drops, "ALL") {
        adds
    } else {
        DOCKER_DEFAULT_CAPS
            .iter()
            .map(|s| s.to_string())
            .filter(|n| !has(&drops, n))
            .chain(adds)
            .collect()
    };
    let mut caps: Vec<Cap> = names
        .iter()
        .filter_map(|n| lookup(n))
        .filter(|c| available & (1u64 << c.number) != 0)
        .collect();
    caps.sort_by_key(|c| c.number);
    caps.dedup();
    Ok(caps)
}

/// The set as oci-spec wants it.
pub fn to_oci(caps: &[Cap]) -> Capabilities {
    caps.iter().map(|c| c.oci).collect()
}

/// The kernel's bitmask of a set (as in /proc/PID/status CapEff).
pub fn bitmask(caps: &Capabilities) -> u64 {
    TABLE
        .iter()
        .filter(|(_, _, c)| caps.contains(c))
        .fold(0u64, |m, (_, n, _)| m | (1u64 << n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(caps: &[Cap]) -> Vec<&'static str> {
        caps.iter().map(|c| c.name).collect()
    }

    const ALL40: u64 = (1 << 41) - 1;
    const ALL37: u64 = (1 << 38) - 1;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn table_is_by_number() {
        for (i, (_, n, _)) in TABLE.iter().enumerate() {
            assert_eq!(i as u32, *n);
        }
        // Names agree with oci-spec's own serialization.
        for (name, _, cap) in TABLE {
            assert_eq!(serde_json::to_value(cap).unwrap(), name);
        }
    }

    #[test]
    fn default_set_is_dockers_mask() {
        let caps = resolve(false, &[], &[], ALL40).unwrap();
        assert_eq!(caps.len(), 14);
        assert_eq!(bitmask(&to_oci(&caps)), 0x0000_0000_a804_25fb);
    }

    #[test]
    fn add_and_drop() {
        let caps = resolve(
            false,
            &s(&["net_admin", "CAP_SYS_ADMIN"]),
            &s(&["mknod"]),
            ALL40,
        )
        .unwrap();
        let n = names(&caps);
        assert!(n.contains(&"CAP_NET_ADMIN") && n.contains(&"CAP_SYS_ADMIN"));
        assert!(!n.contains(&"CAP_MKNOD"));
        assert_eq!(n.len(), 15);
    }

    #[test]
    fn drop_all_keeps_only_adds() {
        let caps = resolve(false, &s(&["chown"]), &s(&["all"]), ALL40).unwrap();
        assert_eq!(names(&caps), vec!["CAP_CHOWN"]);
        assert!(resolve(false, &[], &s(&["ALL"]), ALL40).unwrap().is_empty());
    }

    #[test]
    fn add_all_minus_drops() {
        let caps = resolve(false, &s(&["ALL"]), &s(&["SYS_ADMIN"]), ALL40).unwrap();
        assert_eq!(caps.len(), 40);
        assert!(!names(&caps).contains(&"CAP_SYS_ADMIN"));
        // add ALL wins over drop ALL, as in Docker.
        assert_eq!(
            resolve(false, &s(&["ALL"]), &s(&["ALL"]), ALL40)
                .unwrap()
                .len(),
            41
        );
    }

    #[test]
    fn privileged_is_everything_the_kernel_knows() {
        assert_eq!(resolve(true, &[], &[], ALL40).unwrap().len(), 41);
        let caps = resolve(true, &[], &[], ALL37).unwrap();
        assert_eq!(caps.len(), 38);
        assert_eq!(bitmask(&to_oci(&caps)), (1u64 << 38) - 1);
    }

    #[test]
    fn limited_by_own_bounding_set() {
        // Like root here: no CAP_SYS_RESOURCE (24).
        let avail = available_mask(40, 0x1fffeffffff);
        assert_eq!(avail, ALL40 & !(1 << 24));
        let caps = resolve(true, &[], &[], avail).unwrap();
        assert_eq!(caps.len(), 40);
        assert!(!names(&caps).contains(&"CAP_SYS_RESOURCE"));
        assert_eq!(resolve(false, &s(&["ALL"]), &[], avail).unwrap().len(), 40);
        let e = resolve(false, &s(&["sys_resource"]), &[], avail).unwrap_err();
        assert!(matches!(e, SpecError::CapabilityNotSupported(_)));
        // Dropping it is fine.
        assert_eq!(
            resolve(false, &[], &s(&["SYS_RESOURCE"]), avail)
                .unwrap()
                .len(),
            14
        );
        assert_eq!(available_mask(63, u64::MAX), u64::MAX);
    }

    #[test]
    fn unknown_names_refused() {
        let e = resolve(false, &s(&["CAP_FLY"]), &[], ALL40).unwrap_err();
        assert_eq!(e.to_string(), "unknown capability: \"CAP_FLY\"");
        assert!(resolve(false, &[], &s(&["nope"]), ALL40).is_err());
        assert!(matches!(
            resolve(false, &s(&["bpf"]), &[], ALL37),
            Err(SpecError::CapabilityNotSupported(_))
        ));
    }
}
