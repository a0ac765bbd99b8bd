//! Entries that try to write outside the layer directory: `..` and absolute names, earlier
//! symlinks, hard links, replaced symlinks, whiteout names, the layer root itself.

use super::*;
use crate::layers::unpack::confined::open_dir_beneath;
use nix::errno::Errno;
use std::os::fd::AsFd;

#[test]
fn dotdot_names_are_refused() {
    for name in [
        "../escaped",
        "a/../../escaped",
        "./..",
        "a/b/../../../outside/keep",
    ] {
        let env = Env::new();
        env.assert_escape(&Tar::new().dir("a/").file(name, b"pwned").bytes());
        assert!(!env.dest.parent().unwrap().join("escaped").exists());
    }
    // `..` that would stay inside is refused as well: the policy is simple.
    let env = Env::new();
    env.assert_escape(&Tar::new().dir("a/b/").file("a/b/../c", b"x").bytes());
    // A directory entry and a long (GNU) and PAX name.
    let env = Env::new();
    env.assert_escape(&Tar::new().dir("../outside/newdir/").bytes());
    let long = format!("{}../../../../outside/pwned", "a/".repeat(60));
    let env = Env::new();
    env.assert_escape(&Tar::new().file(&long, b"x").bytes());
    let env = Env::new();
    env.assert_escape(
        &Tar::new()
            .pax(&[("path", b"../outside/pwned")])
            .file("harmless", b"x")
            .bytes(),
    );
}

#[test]
fn absolute_names_are_refused() {
    let (_, canary) = tmp_canary("absolute");
    let env = Env::new();
    let name = canary.to_str().unwrap().to_owned();
    env.assert_escape(&Tar::new().file(&name, b"pwned").bytes());
    assert!(!canary.exists());
    let env = Env::new();
    let keep = env.outside.join("keep");
    env.assert_escape(&Tar::new().file(keep.to_str().unwrap(), b"pwned").bytes());
    let env = Env::new();
    env.assert_escape(&Tar::new().dir("/").bytes());
}

#[test]
fn writing_through_an_earlier_symlink_is_refused() {
    let (canary_name, canary) = tmp_canary("symlink");
    let cases = |env: &Env| -> Vec<Vec<u8>> {
        let outside = env.outside.to_str().unwrap().to_owned();
        vec![
            // evil -> /tmp, then evil/<canary>
            Tar::new()
                .symlink("evil", "/tmp")
                .file(&format!("evil/{canary_name}"), b"pwned")
                .bytes(),
            // evil -> ../../.. (relative, climbing out), then evil/tmp/<canary>
            Tar::new()
                .symlink("evil", "../../..")
                .file(&format!("evil/tmp/{canary_name}"), b"pwned")
                .bytes(),
            // relative symlink to the sentinel, new file below it
            Tar::new()
                .symlink("evil", "../outside")
                .file("evil/pwned", b"x")
                .bytes(),
            // absolute symlink to the sentinel, replacing a file there
            Tar::new()
                .symlink("evil", &outside)
                .file("evil/keep", b"pwned")
                .bytes(),
            // nested: a/evil -> ../../outside, then a/evil/sub/x
            Tar::new()
                .dir("a/")
                .symlink("a/evil", "../../outside")
                .file("a/evil/sub/x", b"x")
                .bytes(),
            // a directory, a symlink, a device, a hard link through it
            Tar::new()
                .symlink("evil", &outside)
                .dir("evil/newdir/")
                .bytes(),
            Tar::new()
                .symlink("evil", &outside)
                .symlink("evil/l", "/")
                .bytes(),
            Tar::new()
                .symlink("evil", &outside)
                .add(e(EntryType::Fifo, "evil/fifo"))
                .bytes(),
            Tar::new()
                .file("f", b"x")
                .symlink("evil", &outside)
                .hardlink("evil/h", "f")
                .bytes(),
            // whiteout and opaque marker through the symlink
            Tar::new()
                .symlink("evil", &outside)
                .file("evil/.wh.keep", b"")
                .bytes(),
            Tar::new()
                .symlink("evil", &outside)
                .file("evil/.wh..wh..opq", b"")
                .bytes(),
            // symlink to a symlink to outside
            Tar::new()
                .symlink("one", &outside)
                .symlink("two", "one")
                .file("two/pwned", b"x")
                .bytes(),
            // a directory that later turns into a symlink
            Tar::new()
                .dir("d/")
                .file("d/a", b"x")
                .symlink("d", &outside)
                .file("d/pwned", b"x")
                .bytes(),
        ]
    };
    let count = cases(&Env::new()).len();
    for i in 0..count {
        let env = Env::new();
        let tar = cases(&env).swap_remove(i);
        match env.unpack(&tar) {
            Err(UnpackError::Escape { .. }) => {}
            other => panic!("case {i}: expected Escape, got {other:?}"),
        }
        env.assert_outside_untouched();
        assert!(!canary.exists(), "case {i} wrote {}", canary.display());
    }
}

#[test]
fn kernel_refuses_resolution_outside_dest() {
    // The last line of defence, independent of the name checks.
    let env = Env::new();
    fs::create_dir(env.path("real")).unwrap();
    std::os::unix::fs::symlink("../outside", env.path("rel")).unwrap();
    std::os::unix::fs::symlink(&env.outside, env.path("abs")).unwrap();
    std::os::unix::fs::symlink("real", env.path("inside")).unwrap();
    let root = nix::fcntl::open(
        &env.dest,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY,
        Mode::empty(),
    )
    .unwrap();
    let outside = env.outside.to_str().unwrap().as_bytes().to_vec();
    for path in [
        &b".."[..],
        b"../outside",
        b"real/../..",
        &outside,
        b"/",
        b"rel",
        b"abs",
        b"inside",
        b"real/../rel",
        b"/proc/self/root",
    ] {
        let result = open_dir_beneath(root.as_fd(), path);
        assert!(
            matches!(result, Err(Errno::EXDEV | Errno::ELOOP)),
            "{}: {result:?}",
            String::from_utf8_lossy(path)
        );
    }
    assert!(open_dir_beneath(root.as_fd(), b"real").is_ok());
    assert!(open_dir_beneath(root.as_fd(), b"real/..").is_ok());
}

