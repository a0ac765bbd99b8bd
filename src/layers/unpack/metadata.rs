//! Entry metadata: owners, modes, times and xattrs read from a tar entry (PAX records
//! included), and the calls that apply xattrs and modes without following symlinks.

use std::ffi::{CStr, CString};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, BorrowedFd};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::libc;
use nix::sys::stat::{self, Mode};
use nix::sys::time::TimeSpec;
use nix::unistd::{Gid, Uid};

use super::UnpackError;

pub(super) struct Meta {
    pub(super) mode: Mode,
    pub(super) uid: Uid,
    pub(super) gid: Gid,
    pub(super) atime: TimeSpec,
    pub(super) mtime: TimeSpec,
    pub(super) xattrs: Vec<(CString, Vec<u8>)>,
    pub(super) pax_sparse: bool,
}

impl Meta {
    pub(super) fn read<R: Read>(
        entry: &mut tar::Entry<'_, R>,
        name: &str,
    ) -> Result<Meta, UnpackError> {
        let bad = |field: &str, e: io::Error| {
            UnpackError::Corrupt(format!("entry {name:?} has an invalid {field}: {e}"))
        };
        let header = entry.header();
        let mode = header.mode().map_err(|e| bad("mode", e))? & 0o7777;
        // PAX uid/gid records have already been folded into the header.
        let uid = header.uid().map_err(|e| bad("uid", e))?;
        let gid = header.gid().map_err(|e| bad("gid", e))?;
        let mtime = header.mtime().map_err(|e| bad("mtime", e))?;
        let id = |v: u64, field: &str| {
            u32::try_from(v)
                .map_err(|_| UnpackError::Corrupt(format!("entry {name:?} has {field} {v} > 2^32")))
        };
        let mut meta = Meta {
            mode: Mode::from_bits_retain(mode),
            uid: Uid::from_raw(id(uid, "uid")?),
            gid: Gid::from_raw(id(gid, "gid")?),
            atime: TimeSpec::new(0, 0),
            mtime: TimeSpec::new(i64::try_from(mtime).unwrap_or(i64::MAX), 0),
            xattrs: Vec::new(),
            pax_sparse: false,
        };
        let mut atime = None;
        if let Some(extensions) = entry.pax_extensions().map_err(|e| bad("PAX header", e))? {
            for ext in extensions {
                let ext = ext.map_err(|e| bad("PAX record", e))?;
                let key = ext.key_bytes();
                let value = ext.value_bytes();
                if let Some(xattr) = key.strip_prefix(b"SCHILY.xattr.") {
                    // Overlayfs metadata only comes from whiteout conversion.
                    if xattr.starts_with(b"trusted.overlay.") {
                        continue;
                    }
                    let xattr = CString::new(xattr).map_err(|_| {
                        UnpackError::Corrupt(format!("entry {name:?} has an invalid xattr name"))
                    })?;
                    meta.xattrs.push((xattr, value.to_vec()));
                } else if key == b"mtime" {
                    meta.mtime = parse_pax_time(value)
                        .ok_or_else(|| bad("PAX mtime", io::Error::other("bad number")))?;
                } else if key == b"atime" {
                    atime = Some(
                        parse_pax_time(value)
                            .ok_or_else(|| bad("PAX atime", io::Error::other("bad number")))?,
                    );
                } else if key.starts_with(b"GNU.sparse.") {
                    meta.pax_sparse = true;
                }
            }
        }
        meta.atime = atime.unwrap_or(meta.mtime);
        Ok(meta)
    }
}

