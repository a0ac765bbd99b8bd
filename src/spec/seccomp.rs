//! Seccomp: berth's default profile (the semantics of Docker's default profile) and the
//! conversion of Docker-format profiles (`--security-opt seccomp=FILE`) to the OCI form.
//!
//! A Docker-format profile is the OCI `LinuxSeccomp` plus, on each syscall rule, `includes` and
//! `excludes` conditions (capabilities, architectures, minimum kernel) and an `archMap` from which
//! the native architecture's entry is picked. The conditions are evaluated when the spec is
//! built, against the container's final bounding capability set, exactly as moby's
//! `setupSeccomp` does; the OCI result has no conditions left.
//!
//! The default profile is written below as data: one allow-list, then the rules with argument
//! filters and the rules that depend on a capability or an architecture. Everything not allowed
//! fails with EPERM.

use oci_spec::runtime::{
    Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompArg, LinuxSeccompArgBuilder,
    LinuxSeccompFilterFlag, LinuxSeccompOperator, LinuxSyscall,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::SpecError;

/// Syscalls every container may make (whatever its capabilities).
#[rustfmt::skip]
const ALLOWED: &[&str] = &[
    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
    "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
    "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
    "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
    "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
    "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
    "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
    "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
    "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
    "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
    "ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd",
    "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
    "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
    "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32",
    "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt",
    "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
    "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl",
    "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
    "ioprio_set", "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup",
    "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
    "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
    "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier",
    "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
    "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
    "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
    "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
    "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
    "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
    "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv",
    "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64",
    "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv",
    "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
    "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
    "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
    "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity",
    "sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
    "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
    "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
    "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
    "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32",
    "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
    "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
    "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid",
    "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat",
    "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask",
    "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64",
    "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee",
    "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
    "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
    "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
    "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
    "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
    "writev",
];

/// The namespace flags of clone(2): CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER |
/// NEWPID | NEWNET. Without CAP_SYS_ADMIN, clone is allowed only with none of them set.
const CLONE_NS_FLAGS: u64 = 0x7E02_0000;
/// The socket family refused to every container (AF_VSOCK would reach the host's vsock).
const AF_VSOCK: u64 = 40;
const ENOSYS: u32 = 38;

/// When a rule of the default profile applies.
enum When {
    Always,
    /// The capability is in the bounding set.
    Cap(&'static str),
    /// The native architecture (Go's name, as Docker's profile uses) is one of these.
    Arch(&'static [&'static str]),
    /// The kernel is at least this version.
    MinKernel(&'static str),
    /// The capability is absent (and, if any are given, the architecture is not one of these).
    NoCap(&'static str, &'static [&'static str]),
    /// The capability is absent and the architecture is one of these.
    NoCapOnArch(&'static str, &'static [&'static str]),
}

/// One rule of the default profile: syscalls, action (`None`: allow, `Some(e)`: fail with e),
/// argument filters (index, value, op) and its condition.
struct Rule(
    &'static [&'static str],
    Option<u32>,
    &'static [(u32, u64, &'static str)],
    When,
);

const EQ: &str = "SCMP_CMP_EQ";
const NE: &str = "SCMP_CMP_NE";
const MASKED_EQ: &str = "SCMP_CMP_MASKED_EQ";

/// The rules after the allow-list, in Docker's order.
const RULES: &[Rule] = &[
    Rule(
        &["process_vm_readv", "process_vm_writev", "ptrace"],
        None,
        &[],
        When::MinKernel("4.8"),
    ),
    Rule(&["socket"], None, &[(0, AF_VSOCK, NE)], When::Always),
    // personality(2): only PER_LINUX, UNAME26, PER_LINUX32, UNAME26|PER_LINUX32 and the query.
    Rule(&["personality"], None, &[(0, 0x0, EQ)], When::Always),
    Rule(&["personality"], None, &[(0, 0x8, EQ)], When::Always),
    Rule(&["personality"], None, &[(0, 0x20000, EQ)], When::Always),
    Rule(&["personality"], None, &[(0, 0x20008, EQ)], When::Always),
    Rule(
        &["personality"],
        None,
        &[(0, 0xffff_ffff, EQ)],
        When::Always,
    ),
    Rule(
        &["sync_file_range2", "swapcontext"],
        None,
        &[],
        When::Arch(&["ppc64le"]),
    ),
    Rule(
        &[
            "arm_fadvise64_64",
            "arm_sync_file_range",
            "sync_file_range2",
            "breakpoint",
            "cacheflush",
            "set_tls",
        ],
        None,
        &[],
        When::Arch(&["arm", "arm64"]),
    ),
    Rule(&["arch_prctl"], None, &[], When::Arch(&["amd64", "x32"])),
    Rule(
        &["modify_ldt"],
        None,
        &[],
        When::Arch(&["amd64", "x32", "x86"]),
    ),
    Rule(
        &[
            "s390_pci_mmio_read",
            "s390_pci_mmio_write",
            "s390_runtime_instr",
        ],
        None,
        &[],
        When::Arch(&["s390", "s390x"]),
    ),
    Rule(&["riscv_flush_icache"], None, &[], When::Arch(&["riscv64"])),
    Rule(
        &["open_by_handle_at"],
        None,
        &[],
        When::Cap("CAP_DAC_READ_SEARCH"),
    ),
    Rule(
        &[
            "bpf",
            "clone",
            "clone3",
            "fanotify_init",
            "fsconfig",
            "fsmount",
            "fsopen",
            "fspick",
            "lookup_dcookie",
            "mount",
            "mount_setattr",
            "move_mount",
            "open_tree",
            "perf_event_open",
            "quotactl",
            "quotactl_fd",
            "setdomainname",
            "sethostname",
            "setns",
            "syslog",
            "umount",
            "umount2",
            "unshare",
        ],
        None,
        &[],
        When::Cap("CAP_SYS_ADMIN"),
    ),
    Rule(
        &["clone"],
        None,
        &[(0, CLONE_NS_FLAGS, MASKED_EQ)],
        When::NoCap("CAP_SYS_ADMIN", &["s390", "s390x"]),
    ),
    // s390 passes clone's flags as the second argument.
    Rule(
        &["clone"],
        None,
        &[(1, CLONE_NS_FLAGS, MASKED_EQ)],
        When::NoCapOnArch("CAP_SYS_ADMIN", &["s390", "s390x"]),
    ),
    // clone3 passes its flags in memory, out of seccomp's reach: ENOSYS makes libc fall back
    // to clone.
    Rule(
        &["clone3"],
        Some(ENOSYS),
        &[],
        When::NoCap("CAP_SYS_ADMIN", &[]),
    ),
    Rule(&["reboot"], None, &[], When::Cap("CAP_SYS_BOOT")),
    Rule(&["chroot"], None, &[], When::Cap("CAP_SYS_CHROOT")),
    Rule(
        &["delete_module", "init_module", "finit_module"],
        None,
        &[],
        When::Cap("CAP_SYS_MODULE"),
    ),
    Rule(&["acct"], None, &[], When::Cap("CAP_SYS_PACCT")),
    Rule(
        &[
            "kcmp",
            "pidfd_getfd",
            "process_madvise",
            "process_vm_readv",
            "process_vm_writev",
            "ptrace",
        ],
        None,
        &[],
        When::Cap("CAP_SYS_PTRACE"),
    ),
    Rule(&["iopl", "ioperm"], None, &[], When::Cap("CAP_SYS_RAWIO")),
    Rule(
        &["settimeofday", "stime", "clock_settime", "clock_settime64"],
        None,
        &[],
        When::Cap("CAP_SYS_TIME"),
    ),
    Rule(&["vhangup"], None, &[], When::Cap("CAP_SYS_TTY_CONFIG")),
    Rule(
        &[
            "get_mempolicy",
            "mbind",
            "set_mempolicy",
            "set_mempolicy_home_node",
        ],
        None,
        &[],
        When::Cap("CAP_SYS_NICE"),
    ),
    Rule(&["syslog"], None, &[], When::Cap("CAP_SYSLOG")),
    Rule(&["bpf"], None, &[], When::Cap("CAP_BPF")),
    Rule(&["perf_event_open"], None, &[], When::Cap("CAP_PERFMON")),
];

/// Native architectures and the ones they also run (the default profile's `archMap`).
const ARCH_MAP: &[(&str, &[&str])] = &[
    ("SCMP_ARCH_X86_64", &["SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
    ("SCMP_ARCH_AARCH64", &["SCMP_ARCH_ARM"]),
    (
        "SCMP_ARCH_MIPS64",
        &["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"],
    ),
    (
        "SCMP_ARCH_MIPS64N32",
        &["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"],
    ),
    (
        "SCMP_ARCH_MIPSEL64",
        &["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"],
    ),
    (
        "SCMP_ARCH_MIPSEL64N32",
        &["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"],
    ),
    ("SCMP_ARCH_S390X", &["SCMP_ARCH_S390"]),
    ("SCMP_ARCH_RISCV64", &[]),
];

// The Docker profile format (moby's `profiles/seccomp` types).

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_errno_ret: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    architectures: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arch_map: Option<Vec<ArchMap>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    listener_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    listener_metadata: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    syscalls: Option<Vec<SyscallRule>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArchMap {
    architecture: String,
    #[serde(default)]
    sub_architectures: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SyscallRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    names: Option<Vec<String>>,
    action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    errno_ret: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    args: Option<Vec<ArgRule>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    includes: Option<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    excludes: Option<Filter>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArgRule {
    index: u32,
    value: u64,
    #[serde(default)]
    value_two: u64,
    op: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arches: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caps: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_kernel: Option<String>,
}

fn strings(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|s| s.to_string()).collect())
}

/// The default profile in Docker's format.
fn default_profile() -> DockerProfile {
    let allow = |names: &[&str]| SyscallRule {
        names: strings(names),
        action: "SCMP_ACT_ALLOW".to_string(),
        ..Default::default()
    };
    let mut syscalls = vec![allow(ALLOWED)];
    for Rule(names, errno, args, when) in RULES {
        let mut r = allow(names);
        if let Some(e) = errno {
            r.action = "SCMP_ACT_ERRNO".to_string();
            r.errno_ret = Some(*e);
        }
        if !args.is_empty() {
            r.args = Some(
                args.iter()
                    .map(|&(index, value, op)| ArgRule {
                        index,
                        value,
                        value_two: 0,
                        op: op.to_string(),
                    })
                    .collect(),
            );
        }
        let caps = |c: &str| Filter {
            caps: strings(&[c]),
            ..Default::default()
        };
        let arches = |a: &[&str]| Filter {
            arches: strings(a),
            ..Default::default()
        };
        match when {
            When::Always => {}
            When::Cap(c) => r.includes = Some(caps(c)),
            When::Arch(a) => r.includes = Some(arches(a)),
            When::MinKernel(k) => {
                r.includes = Some(Filter {
                    min_kernel: Some(k.to_string()),
                    ..Default::default()
                })
            }
            When::NoCap(c, a) => {
                let mut f = caps(c);
                if !a.is_empty() {
                    f.arches = strings(a);
                }
                r.excludes = Some(f);
            }
            When::NoCapOnArch(c, a) => {
                r.includes = Some(arches(a));
                r.excludes = Some(caps(c));
            }
        }
        syscalls.push(r);
    }
    DockerProfile {
        default_action: Some("SCMP_ACT_ERRNO".to_string()),
        default_errno_ret: Some(libc::EPERM as u32),
        arch_map: Some(
            ARCH_MAP
                .iter()
                .map(|(a, subs)| ArchMap {
                    architecture: a.to_string(),
                    sub_architectures: strings(subs),
                })
                .collect(),
        ),
        syscalls: Some(syscalls),
        ..Default::default()
    }
}

/// The default profile as Docker-format JSON (what `docker`'s `default.json` holds), e.g. for
/// users who want to start a custom profile from it.
pub fn default_profile_json() -> serde_json::Value {
    serde_json::to_value(default_profile()).unwrap_or_default()
}

/// The native architecture: (Go's name, as profiles' `arches` use; libseccomp's name).
fn native_arch() -> (&'static str, &'static str) {
    if cfg!(target_arch = "x86_64") {
        ("amd64", "SCMP_ARCH_X86_64")
    } else if cfg!(target_arch = "aarch64") {
        ("arm64", "SCMP_ARCH_AARCH64")
    } else if cfg!(target_arch = "x86") {
        ("386", "SCMP_ARCH_X86")
    } else if cfg!(target_arch = "arm") {
        ("arm", "SCMP_ARCH_ARM")
    } else if cfg!(target_arch = "riscv64") {
        ("riscv64", "SCMP_ARCH_RISCV64")
    } else if cfg!(target_arch = "s390x") {
        ("s390x", "SCMP_ARCH_S390X")
    } else if cfg!(all(target_arch = "powerpc64", target_endian = "little")) {
        ("ppc64le", "SCMP_ARCH_PPC64LE")
    } else {
        ("unknown", "SCMP_ARCH_NATIVE")
    }
}

/// Parses an OCI enum (action, architecture, operator, flag) from its SCREAMING_SNAKE name.
fn oci_enum<T: DeserializeOwned>(what: &str, s: &str) -> Result<T, SpecError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| SpecError::Seccomp(format!("unknown {what} {s:?}")))
}

/// "4.8" → (4, 8).
fn kernel_version(s: &str) -> Result<(u32, u32), SpecError> {
    let bad = || SpecError::Seccomp(format!("invalid kernel version {s:?}"));
    let mut it = s.trim().split('.');
    let major = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    let minor = match it.next() {
        Some(m) => m.parse().map_err(|_| bad())?,
        None => 0,
    };
    Ok((major, minor))
}

/// An OCI argument filter; `valueTwo` is left out when 0, as Docker writes it.
fn seccomp_arg(
    index: usize,
    value: u64,
    value_two: u64,
    op: LinuxSeccompOperator,
) -> LinuxSeccompArg {
    let b = LinuxSeccompArgBuilder::default()
        .index(index)
        .value(value)
        .op(op);
    let b = if value_two != 0 {
        b.value_two(value_two)
    } else {
        b
    };
    // All fields are set or optional: the builder cannot fail.
    b.build().unwrap_or_default()
}

/// Evaluates the profile's conditions for (arch, caps, kernel) and builds the OCI form.
fn convert(
    p: &DockerProfile,
    bounding: &[&str],
    kernel: (u32, u32),
    (goarch, scmp_arch): (&str, &str),
) -> Result<Option<LinuxSeccomp>, SpecError> {
    let rules = p.syscalls.as_deref().unwrap_or_default();
    let Some(default_action) = p.default_action.as_deref().filter(|a| !a.is_empty()) else {
        if rules.is_empty() {
            // Moby: no default action and no rules means no filter at all.
            return Ok(None);
        }
        return Err(SpecError::Seccomp("defaultAction is missing".to_string()));
    };
    // A notify action hands syscalls to a seccomp agent through a listener: not supported.
    let action = |a: &str| match oci_enum::<LinuxSeccompAction>("action", a)? {
        LinuxSeccompAction::ScmpActNotify => Err(SpecError::Seccomp(
            "SCMP_ACT_NOTIFY needs a seccomp agent, which berth does not support".to_string(),
        )),
        a => Ok(a),
    };
    let mut out = LinuxSeccomp::default();
    out.set_default_action(action(default_action)?);
    out.set_default_errno_ret(p.default_errno_ret);

    let arch_list = p.architectures.as_deref().unwrap_or_default();
    let arch_map = p.arch_map.as_deref().unwrap_or_default();
    if !arch_list.is_empty() && !arch_map.is_empty() {
        return Err(SpecError::Seccomp(
            "use either 'architectures' or 'archMap', not both".to_string(),
        ));
    }
    let mut arches: Vec<String> = arch_list.to_vec();
    if let Some(m) = arch_map.iter().find(|m| m.architecture == scmp_arch) {
        arches.push(m.architecture.clone());
        arches.extend(m.sub_architectures.iter().flatten().cloned());
    }
    if !arches.is_empty() {
        let parsed = arches
            .iter()
            .map(|a| oci_enum::<Arch>("architecture", a))
            .collect::<Result<Vec<_>, _>>()?;
        out.set_architectures(Some(parsed));
    }
    if let Some(flags) = p.flags.as_ref().filter(|f| !f.is_empty()) {
        let parsed = flags
            .iter()
            .map(|f| oci_enum::<LinuxSeccompFilterFlag>("flag", f))
            .collect::<Result<Vec<_>, _>>()?;
        out.set_flags(Some(parsed));
    }
    out.set_listener_path(
        p.listener_path
            .clone()
            .filter(|s| !s.is_empty())
            .map(Into::into),
    );
    out.set_listener_metadata(p.listener_metadata.clone().filter(|s| !s.is_empty()));

    let has_cap = |c: &String| bounding.iter().any(|b| b.eq_ignore_ascii_case(c));
    let mut syscalls = Vec::new();
    for r in rules {
        let names = match (&r.name, &r.names) {
            (Some(n), Some(ns)) if !n.is_empty() && !ns.is_empty() => {
                return Err(SpecError::Seccomp(
                    "use either 'name' or 'names' in a rule, not both".to_string(),
                ));
            }
            (Some(n), _) if !n.is_empty() => vec![n.clone()],
            (_, Some(ns)) => ns.clone(),
            _ => Vec::new(),
        };
        if let Some(ex) = &r.excludes {
            if ex.arches.iter().flatten().any(|a| a == goarch)
                || ex.caps.iter().flatten().any(has_cap)
            {
                continue;
            }
            if let Some(k) = &ex.min_kernel
                && kernel >= kernel_version(k)?
            {
                continue;
            }
        }
        if let Some(inc) = &r.includes {
            if let Some(a) = inc.arches.as_ref().filter(|a| !a.is_empty())
                && !a.iter().any(|a| a == goarch)
            {
                continue;
            }
            if !inc.caps.iter().flatten().all(has_cap) {
                continue;
            }
            if let Some(k) = &inc.min_kernel
                && kernel < kernel_version(k)?
            {
                continue;
            }
        }
        let mut s = LinuxSyscall::default();
        s.set_names(names);
        s.set_action(action(&r.action)?);
        s.set_errno_ret(r.errno_ret);
        if let Some(args) = r.args.as_ref().filter(|a| !a.is_empty()) {
            let parsed = args
                .iter()
                .map(|a| {
                    let op = oci_enum::<LinuxSeccompOperator>("operator", &a.op)?;
                    Ok(seccomp_arg(a.index as usize, a.value, a.value_two, op))
                })
                .collect::<Result<Vec<_>, SpecError>>()?;
            s.set_args(Some(parsed));
        }
        syscalls.push(s);
    }
    out.set_syscalls(Some(syscalls));
    Ok(Some(out))
}

/// Berth's default filter for a container whose bounding set is `bounding` (capability names
/// such as `CAP_SYS_ADMIN`), on a kernel of version `kernel`.
pub fn default_seccomp(bounding: &[&str], kernel: (u32, u32)) -> Result<LinuxSeccomp, SpecError> {
    convert(&default_profile(), bounding, kernel, native_arch())?
        .ok_or_else(|| SpecError::Seccomp("the default profile is empty".to_string()))
}

/// Converts a Docker-format profile (the JSON of `--security-opt seccomp=FILE`) for a container
/// whose bounding set is `bounding`. `Ok(None)`: the profile asks for no filter.
pub fn profile_to_oci(
    profile: &serde_json::Value,
    bounding: &[&str],
    kernel: (u32, u32),
) -> Result<Option<LinuxSeccomp>, SpecError> {
    let p: DockerProfile = serde_json::from_value(profile.clone())
        .map_err(|e| SpecError::Seccomp(format!("invalid profile: {e}")))?;
    convert(&p, bounding, kernel, native_arch())
}

#[cfg(test)]
mod tests {
    use super::super::caps::DOCKER_DEFAULT_CAPS;
    use super::*;

    const X86: (&str, &str) = ("amd64", "SCMP_ARCH_X86_64");

    fn default_for(extra: &[&str]) -> LinuxSeccomp {
        let caps: Vec<&str> = DOCKER_DEFAULT_CAPS
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .collect();
        convert(&default_profile(), &caps, (6, 1), X86)
            .unwrap()
            .unwrap()
    }

    /// Rules naming `name`: (action, errno, has args).
    fn rules_for<'a>(s: &'a LinuxSeccomp, name: &str) -> Vec<&'a LinuxSyscall> {
        s.syscalls()
            .as_ref()
            .unwrap()
            .iter()
            .filter(|r| r.names().iter().any(|n| n == name))
            .collect()
    }

    /// Allowed without any argument filter.
    fn allowed(s: &LinuxSeccomp, name: &str) -> bool {
        rules_for(s, name)
            .iter()
            .any(|r| r.action() == LinuxSeccompAction::ScmpActAllow && r.args().is_none())
    }

    #[test]
    fn allow_list_is_unique() {
        let set: std::collections::HashSet<_> = ALLOWED.iter().collect();
        assert_eq!(set.len(), ALLOWED.len());
    }

    #[test]
    fn defaults() {
        let s = default_for(&[]);
        assert_eq!(s.default_action(), LinuxSeccompAction::ScmpActErrno);
        assert_eq!(s.default_errno_ret(), Some(1));
        assert_eq!(
            s.architectures().as_deref(),
            Some(&[Arch::ScmpArchX86_64, Arch::ScmpArchX86, Arch::ScmpArchX32][..])
        );
        for ok in [
            "read",
            "write",
            "execve",
            "chroot",
            "arch_prctl",
            "modify_ldt",
            "ptrace",
        ] {
            assert!(allowed(&s, ok), "{ok} should be allowed");
        }
        for no in [
            "mount",
            "umount2",
            "unshare",
            "setns",
            "reboot",
            "kexec_load",
            "init_module",
            "bpf",
            "clock_settime",
            "iopl",
            "acct",
            "syslog",
            "open_by_handle_at",
            "clone3",
            "keyctl",
            "add_key",
            "userfaultfd",
            "kcmp",
            "mbind",
            "set_tls",
            "swapon",
        ] {
            assert!(!allowed(&s, no), "{no} should not be allowed");
        }
        // clone: only without namespace flags; clone3: ENOSYS.
        let clone = rules_for(&s, "clone");
        assert_eq!(clone.len(), 1);
        let a = clone[0].args().as_ref().unwrap()[0];
        assert_eq!(
            (a.index(), a.value(), a.value_two(), a.op()),
            (0, 0x7E02_0000, None, LinuxSeccompOperator::ScmpCmpMaskedEq)
        );
        let c3 = rules_for(&s, "clone3");
        assert_eq!(c3.len(), 1);
        assert_eq!(c3[0].action(), LinuxSeccompAction::ScmpActErrno);
        assert_eq!(c3[0].errno_ret(), Some(38));
        // socket: everything but AF_VSOCK; personality: five values.
        let sock = rules_for(&s, "socket");
        assert_eq!(sock[0].args().as_ref().unwrap()[0].value(), 40);
        assert_eq!(rules_for(&s, "personality").len(), 5);
    }

    #[test]
    fn capabilities_open_their_syscalls() {
        let s = default_for(&["CAP_SYS_ADMIN"]);
        for ok in [
            "mount",
            "umount2",
            "unshare",
            "setns",
            "sethostname",
            "clone",
            "clone3",
        ] {
            assert!(allowed(&s, ok), "{ok} with CAP_SYS_ADMIN");
        }
        // The masked clone rule and clone3's ENOSYS go away with CAP_SYS_ADMIN.
        assert!(rules_for(&s, "clone").iter().all(|r| r.args().is_none()));
        assert!(
            rules_for(&s, "clone3")
                .iter()
                .all(|r| r.action() == LinuxSeccompAction::ScmpActAllow)
        );
        assert!(!allowed(&s, "reboot"));
        let pairs = [
            ("CAP_SYS_BOOT", "reboot"),
            ("CAP_SYS_MODULE", "finit_module"),
            ("CAP_SYS_PTRACE", "kcmp"),
            ("CAP_SYS_TIME", "clock_settime"),
            ("CAP_SYS_NICE", "mbind"),
            ("CAP_SYS_PACCT", "acct"),
            ("CAP_SYS_RAWIO", "iopl"),
            ("CAP_SYSLOG", "syslog"),
            ("CAP_DAC_READ_SEARCH", "open_by_handle_at"),
            ("CAP_SYS_TTY_CONFIG", "vhangup"),
            ("CAP_BPF", "bpf"),
            ("CAP_PERFMON", "perf_event_open"),
        ];
        for (cap, sc) in pairs {
            assert!(!allowed(&default_for(&[]), sc), "{sc} without {cap}");
            assert!(allowed(&default_for(&[cap]), sc), "{sc} with {cap}");
        }
        // CAP_SYS_CHROOT is a default capability; without it, chroot goes.
        let caps: Vec<&str> = DOCKER_DEFAULT_CAPS
            .iter()
            .copied()
            .filter(|c| *c != "CAP_SYS_CHROOT")
            .collect();
        let s = convert(&default_profile(), &caps, (6, 1), X86)
            .unwrap()
            .unwrap();
        assert!(!allowed(&s, "chroot"));
    }

    #[test]
    fn kernel_and_arch_conditions() {
        let caps = DOCKER_DEFAULT_CAPS.to_vec();
        let old = convert(&default_profile(), &caps, (4, 4), X86)
            .unwrap()
            .unwrap();
        assert!(!allowed(&old, "ptrace"));
        let arm = convert(
            &default_profile(),
            &caps,
            (6, 1),
            ("arm64", "SCMP_ARCH_AARCH64"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            arm.architectures().as_deref(),
            Some(&[Arch::ScmpArchAarch64, Arch::ScmpArchArm][..])
        );
        assert!(allowed(&arm, "set_tls") && !allowed(&arm, "arch_prctl"));
        let s390 = convert(
            &default_profile(),
            &caps,
            (6, 1),
            ("s390x", "SCMP_ARCH_S390X"),
        )
        .unwrap()
        .unwrap();
        let clone = rules_for(&s390, "clone");
        assert_eq!(clone.len(), 1);
        assert_eq!(clone[0].args().as_ref().unwrap()[0].index(), 1);
    }

    #[test]
    fn docker_format_profile() {
        let json = serde_json::json!({
            "defaultAction": "SCMP_ACT_ERRNO",
            "defaultErrnoRet": 1,
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "flags": ["SECCOMP_FILTER_FLAG_LOG"],
            "syscalls": [
                {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                {"name": "kill", "action": "SCMP_ACT_KILL_PROCESS"},
                {"names": ["mount"], "action": "SCMP_ACT_ALLOW",
                 "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
                 "excludes": {"caps": ["CAP_KILL"]}},
                {"names": ["futex"], "action": "SCMP_ACT_LOG",
                 "includes": {"minKernel": "99.0"}},
                {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                 "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
                {"names": ["mips_only"], "action": "SCMP_ACT_ALLOW",
                 "includes": {"arches": ["mips64"]}}
            ]
        });
        let s = profile_to_oci(&json, &["CAP_KILL"], (6, 1))
            .unwrap()
            .unwrap();
        let out = serde_json::to_value(&s).unwrap();
        assert_eq!(out["defaultAction"], "SCMP_ACT_ERRNO");
        assert_eq!(out["defaultErrnoRet"], 1);
        assert_eq!(
            out["architectures"],
            serde_json::json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        );
        assert_eq!(out["flags"], serde_json::json!(["SECCOMP_FILTER_FLAG_LOG"]));
        let names: Vec<String> = s
            .syscalls()
            .as_ref()
            .unwrap()
            .iter()
            .map(|r| r.names().join(","))
            .collect();
        if cfg!(target_arch = "x86_64") {
            assert_eq!(names, ["read,write", "kill", "clone"]);
        }
        assert_eq!(out["syscalls"][1]["action"], "SCMP_ACT_KILL_PROCESS");
        assert_eq!(out["syscalls"][2]["args"][0]["op"], "SCMP_CMP_MASKED_EQ");
        assert_eq!(out["syscalls"][2]["args"][0]["value"], 2114060288u64);

        // With CAP_SYS_ADMIN and without CAP_KILL.
        let s = profile_to_oci(&json, &["CAP_SYS_ADMIN"], (6, 1))
            .unwrap()
            .unwrap();
        let names: Vec<String> = s
            .syscalls()
            .as_ref()
            .unwrap()
            .iter()
            .map(|r| r.names().join(","))
            .collect();
        assert!(names.contains(&"mount".to_string()) && names.contains(&"getpid".to_string()));
    }

    #[test]
    fn profile_errors_and_empty() {
        let bad = |v: serde_json::Value| profile_to_oci(&v, &[], (6, 1)).unwrap_err().to_string();
        assert!(
            profile_to_oci(&serde_json::json!({}), &[], (6, 1))
                .unwrap()
                .is_none()
        );
        assert_eq!(
            bad(serde_json::json!({"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]})),
            "seccomp profile: defaultAction is missing"
        );
        assert_eq!(
            bad(serde_json::json!({"defaultAction": "SCMP_ACT_NOPE"})),
            "seccomp profile: unknown action \"SCMP_ACT_NOPE\""
        );
        assert!(
            bad(serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64"],
            "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": null}]}))
            .contains("either")
        );
        assert!(
            bad(serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"name": "a", "names": ["b"], "action": "SCMP_ACT_ERRNO"}]}))
            .contains("either 'name' or 'names'")
        );
        assert!(
            bad(serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO",
                          "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_WHAT"}]}]}))
            .contains("unknown operator")
        );
        assert!(
            bad(serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO",
                          "includes": {"minKernel": "x.y"}}]}))
            .contains("invalid kernel version")
        );
        assert!(bad(serde_json::json!([1, 2])).starts_with("seccomp profile: invalid profile"));
    }

    #[test]
    fn default_profile_json_round_trips() {
        let json = default_profile_json();
        assert_eq!(json["defaultAction"], "SCMP_ACT_ERRNO");
        let caps = DOCKER_DEFAULT_CAPS.to_vec();
        let a = profile_to_oci(&json, &caps, (6, 1)).unwrap().unwrap();
        let b = default_seccomp(&caps, (6, 1)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn every_oci_arch_name_parses() {
        for (a, subs) in ARCH_MAP {
            oci_enum::<Arch>("architecture", a).unwrap();
            for s in *subs {
                oci_enum::<Arch>("architecture", s).unwrap();
            }
        }
    }

    #[test]
    fn masked_eq_keeps_oci_operands() {
        // OCI and runc: `(arg & value) == valueTwo`; the clone rule allows no namespace flag.
        let s = default_for(&[]);
        let clone = rules_for(&s, "clone");
        let a = clone[0].args().as_ref().unwrap()[0];
        assert_eq!((a.value(), a.value_two()), (0x7E02_0000, None));
    }
}
