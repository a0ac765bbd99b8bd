//! Metadata: modes, owners, implicit parents, xattrs, mtimes, the layer root's entry.

use super::*;

#[test]
fn modes_and_ownership() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            data: b"#!/bin/sh\n",
            mode: 0o4755,
            uid: 1000,
            gid: 1000,
            ..e(EntryType::Regular, "bin/suid")
        })
        .add(E {
            data: b"x",
            mode: 0o2711,
            uid: 0,
            gid: 42,
            ..e(EntryType::Regular, "bin/sgid")
        })
        .add(E {
            mode: 0o2775,
            gid: 50,
            ..e(EntryType::Directory, "srv/shared")
        })
        .add(E {
            mode: 0o1777,
            ..e(EntryType::Directory, "tmp")
        })
        .add(E {
            data: b"secret",
            mode: 0o000,
            uid: 65534,
            gid: 65534,
            ..e(EntryType::Regular, "srv/shared/locked")
        })
        .add(E {
            mode: 0o555,
            ..e(EntryType::Directory, "ro")
        })
        .file("ro/inside", b"written after the directory")
        .add(E {
            link: b"target",
            uid: 123,
            gid: 456,
            ..e(EntryType::Symlink, "owned-link")
        })
        .add(E {
            uid: 4_000_000_000,
            gid: 4_000_000_001,
            ..e(EntryType::Regular, "big-ids")
        })
        .bytes();
    env.unpack(&tar).unwrap();
    let check = |rel: &str, mode: u32, uid: u32, gid: u32| {
        let md = env.lstat(rel);
        assert_eq!(md.mode() & 0o7777, mode, "{rel} mode");
        assert_eq!((md.uid(), md.gid()), (uid, gid), "{rel} owner");
    };
    check("bin/suid", 0o4755, 1000, 1000);
    check("bin/sgid", 0o2711, 0, 42);
    check("srv/shared", 0o2775, 0, 50);
    check("tmp", 0o1777, 0, 0);
    check("ro", 0o555, 0, 0);
    // Created inside a setgid directory: still the entry's own group.
    check("srv/shared/locked", 0o000, 65534, 65534);
    check("owned-link", 0o777, 123, 456);
    check("big-ids", 0o644, 4_000_000_000, 4_000_000_001);
    // Implicit parents: 0755, root-owned.
    check("bin", 0o755, 0, 0);
    check("srv", 0o755, 0, 0);
    assert_eq!(
        fs::read(env.path("ro/inside")).unwrap(),
        b"written after the directory"
    );
}

#[test]
fn implicit_parents_ignore_umask_and_setgid() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            mode: 0o2770,
            gid: 77,
            ..e(EntryType::Directory, "g")
        })
        .file("g/implicit/f", b"x")
        .bytes();
    env.unpack(&tar).unwrap();
    let md = env.lstat("g/implicit");
    assert_eq!(md.mode() & 0o7777, 0o755);
    assert_eq!((md.uid(), md.gid()), (0, 0));
}

