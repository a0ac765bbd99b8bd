//! Docker's copy-up: the image's content at a mount point copied into an empty volume, with
//! owners, modes, xattrs, times, symlinks, hardlinks and special files kept.

use std::collections::HashMap;
use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;

fn cpath(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

/// The extended attributes of `p` (not following a symlink).
fn xattrs(p: &Path) -> io::Result<Vec<(CString, Vec<u8>)>> {
    let c = cpath(p)?;
    // SAFETY: a NUL-terminated path; a null buffer asks for the size.
    let n = unsafe { libc::llistxattr(c.as_ptr(), std::ptr::null_mut(), 0) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::ENOTSUP) => Ok(Vec::new()),
            _ => Err(e),
        };
    }
    let mut names = vec![0u8; n as usize];
    // SAFETY: the buffer is `names.len()` bytes long.
    let n = unsafe { libc::llistxattr(c.as_ptr(), names.as_mut_ptr().cast(), names.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    names.truncate(n as usize);
    let mut out = Vec::new();
    for name in names.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let cn = CString::new(name).expect("no NUL inside");
        // SAFETY: NUL-terminated path and name; a null buffer asks for the size.
        let len = unsafe { libc::lgetxattr(c.as_ptr(), cn.as_ptr(), std::ptr::null_mut(), 0) };
        if len < 0 {
            continue;
        }
        let mut val = vec![0u8; len as usize];
        // SAFETY: the buffer is `val.len()` bytes long.
        let len =
            unsafe { libc::lgetxattr(c.as_ptr(), cn.as_ptr(), val.as_mut_ptr().cast(), val.len()) };
        if len < 0 {
            continue;
        }
        val.truncate(len as usize);
        out.push((cn, val));
    }
    Ok(out)
}

/// Owner, mode, xattrs and times of `src` onto `dst` (not following symlinks).
fn copy_meta(src: &Path, dst: &Path, meta: &fs::Metadata) -> io::Result<()> {
    let c = cpath(dst)?;
    std::os::unix::fs::lchown(dst, Some(meta.uid()), Some(meta.gid()))?;
    for (name, val) in xattrs(src)? {
        // SAFETY: NUL-terminated path and name, a buffer of `val.len()` bytes.
        let r = unsafe {
            libc::lsetxattr(c.as_ptr(), name.as_ptr(), val.as_ptr().cast(), val.len(), 0)
        };
        if r < 0 {
            let e = io::Error::last_os_error();
            // Attributes this filesystem or namespace cannot carry (security.*, trusted.*).
            if !matches!(e.raw_os_error(), Some(libc::ENOTSUP) | Some(libc::EPERM)) {
                return Err(e);
            }
        }
    }
    if !meta.file_type().is_symlink() {
        // After chown, which clears set-user-ID bits.
        fs::set_permissions(dst, fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    }
    use nix::sys::stat::{UtimensatFlags, utimensat};
    use nix::sys::time::TimeSpec;
    let atime = TimeSpec::new(meta.atime(), meta.atime_nsec());
    let mtime = TimeSpec::new(meta.mtime(), meta.mtime_nsec());
    utimensat(
        nix::fcntl::AT_FDCWD,
        dst,
        &atime,
        &mtime,
        UtimensatFlags::NoFollowSymlink,
    )
    .map_err(io::Error::from)
}

/// Copies the content of directory `src` into the existing directory `dst`, and `src`'s own
/// owner, mode and xattrs onto `dst`. Symlinks are copied, never followed.
pub fn copy_tree(src: &Path, dst: &Path) -> io::Result<()> {
    let mut links = HashMap::new();
    copy_dir(src, dst, &mut links)?;
    copy_meta(src, dst, &fs::symlink_metadata(src)?)
}

fn copy_dir(
    src: &Path,
    dst: &Path,
    links: &mut HashMap<(u64, u64), std::path::PathBuf>,
) -> io::Result<()> {
    for e in fs::read_dir(src)? {
        let e = e?;
        let (s, d) = (e.path(), dst.join(e.file_name()));
        let meta = fs::symlink_metadata(&s)?;
        let ft = meta.file_type();
        if ft.is_dir() {
            fs::create_dir(&d)?;
            copy_dir(&s, &d, links)?;
        } else if !ft.is_dir() && meta.nlink() > 1 && links.contains_key(&(meta.dev(), meta.ino()))
        {
            fs::hard_link(&links[&(meta.dev(), meta.ino())], &d)?;
            continue;
        } else if ft.is_symlink() {
            symlink(fs::read_link(&s)?, &d)?;
        } else if ft.is_file() {
            fs::copy(&s, &d)?;
        } else {
            use nix::sys::stat::{Mode, SFlag, mknod};
            mknod(
                &d,
                SFlag::from_bits_truncate(meta.mode() & libc::S_IFMT),
                Mode::from_bits_truncate(meta.mode() & 0o7777),
                meta.rdev(),
            )?;
        }
        if meta.nlink() > 1 && !ft.is_dir() {
            links.insert((meta.dev(), meta.ino()), d.clone());
        }
        copy_meta(&s, &d, &meta)?;
    }
    Ok(())
}

/// Disk usage of a tree (512-byte blocks, each inode once), as `du` counts it.
pub fn disk_usage(p: &Path) -> u64 {
    fn walk(p: &Path, seen: &mut std::collections::HashSet<(u64, u64)>) -> u64 {
        let Ok(meta) = fs::symlink_metadata(p) else {
            return 0;
        };
        if !seen.insert((meta.dev(), meta.ino())) {
            return 0;
        }
        let mut n = meta.blocks() * 512;
        if meta.is_dir()
            && let Ok(rd) = fs::read_dir(p)
        {
            for e in rd.flatten() {
                n += walk(&e.path(), seen);
            }
        }
        n
    }
    walk(p, &mut Default::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_links_modes_and_xattrs() {
        let s = tempfile::tempdir().unwrap();
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(s.path().join("sub")).unwrap();
        fs::write(s.path().join("sub/f"), "data").unwrap();
        fs::set_permissions(s.path().join("sub/f"), fs::Permissions::from_mode(0o4750)).unwrap();
        fs::hard_link(s.path().join("sub/f"), s.path().join("h")).unwrap();
        symlink("/etc/passwd", s.path().join("l")).unwrap();
        fs::set_permissions(s.path(), fs::Permissions::from_mode(0o711)).unwrap();
        let c = cpath(&s.path().join("sub/f")).unwrap();
        let name = CString::new("user.berth").unwrap();
        // SAFETY: valid strings and buffer.
        let xattr_ok =
            unsafe { libc::setxattr(c.as_ptr(), name.as_ptr(), b"v".as_ptr().cast(), 1, 0) } == 0;
        copy_tree(s.path(), d.path()).unwrap();
        assert_eq!(fs::read_to_string(d.path().join("sub/f")).unwrap(), "data");
        let m = fs::metadata(d.path().join("sub/f")).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o4750);
        assert_eq!(m.nlink(), 2);
        assert_eq!(m.ino(), fs::metadata(d.path().join("h")).unwrap().ino());
        assert_eq!(
            fs::read_link(d.path().join("l")).unwrap(),
            Path::new("/etc/passwd")
        );
        assert_eq!(fs::metadata(d.path()).unwrap().mode() & 0o7777, 0o711);
        if xattr_ok {
            let x = xattrs(&d.path().join("sub/f")).unwrap();
            assert!(x.iter().any(|(n, v)| *n == name && v == b"v"));
        }
        assert!(disk_usage(d.path()) > 0);
    }
}
