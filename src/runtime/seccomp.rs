//! The container's seccomp filter: compiled once, cached, and installed by berth's executor.
//!
//! libcontainer 0.7 compiles `linux.seccomp` with libseccomp inside every container's init,
//! which for Docker's default profile costs 10–18 ms here: a third of a `run --rm`. berth
//! compiles a profile once instead and keeps the BPF program in a cache keyed by the profile,
//! so a start only reads a file:
//!
//! * [`write_bundle`] writes the bundle libcontainer gets. A spec with `linux.seccomp` is
//!   compiled (or found in the cache, `STATE_ROOT/.seccomp/<sha256>`), the program is written
//!   next to `config.json` as `seccomp.bpf`, and the spec loses its `linux.seccomp`. Unless the
//!   process sets `noNewPrivileges`, it also gets `CAP_SYS_ADMIN` in its effective and
//!   permitted sets (not in its bounding set): the kernel lets a process without
//!   no_new_privs install a filter only with that capability.
//! * In the container's init, right before `execve`, the executor [`Filter::install`]s the
//!   program with the flags libseccomp would have used, then drops from the effective and
//!   permitted sets every capability outside the bounding set: the lent `CAP_SYS_ADMIN`.
//!   (`execve` would also recompute both sets from the bounding set; the container's process
//!   ends with exactly the spec's capabilities either way.) `exec`'d processes get the same.
//!
//! The program is what libseccomp's `seccomp_load` would have loaded: the same translation
//! as libcontainer's (actions, architectures, argument comparisons, one rule per argument when
//! an index repeats, rules equal to the default action and syscalls unknown to libseccomp
//! skipped), exported with `seccomp_export_bpf`. One difference: `SCMP_CMP_MASKED_EQ` takes
//! its operands as the OCI spec and runc do (`(arg & value) == valueTwo`), where libcontainer
//! 0.7 swaps them. `SCMP_ACT_NOTIFY` (a seccomp agent) is not supported.
//!
//! Cache and bundle files: `BSF1`, the load flags (u32, little-endian), the program (struct
//! sock_filter array, host order), and the SHA-256 of everything before it. A file that does
//! not verify is recompiled (cache) or refused (bundle). Cache entries are written to a
//! temporary file and renamed into place, so parallel starts never see a partial one.

use std::fs;
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use libseccomp::{
    ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall,
    ScmpVersion,
};
use oci_spec::runtime::{
    Capability, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompFilterFlag, LinuxSeccompOperator,
    Spec,
};
use sha2::{Digest, Sha256};