#[test]
fn xattrs_are_applied() {
    // struct vfs_cap_data, revision 2, effective, CAP_NET_BIND_SERVICE.
    let mut cap = Vec::new();
    cap.extend_from_slice(&0x0200_0001u32.to_le_bytes());
    cap.extend_from_slice(&(1u32 << 10).to_le_bytes());
    cap.extend_from_slice(&[0; 12]);
    let env = Env::new();
    let tar = Tar::new()
        .pax(&[
            ("SCHILY.xattr.user.comment", b"hello world"),
            ("SCHILY.xattr.security.capability", &cap),
            ("SCHILY.xattr.trusted.thing", b"\x00binary\xff"),
        ])
        .add(E {
            data: b"\x7fELF",
            mode: 0o755,
            uid: 1000,
            gid: 1000,
            ..e(EntryType::Regular, "bin/ping")
        })
        .pax(&[("SCHILY.xattr.trusted.dir", b"d")])
        .dir("d/")
        .pax(&[
            ("SCHILY.xattr.trusted.link", b"l"),
            // Not allowed on symlinks by the kernel: ignored, like Docker.
            ("SCHILY.xattr.user.link", b"u"),
        ])
        .symlink("link", "bin/ping")
        .pax(&[("SCHILY.xattr.trusted.fifo", b"f")])
        .add(e(EntryType::Fifo, "fifo"))
        .bytes();
    env.unpack(&tar).unwrap();
    let ping = env.path("bin/ping");
    assert_eq!(
        lgetxattr(&ping, "user.comment"),
        Some(b"hello world".to_vec())
    );
    assert_eq!(lgetxattr(&ping, "security.capability"), Some(cap));
    assert_eq!(
        lgetxattr(&ping, "trusted.thing"),
        Some(b"\x00binary\xff".to_vec())
    );
    assert_eq!(env.lstat("bin/ping").uid(), 1000);
    assert_eq!(
        lgetxattr(&env.path("d"), "trusted.dir"),
        Some(b"d".to_vec())
    );
    assert_eq!(
        lgetxattr(&env.path("link"), "trusted.link"),
        Some(b"l".to_vec())
    );
    assert_eq!(lgetxattr(&env.path("link"), "user.link"), None);
    assert_eq!(
        lgetxattr(&env.path("fifo"), "trusted.fifo"),
        Some(b"f".to_vec())
    );
    // Nothing leaked to the symlink's target.
    assert_eq!(lgetxattr(&ping, "trusted.link"), None);
}

#[test]
fn mtimes_of_files_symlinks_and_directories() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            mtime: 1_200_000_000,
            ..e(EntryType::Directory, "t/")
        })
        .add(E {
            mtime: 1_000_000_000,
            data: b"x",
            ..e(EntryType::Regular, "t/file")
        })
        .add(E {
            mtime: 1_100_000_000,
            link: b"file",
            ..e(EntryType::Symlink, "t/link")
        })
        .add(E {
            mtime: 1_300_000_000,
            ..e(EntryType::Directory, "t/sub/")
        })
        .file("t/sub/later", b"added after the directory entry")
        .pax(&[("mtime", b"1400000000.25"), ("atime", b"1400000001.5")])
        .file("precise", b"x")
        .pax(&[("mtime", b"-1.5")])
        .file("negative", b"x")
        .add(E {
            mtime: 1_500_000_000,
            ..e(EntryType::Fifo, "fifo")
        })
        .bytes();
    env.unpack(&tar).unwrap();
    let mtime = |rel: &str| {
        let md = env.lstat(rel);
        (md.mtime(), md.mtime_nsec())
    };
    assert_eq!(mtime("t"), (1_200_000_000, 0));
    assert_eq!(mtime("t/file"), (1_000_000_000, 0));
    assert_eq!(mtime("t/link"), (1_100_000_000, 0));
    assert_eq!(mtime("t/sub"), (1_300_000_000, 0));
    assert_eq!(mtime("precise"), (1_400_000_000, 250_000_000));
    assert_eq!(env.lstat("precise").atime(), 1_400_000_001);
    assert_eq!(env.lstat("precise").atime_nsec(), 500_000_000);
    assert_eq!(mtime("negative"), (-2, 500_000_000));
    assert_eq!(mtime("fifo"), (1_500_000_000, 0));
    assert_eq!(env.lstat("t/file").atime(), 1_000_000_000);
}

#[test]
fn root_entry_sets_layer_directory_metadata() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            mode: 0o750,
            mtime: 1_234_567_890,
            gid: 5,
            ..e(EntryType::Directory, "./")
        })
        .file("./etc/motd", b"hi")
        .bytes();
    env.unpack(&tar).unwrap();
    let md = fs::metadata(&env.dest).unwrap();
    assert_eq!(md.mode() & 0o7777, 0o750);
    assert_eq!(md.gid(), 5);
    assert_eq!(md.mtime(), 1_234_567_890);
    assert_eq!(fs::read(env.path("etc/motd")).unwrap(), b"hi");
}
