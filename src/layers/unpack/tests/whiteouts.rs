//! Whiteouts and opaque directories become overlayfs' own; overlay xattrs in the layer are
//! dropped.

use super::*;

fn assert_whiteout(md: &fs::Metadata) {
    assert!(md.file_type().is_char_device());
    assert_eq!(md.rdev(), 0);
}

#[test]
fn whiteouts_become_overlay_whiteouts() {
    let env = Env::new();
    let tar = Tar::new()
        .dir("d/")
        .file("d/.wh.gone", b"")
        .file(".wh.rootgone", b"")
        .file("deep/er/.wh.x", b"") // parents created implicitly
        .file("d/.wh..wh..opq", b"")
        .file("e/.wh..wh..opq", b"") // `e` not listed: created
        .file(".wh..wh..plnk/123", b"aufs hard link store") // ignored
        .file("d/.wh..wh.aufs", b"") // ignored
        .file("d/mine", b"x")
        .file("d/.wh.mine", b"") // this layer's own file wins
        .file("d/.wh.later", b"")
        .file("d/later", b"x") // and replaces an earlier whiteout
        // Whiteout and directory of the same name in one layer: the
        // directory stays, opaque, whatever the order.
        .file(".wh.w1", b"")
        .dir("w1/")
        .file("w1/f", b"x")
        .file(".wh.w2", b"")
        .file("w2/sub/f", b"x")
        .dir("w3/")
        .file("w3/f", b"x")
        .file(".wh.w3", b"")
        .bytes();
    env.unpack(&tar).unwrap();
    assert_whiteout(&env.lstat("d/gone"));
    assert_whiteout(&env.lstat("rootgone"));
    assert_whiteout(&env.lstat("deep/er/x"));
    for gone in [
        "d/.wh.gone",
        ".wh.rootgone",
        ".wh..wh..plnk",
        "d/.wh..wh.aufs",
    ] {
        assert!(fs::symlink_metadata(env.path(gone)).is_err(), "{gone}");
    }
    assert!(fs::symlink_metadata(env.path("d/.wh..wh..opq")).is_err());
    assert_eq!(
        lgetxattr(&env.path("d"), "trusted.overlay.opaque"),
        Some(b"y".to_vec())
    );
    assert_eq!(
        lgetxattr(&env.path("e"), "trusted.overlay.opaque"),
        Some(b"y".to_vec())
    );
    assert_eq!(lgetxattr(&env.path("deep"), "trusted.overlay.opaque"), None);
    assert!(env.lstat("d/mine").is_file());
    assert!(env.lstat("d/later").is_file());
    for dir in ["w1", "w2", "w3"] {
        assert!(env.lstat(dir).is_dir(), "{dir}");
        assert_eq!(
            lgetxattr(&env.path(dir), "trusted.overlay.opaque"),
            Some(b"y".to_vec()),
            "{dir}"
        );
    }
    assert_eq!(fs::read(env.path("w1/f")).unwrap(), b"x");
    assert_eq!(fs::read(env.path("w2/sub/f")).unwrap(), b"x");
    assert_eq!(fs::read(env.path("w3/f")).unwrap(), b"x");
    assert_eq!(
        lgetxattr(&env.path("w2/sub"), "trusted.overlay.opaque"),
        None
    );
    assert_eq!(env.lstat("w2").mode() & 0o7777, 0o755);
    // A file in the way of a parent is still an error.
    let env = Env::new();
    assert!(
        env.unpack(&Tar::new().file("f", b"x").file("f/g", b"y").bytes())
            .is_err()
    );
    // Opaque marker at the top marks the layer directory itself.
    let env = Env::new();
    env.unpack(&Tar::new().file(".wh..wh..opq", b"").bytes())
        .unwrap();
    assert_eq!(
        lgetxattr(&env.dest, "trusted.overlay.opaque"),
        Some(b"y".to_vec())
    );
}

#[test]
fn overlay_xattrs_from_the_layer_are_dropped() {
    let env = Env::new();
    let tar = Tar::new()
        .pax(&[
            ("SCHILY.xattr.trusted.overlay.redirect", b"/etc"),
            ("SCHILY.xattr.trusted.overlay.opaque", b"y"),
            ("SCHILY.xattr.trusted.berth", b"kept"),
        ])
        .dir("d/")
        .bytes();
    env.unpack(&tar).unwrap();
    assert_eq!(lgetxattr(&env.path("d"), "trusted.overlay.redirect"), None);
    assert_eq!(lgetxattr(&env.path("d"), "trusted.overlay.opaque"), None);
    assert_eq!(
        lgetxattr(&env.path("d"), "trusted.berth"),
        Some(b"kept".to_vec())
    );
}