/// Parses a PAX time (`1700000000`, `1700000000.123456789`, `-1.5`).
pub(super) fn parse_pax_time(value: &[u8]) -> Option<TimeSpec> {
    let text = std::str::from_utf8(value).ok()?;
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (secs, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut secs: i64 = secs.parse().ok()?;
    // Nanoseconds: first nine fractional digits, right-padded with zeros.
    let mut nanos: i64 = 0;
    for i in 0..9 {
        nanos = nanos * 10 + frac.as_bytes().get(i).map_or(0, |d| i64::from(d - b'0'));
    }
    if negative {
        secs = -secs;
        if nanos > 0 {
            secs -= 1;
            nanos = 1_000_000_000 - nanos;
        }
    }
    Some(TimeSpec::new(secs, nanos))
}

/// Whether an xattr failure is ignored (as Docker does): the file system does
/// not support it, or the kernel refuses this namespace on this file type.
pub(super) fn xattr_ignorable(e: Errno) -> bool {
    matches!(e, Errno::EOPNOTSUPP | Errno::EPERM)
}

pub(super) fn fsetxattr(fd: BorrowedFd<'_>, name: &CStr, value: &[u8]) -> nix::Result<()> {
    // SAFETY: valid fd, NUL-terminated name, pointer/length of a live slice.
    let res = unsafe {
        libc::fsetxattr(
            fd.as_raw_fd(),
            name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    Errno::result(res).map(drop)
}

pub(super) fn set_xattrs_fd(fd: BorrowedFd<'_>, xattrs: &[(CString, Vec<u8>)]) -> nix::Result<()> {
    for (name, value) in xattrs {
        match fsetxattr(fd, name, value) {
            Err(e) if xattr_ignorable(e) => {}
            other => other?,
        }
    }
    Ok(())
}

/// Sets xattrs on `name` in `parent` without following a symlink there.
/// There is no `lsetxattrat` before Linux 6.13, so go through the
/// `/proc/self/fd` link of the parent (our own descriptor) and use
/// `lsetxattr` on the final component.
pub(super) fn set_xattrs_at(
    parent: BorrowedFd<'_>,
    name: &[u8],
    xattrs: &[(CString, Vec<u8>)],
) -> nix::Result<()> {
    let mut path = format!("/proc/self/fd/{}/", parent.as_raw_fd()).into_bytes();
    path.extend_from_slice(name);
    let path = CString::new(path).map_err(|_| Errno::EINVAL)?;
    for (key, value) in xattrs {
        // SAFETY: NUL-terminated path and name, pointer/length of a live slice.
        let res = unsafe {
            libc::lsetxattr(
                path.as_ptr(),
                key.as_ptr(),
                value.as_ptr().cast(),
                value.len(),
                0,
            )
        };
        match Errno::result(res) {
            Err(e) if xattr_ignorable(e) => {}
            other => other.map(drop)?,
        }
    }
    Ok(())
}

/// chmod of `name` in `parent` that refuses to follow a symlink.
pub(super) fn chmod_nofollow(parent: BorrowedFd<'_>, name: &[u8], mode: Mode) -> nix::Result<()> {
    let cname = CString::new(name).map_err(|_| Errno::EINVAL)?;
    // fchmodat2(2) (Linux 6.6) honours AT_SYMLINK_NOFOLLOW.
    // SAFETY: valid fd and NUL-terminated path.
    let res = unsafe {
        libc::syscall(
            libc::SYS_fchmodat2,
            parent.as_raw_fd(),
            cname.as_ptr(),
            mode.bits(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    match Errno::result(res) {
        Ok(_) => Ok(()),
        Err(Errno::ENOSYS) => {
            // Older kernels: pin the inode with O_PATH, check it is not a
            // symlink, then chmod it through its /proc/self/fd link.
            let fd = nix::fcntl::openat(
                parent,
                name,
                OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                Mode::empty(),
            )?;
            if stat::fstat(&fd)?.st_mode & libc::S_IFMT == libc::S_IFLNK {
                return Err(Errno::ELOOP);
            }
            let proc_path = format!("/proc/self/fd/{}", fd.as_raw_fd());
            nix::sys::stat::fchmodat(
                nix::fcntl::AT_FDCWD,
                proc_path.as_str(),
                mode,
                nix::sys::stat::FchmodatFlags::FollowSymlink,
            )
        }
        Err(e) => Err(e),
    }
}
