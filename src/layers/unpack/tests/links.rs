//! Names and links: hard links, long (GNU and PAX) names, odd bytes in names, symlinks.

use super::*;

#[test]
fn hard_links_share_the_inode() {
    let env = Env::new();
    let tar = Tar::new()
        .file("a/f", b"shared")
        .hardlink("b/h", "a/f")
        .hardlink("./c", "./a//f")
        .bytes();
    let out = env.unpack(&tar).unwrap();
    assert_eq!(out.size, 6, "links add no content");
    let f = env.lstat("a/f");
    assert_eq!(env.lstat("b/h").ino(), f.ino());
    assert_eq!(env.lstat("c").ino(), f.ino());
    assert_eq!(f.nlink(), 3);
    assert_eq!(fs::read(env.path("b/h")).unwrap(), b"shared");
}

#[test]
fn long_names_and_link_names() {
    let env = Env::new();
    let gnu_long = format!("{}file.txt", "long-directory-name/".repeat(8));
    let pax_long = format!("{}pax.txt", "pax-directory/".repeat(12));
    let long_target = format!("{}target", "t/".repeat(70));
    let mut tar = Tar::new();
    tar.file(&gnu_long, b"gnu")
        .pax(&[("path", pax_long.as_bytes())])
        .file("short-name-replaced-by-pax", b"pax")
        .symlink("long-symlink", &long_target)
        .pax(&[("linkpath", pax_long.as_bytes())])
        .hardlink("pax-hardlink", "ignored");
    // tar::Builder's own GNU long-name encoding.
    let builder_long = format!("{}builder.txt", "b".repeat(150) + "/");
    let mut h = Header::new_gnu();
    h.set_size(7);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_entry_type(EntryType::Regular);
    tar.builder
        .append_data(&mut h, &builder_long, &b"builder"[..])
        .unwrap();
    env.unpack(&tar.bytes()).unwrap();
    assert_eq!(fs::read(env.path(&gnu_long)).unwrap(), b"gnu");
    assert_eq!(fs::read(env.path(&pax_long)).unwrap(), b"pax");
    assert!(!env.path("short-name-replaced-by-pax").exists());
    assert_eq!(
        fs::read_link(env.path("long-symlink")).unwrap(),
        Path::new(&long_target)
    );
    assert_eq!(env.lstat("pax-hardlink").ino(), env.lstat(&pax_long).ino());
    assert_eq!(fs::read(env.path(&builder_long)).unwrap(), b"builder");
}

#[test]
fn utf8_spaces_and_odd_bytes_in_names() {
    let env = Env::new();
    let tar = Tar::new()
        .file("dir with spaces/ünïcödé 文件.txt", b"utf8")
        .symlink("link → target", "ünïcödé 文件.txt")
        .add(E {
            data: b"latin1",
            ..e(EntryType::Regular, "x")
        })
        .bytes();
    // Rename the last entry to a non-UTF-8 name.
    let mut tar = tar;
    let pos = tar.windows(2).rposition(|w| w == b"x\0").unwrap();
    tar[pos] = 0xe9;
    let mut h = Header::from_byte_slice(&tar[pos..pos + 512]).clone();
    h.set_cksum();
    tar[pos..pos + 512].copy_from_slice(h.as_bytes());
    env.unpack(&tar).unwrap();
    assert_eq!(
        fs::read(env.path("dir with spaces/ünïcödé 文件.txt")).unwrap(),
        b"utf8"
    );
    assert_eq!(
        fs::read_link(env.path("link → target")).unwrap(),
        Path::new("ünïcödé 文件.txt")
    );
    assert_eq!(
        fs::read(env.dest.join(OsStr::from_bytes(&[0xe9]))).unwrap(),
        b"latin1"
    );
}

#[test]
fn symlinks_are_created_verbatim() {
    let env = Env::new();
    let tar = Tar::new()
        .symlink("abs", "/etc/passwd")
        .symlink("rel", "../../../../etc/shadow")
        .symlink("dangling", "does/not/exist")
        .symlink("dir/inner", ".")
        .bytes();
    env.unpack(&tar).unwrap();
    for (name, target) in [
        ("abs", "/etc/passwd"),
        ("rel", "../../../../etc/shadow"),
        ("dangling", "does/not/exist"),
        ("dir/inner", "."),
    ] {
        assert!(env.lstat(name).file_type().is_symlink());
        assert_eq!(fs::read_link(env.path(name)).unwrap(), Path::new(target));
    }
}