#[test]
fn hard_links_cannot_escape() {
    let env = Env::new();
    let keep = env.outside.join("keep");
    let keep = keep.to_str().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "dotdot",
            Tar::new().hardlink("h", "../outside/keep").bytes(),
        ),
        (
            "dotdot inside",
            Tar::new().file("a", b"x").hardlink("h", "b/../a").bytes(),
        ),
        ("absolute", Tar::new().hardlink("h", keep).bytes()),
        (
            "through a symlink",
            Tar::new()
                .symlink("evil", "../outside")
                .hardlink("h", "evil/keep")
                .bytes(),
        ),
        (
            "to a symlink pointing outside",
            Tar::new().symlink("s", keep).hardlink("h", "s").bytes(),
        ),
        (
            "to a dangling relative symlink",
            Tar::new()
                .symlink("s", "../outside/keep")
                .hardlink("h", "s")
                .bytes(),
        ),
    ];
    for (what, tar) in cases {
        let env = Env::new();
        match env.unpack(&tar) {
            Err(UnpackError::Escape { .. }) => {}
            other => panic!("{what}: expected Escape, got {other:?}"),
        }
        env.assert_outside_untouched();
        assert!(!env.path("h").exists(), "{what}");
    }
    // Targets that are not earlier entries of the layer.
    for tar in [
        Tar::new().hardlink("h", "missing").bytes(),
        Tar::new().hardlink("h", "missing/dir/file").bytes(),
        Tar::new().dir("d/").hardlink("h", "d").bytes(),
        Tar::new().hardlink("h", "./").bytes(),
    ] {
        let env = Env::new();
        match env.unpack(&tar) {
            Err(UnpackError::Corrupt(_)) => {}
            other => panic!("expected Corrupt, got {other:?}"),
        }
        env.assert_outside_untouched();
    }
}

#[test]
fn replaced_symlinks_are_not_followed() {
    let env = Env::new();
    let outside = env.outside.to_str().unwrap().to_owned();
    let keep = format!("{outside}/keep");
    let tar = Tar::new()
        // symlink to the sentinel dir, then a directory entry of that name
        .symlink("d", &outside)
        .add(E {
            mode: 0o777,
            uid: 1234,
            gid: 1234,
            ..e(EntryType::Directory, "d")
        })
        // symlink to the sentinel file, then a file / device / symlink
        .symlink("f", &keep)
        .add(E {
            data: b"mine",
            mode: 0o4777,
            uid: 1234,
            ..e(EntryType::Regular, "f")
        })
        .symlink("c", &keep)
        .add(E {
            mode: 0o666,
            dev: (1, 3),
            ..e(EntryType::Char, "c")
        })
        .symlink("s", &keep)
        .symlink("s", "elsewhere")
        // a file replacing a symlink that points to a missing outside file
        .symlink("n", "../outside/new")
        .file("n", b"x")
        .bytes();
    env.unpack(&tar).unwrap();
    env.assert_outside_untouched();
    assert!(!env.outside.join("new").exists());
    assert!(env.lstat("d").is_dir());
    assert_eq!(env.lstat("d").mode() & 0o7777, 0o777);
    assert_eq!(env.lstat("d").uid(), 1234);
    assert_eq!(fs::read(env.path("f")).unwrap(), b"mine");
    assert_eq!(env.lstat("f").mode() & 0o7777, 0o4777);
    assert!(env.lstat("c").file_type().is_char_device());
    assert_eq!(
        fs::read_link(env.path("s")).unwrap(),
        Path::new("elsewhere")
    );
    assert!(env.lstat("n").is_file());
}

#[test]
fn whiteout_names_cannot_escape() {
    for name in [".wh...", "a/.wh..."] {
        let env = Env::new();
        let result = env.unpack(&Tar::new().dir("a/").file(name, b"").bytes());
        assert!(result.is_err(), "{name}");
        env.assert_outside_untouched();
        assert!(env.dest.exists());
    }
    let env = Env::new();
    env.assert_escape(&Tar::new().file("../.wh.outside", b"").bytes());
    let env = Env::new();
    env.assert_escape(&Tar::new().file("../outside/.wh..wh..opq", b"").bytes());
}

#[test]
fn layer_root_cannot_be_replaced() {
    for tar in [
        Tar::new().file(".", b"").bytes(),
        Tar::new().symlink(".", "/").bytes(),
        Tar::new().hardlink("./", "x").bytes(),
        Tar::new().add(e(EntryType::Fifo, ".")).bytes(),
    ] {
        let env = Env::new();
        assert!(env.unpack(&tar).is_err());
        assert!(fs::symlink_metadata(&env.dest).unwrap().is_dir());
        env.assert_outside_untouched();
    }
}

#[test]
fn errors_display_clearly() {
    let env = Env::new();
    let tar = Tar::new().add(e(EntryType::Regular, "../x")).bytes();
    let err = env.unpack(&tar).unwrap_err().to_string();
    assert_eq!(
        err,
        "layer entry \"../x\" would escape the layer directory: `..` path component"
    );
}
