//! Entry types and order: devices and fifos, later entries replacing earlier ones, sparse
//! files, unsupported types, PAX global headers and old-style directories.

use super::*;
use nix::sys::stat;

#[test]
fn devices_and_fifos() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            mode: 0o666,
            dev: (1, 3),
            ..e(EntryType::Char, "dev/null")
        })
        .add(E {
            mode: 0o660,
            gid: 6,
            dev: (259, 70_000),
            ..e(EntryType::Block, "dev/odd")
        })
        .add(E {
            mode: 0o620,
            ..e(EntryType::Fifo, "run/fifo")
        })
        .bytes();
    env.unpack(&tar).unwrap();
    let null = env.lstat("dev/null");
    assert!(null.file_type().is_char_device());
    assert_eq!((stat::major(null.rdev()), stat::minor(null.rdev())), (1, 3));
    assert_eq!(null.mode() & 0o7777, 0o666);
    let odd = env.lstat("dev/odd");
    assert!(odd.file_type().is_block_device());
    assert_eq!(
        (stat::major(odd.rdev()), stat::minor(odd.rdev())),
        (259, 70_000)
    );
    assert_eq!((odd.mode() & 0o7777, odd.gid()), (0o660, 6));
    let fifo = env.lstat("run/fifo");
    assert!(fifo.file_type().is_fifo());
    assert_eq!(fifo.mode() & 0o7777, 0o620);
}

#[test]
fn later_entries_replace_earlier_ones() {
    let env = Env::new();
    let tar = Tar::new()
        // file replaced by a directory
        .file("r1", b"file")
        .dir("r1/")
        .file("r1/child", b"c")
        // directory (with content) replaced by a file
        .dir("r2/")
        .file("r2/child", b"c")
        .dir("r2/sub/")
        .file("r2/sub/deeper", b"d")
        .symlink("r2/sub/link", "/")
        .file("r2", b"now a file")
        // file replaced by a symlink, symlink by a file
        .file("r3", b"x")
        .symlink("r3", "target")
        .symlink("r4", "target")
        .file("r4", b"now a file")
        // file content replaced
        .file("r5", b"old content that is longer")
        .file("r5", b"new")
        // directory listed twice keeps its children, takes the new mode
        .dir("r6/")
        .file("r6/kept", b"k")
        .add(E {
            mode: 0o700,
            ..e(EntryType::Directory, "r6/")
        })
        // hard link replacing a file
        .file("r7", b"old")
        .file("r7-target", b"target")
        .hardlink("r7", "r7-target")
        .bytes();
    env.unpack(&tar).unwrap();
    assert!(env.lstat("r1").is_dir());
    assert_eq!(fs::read(env.path("r1/child")).unwrap(), b"c");
    assert!(env.lstat("r2").is_file());
    assert_eq!(fs::read(env.path("r2")).unwrap(), b"now a file");
    assert_eq!(fs::read_link(env.path("r3")).unwrap(), Path::new("target"));
    assert_eq!(fs::read(env.path("r4")).unwrap(), b"now a file");
    assert_eq!(fs::read(env.path("r5")).unwrap(), b"new");
    assert_eq!(fs::read(env.path("r6/kept")).unwrap(), b"k");
    assert_eq!(env.lstat("r6").mode() & 0o7777, 0o700);
    assert_eq!(env.lstat("r7").ino(), env.lstat("r7-target").ino());
    env.assert_outside_untouched();
}

#[test]
fn deep_directory_replaced_by_file() {
    let env = Env::new();
    let mut tar = Tar::new();
    let mut path = String::from("top");
    for i in 0..300 {
        path.push_str(&format!("/{i}"));
    }
    tar.file(&format!("{path}/leaf"), b"x").file("top", b"flat");
    env.unpack(&tar.bytes()).unwrap();
    assert_eq!(fs::read(env.path("top")).unwrap(), b"flat");
}

#[test]
fn gnu_sparse_files_are_expanded() {
    let env = Env::new();
    let mut h = Header::new_gnu();
    h.as_old_mut().name[..6].copy_from_slice(b"sparse");
    h.set_entry_type(EntryType::GNUSparse);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_size(512); // bytes stored in the archive
    let octal = |slot: &mut [u8; 12], v: u64| {
        let text = format!("{v:011o}\0");
        slot.copy_from_slice(text.as_bytes());
    };
    let gnu = h.as_gnu_mut().unwrap();
    octal(&mut gnu.realsize, 8192);
    octal(&mut gnu.sparse[0].offset, 4096);
    octal(&mut gnu.sparse[0].numbytes, 512);
    octal(&mut gnu.sparse[1].offset, 8192); // trailing hole
    octal(&mut gnu.sparse[1].numbytes, 0);
    h.set_cksum();
    let mut tar = Tar::new();
    tar.builder.append(&h, &[b'x'; 512][..]).unwrap();
    let out = env.unpack(&tar.bytes()).unwrap();
    let data = fs::read(env.path("sparse")).unwrap();
    let mut expected = vec![0u8; 8192];
    expected[4096..4608].fill(b'x');
    assert_eq!(data, expected);
    assert_eq!(out.size, 8192);
}

#[test]
fn unsupported_entries_are_reported() {
    let env = Env::new();
    let tar = Tar::new()
        .pax(&[("GNU.sparse.major", b"1"), ("GNU.sparse.minor", b"0")])
        .file("sparse", b"x")
        .bytes();
    assert!(matches!(env.unpack(&tar), Err(UnpackError::Unsupported(_))));
    let env = Env::new();
    let tar = Tar::new().add(e(EntryType::new(b'V'), "volume")).bytes();
    assert!(matches!(env.unpack(&tar), Err(UnpackError::Unsupported(_))));
}

#[test]
fn pax_global_headers_and_old_style_directories() {
    let env = Env::new();
    let mut tar = Tar::new();
    let mut h = Header::new_ustar();
    h.set_path("pax_global_header").unwrap();
    h.set_entry_type(EntryType::XGlobalHeader);
    h.set_size(0);
    h.set_cksum();
    tar.builder.append(&h, &b""[..]).unwrap();
    tar.file("old-style-dir/", b"");
    env.unpack(&tar.bytes()).unwrap();
    assert!(env.lstat("old-style-dir").is_dir());
    assert!(!env.path("pax_global_header").exists());
}