/// File name of the compiled filter in a bundle.
pub const BUNDLE_FILE: &str = "seccomp.bpf";
const MAGIC: &[u8; 4] = b"BSF1";
/// Bump when the translation changes: cache keys include it.
const FORMAT: &str = "berth-seccomp-1";
/// BPF_MAXINSNS.
const MAX_INSNS: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("seccomp profile: {0}")]
    Profile(String),
    #[error("compiling the seccomp profile: {0}")]
    Compile(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: not a valid compiled seccomp filter ({reason})", path.display())]
    Invalid { path: PathBuf, reason: &'static str },
}

type Result<T> = std::result::Result<T, FilterError>;

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> FilterError + '_ {
    move |source| FilterError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A compiled filter: the BPF program and the flags of `seccomp(SECCOMP_SET_MODE_FILTER)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    flags: u32,
    program: Vec<libc::sock_filter>,
}

impl Filter {
    /// Number of BPF instructions.
    pub fn len(&self) -> usize {
        self.program.len()
    }

    pub fn is_empty(&self) -> bool {
        self.program.is_empty()
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.program.len() * 8 + 32);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.flags.to_le_bytes());
        for i in &self.program {
            out.extend_from_slice(&i.code.to_ne_bytes());
            out.push(i.jt);
            out.push(i.jf);
            out.extend_from_slice(&i.k.to_ne_bytes());
        }
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        out
    }

    fn decode(b: &[u8]) -> std::result::Result<Filter, &'static str> {
        if b.len() < 8 + 8 + 32 {
            return Err("too short");
        }
        let (body, sum) = b.split_at(b.len() - 32);
        if Sha256::digest(body).as_slice() != sum {
            return Err("checksum mismatch");
        }
        if &body[..4] != MAGIC {
            return Err("unknown format");
        }
        let flags = u32::from_le_bytes(body[4..8].try_into().unwrap_or_default());
        let insns = &body[8..];
        if insns.len() % 8 != 0 || insns.len() / 8 > MAX_INSNS {
            return Err("bad program length");
        }
        let program = insns
            .chunks_exact(8)
            .map(|c| libc::sock_filter {
                code: u16::from_ne_bytes([c[0], c[1]]),
                jt: c[2],
                jf: c[3],
                k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect();
        Ok(Filter { flags, program })
    }

    fn read(path: &Path) -> Result<Filter> {
        let b = fs::read(path).map_err(io_at(path))?;
        Filter::decode(&b).map_err(|reason| FilterError::Invalid {
            path: path.to_owned(),
            reason,
        })
    }

    /// The filter of a bundle written by [`write_bundle`], if it has one.
    pub fn from_bundle(bundle: &Path) -> Result<Option<Filter>> {
        let p = bundle.join(BUNDLE_FILE);
        match fs::symlink_metadata(&p) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_at(&p)(e)),
            Ok(_) => Filter::read(&p).map(Some),
        }
    }

    /// Installs the filter on the calling thread: `seccomp(SECCOMP_SET_MODE_FILTER)`. Needs
    /// no_new_privs or CAP_SYS_ADMIN.
    pub fn install(&self) -> io::Result<()> {
        let prog = libc::sock_fprog {
            len: self.program.len() as libc::c_ushort,
            filter: self.program.as_ptr() as *mut libc::sock_filter,
        };
        // SAFETY: `prog` points at `len` valid instructions that outlive the call; the kernel
        // copies the program.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER as libc::c_ulong,
                self.flags as libc::c_ulong,
                &prog as *const libc::sock_fprog,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

/// Drops from the calling thread's effective and permitted sets the capabilities outside its
/// bounding set (the `CAP_SYS_ADMIN` lent for [`Filter::install`]).
pub fn drop_caps_outside_bounding() -> io::Result<()> {
    let err = |e: caps::errors::CapsError| io::Error::other(e.to_string());
    let bounding = caps::read(None, caps::CapSet::Bounding).map_err(err)?;
    for set in [caps::CapSet::Effective, caps::CapSet::Permitted] {
        let have = caps::read(None, set).map_err(err)?;
        if !have.is_subset(&bounding) {
            let keep = have.intersection(&bounding).copied().collect();
            caps::set(None, set, &keep).map_err(err)?;
        }
    }
    Ok(())
}

/// Writes `BUNDLE/config.json` for libcontainer from `spec`: with a `linux.seccomp`, the
/// compiled filter goes to `BUNDLE/seccomp.bpf` (compiled once per profile, then taken from
/// `cache_dir`), the spec loses its `linux.seccomp` and, without noNewPrivileges, its process
/// is lent `CAP_SYS_ADMIN` (see the module's documentation).
pub fn write_bundle(spec: &Spec, bundle: &Path, cache_dir: &Path) -> Result<()> {
    let mut spec = spec.clone();
    let bpf = bundle.join(BUNDLE_FILE);
    let seccomp = spec.linux().as_ref().and_then(|l| l.seccomp().clone());
    match &seccomp {
        Some(sc) => {
            let f = cached(sc, cache_dir)?;
            write_replacing(&bpf, &f.encode())?;
            if let Some(l) = spec.linux_mut() {
                l.set_seccomp(None);
            }
            lend_cap_sys_admin(&mut spec);
        }
        None => match fs::remove_file(&bpf) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_at(&bpf)(e)),
            _ => {}
        },
    }
    let json = serde_json::to_vec_pretty(&spec)
        .map_err(|e| FilterError::Profile(format!("serializing the runtime spec: {e}")))?;
    write_replacing(&bundle.join("config.json"), &json)
}

/// Adds CAP_SYS_ADMIN to the effective and permitted sets of a process that installs its
/// filter without no_new_privs.
fn lend_cap_sys_admin(spec: &mut Spec) {
    let Some(p) = spec.process_mut() else {
        return;
    };
    if p.no_new_privileges() == Some(true) {
        return;
    }
    let mut caps = p.capabilities().clone().unwrap_or_default();
    let mut e = caps.effective().clone().unwrap_or_default();
    let mut pm = caps.permitted().clone().unwrap_or_default();
    e.insert(Capability::SysAdmin);
    pm.insert(Capability::SysAdmin);
    caps.set_effective(Some(e)).set_permitted(Some(pm));
    p.set_capabilities(Some(caps));
}

fn write_replacing(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let r = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        fs::rename(&tmp, path)
    })();
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r.map_err(io_at(path))
}

/// The cache key: the translation's version, libseccomp's version, the kernel release
/// (libseccomp checks the kernel's support of actions and flags) and the profile.
fn cache_key(sc: &LinuxSeccomp) -> Result<String> {
    let mut h = Sha256::new();
    h.update(FORMAT);
    h.update([0]);
    if let Ok(v) = ScmpVersion::current() {
        h.update(format!("{}.{}.{}", v.major, v.minor, v.micro));
    }
    h.update([0]);
    if let Ok(u) = nix::sys::utsname::uname() {
        h.update(u.release().as_encoded_bytes());
    }
    h.update([0]);
    let json = serde_json::to_vec(sc)
        .map_err(|e| FilterError::Profile(format!("serializing the profile: {e}")))?;
    h.update(&json);
    Ok(hex::encode(h.finalize()))
}

/// The compiled filter for `sc`, from the cache when it is there (and verifies).
pub fn cached(sc: &LinuxSeccomp, cache_dir: &Path) -> Result<Filter> {
    let path = cache_dir.join(cache_key(sc)?);
    if let Ok(f) = Filter::read(&path) {
        return Ok(f);
    }
    let f = compile(sc)?;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(cache_dir)
        .map_err(io_at(cache_dir))?;
    write_replacing(&path, &f.encode())?;
    Ok(f)
}

fn oci_name<T: serde::Serialize + std::fmt::Debug>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{v:?}"),
    }
}

fn action(a: LinuxSeccompAction, errno: Option<u32>) -> Result<ScmpAction> {
    if a == LinuxSeccompAction::ScmpActNotify {
        return Err(FilterError::Profile(
            "SCMP_ACT_NOTIFY needs a seccomp agent, which berth does not support".into(),
        ));
    }
    // libcontainer's (and runc's) default errno for SCMP_ACT_ERRNO is EPERM; for
    // SCMP_ACT_TRACE, also EPERM.
    let val = match a {
        LinuxSeccompAction::ScmpActErrno | LinuxSeccompAction::ScmpActTrace => {
            Some(errno.unwrap_or(libc::EPERM as u32) as i32)
        }
        _ => None,
    };
    ScmpAction::from_str(&oci_name(&a), val).map_err(|e| FilterError::Profile(e.to_string()))
}

fn compare(op: LinuxSeccompOperator, value: u64, value_two: Option<u64>) -> (ScmpCompareOp, u64) {
    use LinuxSeccompOperator as O;
    match op {
        O::ScmpCmpNe => (ScmpCompareOp::NotEqual, value),
        O::ScmpCmpLt => (ScmpCompareOp::Less, value),
        O::ScmpCmpLe => (ScmpCompareOp::LessOrEqual, value),
        O::ScmpCmpEq => (ScmpCompareOp::Equal, value),
        O::ScmpCmpGe => (ScmpCompareOp::GreaterEqual, value),
        O::ScmpCmpGt => (ScmpCompareOp::Greater, value),
        // OCI/runc: value is the mask, valueTwo the expected value.
        O::ScmpCmpMaskedEq => (ScmpCompareOp::MaskedEqual(value), value_two.unwrap_or(0)),
    }
}

/// Compiles a profile with libseccomp into the program `seccomp_load` would load.
pub fn compile(sc: &LinuxSeccomp) -> Result<Filter> {
    let c = |e: libseccomp::error::SeccompError| FilterError::Compile(e.to_string());
    let default = action(sc.default_action(), sc.default_errno_ret())?;
    let mut ctx = ScmpFilterContext::new(default).map_err(c)?;
    let mut flags = 0u32;
    for f in sc.flags().iter().flatten() {
        flags |= match f {
            LinuxSeccompFilterFlag::SeccompFilterFlagLog => libc::SECCOMP_FILTER_FLAG_LOG,
            LinuxSeccompFilterFlag::SeccompFilterFlagTsync => libc::SECCOMP_FILTER_FLAG_TSYNC,
            LinuxSeccompFilterFlag::SeccompFilterFlagSpecAllow => {
                libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW
            }
            // Only meaningful with a listener (SCMP_ACT_NOTIFY), which is refused.
            LinuxSeccompFilterFlag::SeccompFilterFlagWaitKillableRecv => 0,
        } as u32;
    }
    for a in sc.architectures().iter().flatten() {
        let arch = ScmpArch::from_str(&oci_name(a))
            .map_err(|e| FilterError::Profile(format!("architecture {}: {e}", oci_name(a))))?;
        ctx.add_arch(arch).map_err(c)?;
    }
    ctx.set_ctl_nnp(false).map_err(c)?;
    for rule in sc.syscalls().iter().flatten() {
        let act = action(rule.action(), rule.errno_ret())?;
        if act == default {
            continue;
        }
        for name in rule.names() {
            // A name libseccomp does not know is a syscall this kernel lacks: skipped, as
            // libcontainer and runc do.
            let Ok(nr) = ScmpSyscall::from_name(name) else {
                continue;
            };
            let args = rule.args().as_deref().unwrap_or_default();
            if args.is_empty() {
                ctx.add_rule(act, nr).map_err(c)?;
                continue;
            }
            let cmps: Vec<ScmpArgCompare> = args
                .iter()
                .map(|a| {
                    let (op, datum) = compare(a.op(), a.value(), a.value_two());
                    ScmpArgCompare::new(a.index() as u32, op, datum)
                })
                .collect();
            let mut seen = std::collections::HashSet::new();
            if args.iter().all(|a| seen.insert(a.index())) {
                ctx.add_rule_conditional(act, nr, &cmps).map_err(c)?;
            } else {
                // libseccomp compares each argument once per rule: one rule per comparison.
                for cmp in &cmps {
                    ctx.add_rule_conditional(act, nr, std::slice::from_ref(cmp))
                        .map_err(c)?;
                }
            }
        }
    }
    // libseccomp writes the program to a file descriptor: an anonymous temporary file.
    let mut tmp = tempfile::tempfile().map_err(|e| FilterError::Compile(e.to_string()))?;
    ctx.export_bpf(&tmp).map_err(c)?;
    let mut raw = Vec::new();
    tmp.rewind()
        .and_then(|_| tmp.read_to_end(&mut raw))
        .map_err(|e| FilterError::Compile(e.to_string()))?;
    if raw.is_empty() || raw.len() % 8 != 0 || raw.len() / 8 > MAX_INSNS {
        return Err(FilterError::Compile(format!(
            "libseccomp produced a program of {} bytes",
            raw.len()
        )));
    }
    let mut enc = MAGIC.to_vec();
    enc.extend_from_slice(&flags.to_le_bytes());
    enc.extend_from_slice(&raw);
    let sum = Sha256::digest(&enc);
    enc.extend_from_slice(&sum);
    Filter::decode(&enc).map_err(|r| FilterError::Compile(r.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oci_spec::runtime::{LinuxSeccompArgBuilder, LinuxSyscallBuilder};

    fn profile(rules: Vec<oci_spec::runtime::LinuxSyscall>) -> LinuxSeccomp {
        let mut sc = LinuxSeccomp::default();
        sc.set_default_action(LinuxSeccompAction::ScmpActAllow);
        sc.set_architectures(Some(vec![oci_spec::runtime::Arch::ScmpArchX86_64]));
        sc.set_syscalls(Some(rules));
        sc
    }

    fn deny_chmod_without(mask: u64, value_two: u64) -> LinuxSeccomp {
        let arg = LinuxSeccompArgBuilder::default()
            .index(1usize)
            .value(mask)
            .value_two(value_two)
            .op(LinuxSeccompOperator::ScmpCmpMaskedEq)
            .build()
            .unwrap();
        profile(vec![
            LinuxSyscallBuilder::default()
                .names(vec!["chmod".to_string()])
                .action(LinuxSeccompAction::ScmpActErrno)
                .args(vec![arg])
                .build()
                .unwrap(),
        ])
    }

    #[test]
    fn encode_decode_round_trip_and_corruption() {
        let f = compile(&deny_chmod_without(0o4000, 0)).unwrap();
        assert!(!f.is_empty());
        let enc = f.encode();
        assert_eq!(Filter::decode(&enc).unwrap(), f);
        let mut bad = enc.clone();
        bad[10] ^= 1;
        assert_eq!(Filter::decode(&bad), Err("checksum mismatch"));
        assert_eq!(Filter::decode(&enc[..20]), Err("too short"));
    }

    #[test]
    fn masked_eq_takes_oci_operands() {
        // (mode & 0o4000) == 0 versus (mode & 0) == 0o4000: different programs.
        let a = compile(&deny_chmod_without(0o4000, 0)).unwrap();
        let b = compile(&deny_chmod_without(0, 0o4000)).unwrap();
        assert_ne!(a, b);
        // The mask appears as an AND constant in the program.
        let and_k = a.program.iter().any(|i| {
            i.code == (libc::BPF_ALU | libc::BPF_AND | libc::BPF_K) as u16 && i.k == 0o4000
        });
        assert!(and_k, "{:?}", a.program);
    }

    #[test]
    fn notify_is_refused() {
        let mut sc = profile(vec![]);
        sc.set_default_action(LinuxSeccompAction::ScmpActNotify);
        assert!(matches!(compile(&sc), Err(FilterError::Profile(_))));
    }

    #[test]
    fn cache_hits_and_recompiles_a_damaged_entry() {
        let d = tempfile::tempdir().unwrap();
        let sc = deny_chmod_without(0o4000, 0);
        let f = cached(&sc, d.path()).unwrap();
        let entries: Vec<_> = fs::read_dir(d.path()).unwrap().flatten().collect();
        assert_eq!(entries.len(), 1, "one entry, no temporary file left");
        let p = entries[0].path();
        assert_eq!(cached(&sc, d.path()).unwrap(), f);
        fs::write(&p, b"garbage").unwrap();
        assert_eq!(cached(&sc, d.path()).unwrap(), f);
        assert_eq!(Filter::read(&p).unwrap(), f);
        // Another profile, another entry.
        cached(&deny_chmod_without(0o2000, 0), d.path()).unwrap();
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 2);
    }

    #[test]
    fn bundle_without_seccomp_in_spec_and_lent_capability() {
        let d = tempfile::tempdir().unwrap();
        let cache = d.path().join("cache");
        let mut spec = Spec::default();
        let mut linux = spec.linux().clone().unwrap_or_default();
        linux.set_seccomp(Some(deny_chmod_without(0o4000, 0)));
        spec.set_linux(Some(linux));
        // (oci-spec's default process sets noNewPrivileges.)
        let mut p = spec.process().clone().unwrap();
        p.set_no_new_privileges(None);
        spec.set_process(Some(p));
        // Whether the written bundle's process has CAP_SYS_ADMIN in (effective, permitted,
        // bounding), and its linux.seccomp.
        let written = |spec: &Spec| {
            write_bundle(spec, d.path(), &cache).unwrap();
            let lc = Spec::load(d.path().join("config.json")).unwrap();
            let caps = lc
                .process()
                .as_ref()
                .unwrap()
                .capabilities()
                .clone()
                .unwrap();
            let has = |set: &Option<oci_spec::runtime::Capabilities>| {
                set.as_ref().unwrap().contains(&Capability::SysAdmin)
            };
            let sys_admin = (
                has(caps.effective()),
                has(caps.permitted()),
                has(caps.bounding()),
            );
            (sys_admin, lc.linux().as_ref().unwrap().seccomp().is_some())
        };
        assert_eq!(written(&spec), ((true, true, false), false));
        assert!(Filter::from_bundle(d.path()).unwrap().is_some());

        // noNewPrivileges: nothing lent. No seccomp: no filter file (an old one is removed).
        let mut p = spec.process().clone().unwrap();
        p.set_no_new_privileges(Some(true));
        spec.set_process(Some(p));
        assert_eq!(written(&spec), ((false, false, false), false));
        if let Some(l) = spec.linux_mut() {
            l.set_seccomp(None);
        }
        write_bundle(&spec, d.path(), &cache).unwrap();
        assert!(Filter::from_bundle(d.path()).unwrap().is_none());
    }
}
