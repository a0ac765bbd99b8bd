//! `berth build --output`: the final stage's files into a directory or a tar (owners, modes,
//! links kept), a `load`-able Docker or OCI archive (by berth and by podman), and no image
//! left in the store unless `type=image` or `-t` asks for one.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Berth, Run, busybox, cannot_run_here};

/// A context whose image has, below /out, a file with its own owner and mode, a directory
/// with mode 700, a symlink and a hard link.
fn context(img: &str) -> tempfile::TempDir {
    let ctx = tempfile::Builder::new()
        .prefix("berth-build-out-")
        .tempdir_in("/var/tmp")
        .unwrap();
    std::fs::write(
        ctx.path().join("Dockerfile"),
        format!(
            "FROM {img} AS files\n\
             RUN mkdir -p /out/d && echo hello > /out/d/f && chown 12:34 /out/d/f \
             && chmod 640 /out/d/f && ln -s d/f /out/link && ln /out/d/f /out/hard \
             && chmod 700 /out/d\n\
             CMD [\"cat\", \"/out/d/f\"]\n"
        ),
    )
    .unwrap();
    ctx
}

fn build(b: &Berth, ctx: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--network", "none"];
    args.extend_from_slice(extra);
    let c = ctx.to_string_lossy().into_owned();
    args.push(&c);
    b.run(&args)
}

fn leaves_nothing_running(b: &Berth) {
    assert_eq!(b.run(&["ps", "-aq"]).ok().stdout, "");
    let base = b.dir.path().to_string_lossy().into_owned();
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.lines().any(|l| l.contains(&base)), "{mounts}");
}

/// path → (kind, mode, uid, gid, size, link target) of a tar's entries.
fn tar_entries(bytes: &[u8]) -> BTreeMap<String, (char, u32, u64, u64, u64, String)> {
    let mut a = tar::Archive::new(bytes);
    let mut out = BTreeMap::new();
    for e in a.entries().unwrap() {
        let e = e.unwrap();
        let h = e.header();
        let kind = match h.entry_type() {
            tar::EntryType::Regular => 'f',
            tar::EntryType::Directory => 'd',
            tar::EntryType::Symlink => 'l',
            tar::EntryType::Link => 'h',
            _ => '?',
        };
        let path = e
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches('/')
            .to_string();
        let target = e
            .link_name()
            .unwrap()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.insert(
            path,
            (
                kind,
                h.mode().unwrap() & 0o7777,
                h.uid().unwrap(),
                h.gid().unwrap(),
                h.size().unwrap(),
                target,
            ),
        );
    }
    out
}

fn check_tar(bytes: &[u8]) {
    let t = tar_entries(bytes);
    assert_eq!(t["out/d"].0, 'd');
    assert_eq!(t["out/d"].1, 0o700);
    assert_eq!(t["out/d/f"], ('f', 0o640, 12, 34, 6, String::new()));
    assert_eq!(t["out/link"].0, 'l');
    assert_eq!(t["out/link"].5, "d/f");
    // One of the two names is the file, the other a hard link to it.
    let hard = &t["out/hard"];
    assert!(
        hard.0 == 'h' && hard.5 == "out/d/f" || hard.0 == 'f' && t["out/d/f"].0 == 'h',
        "{t:?}"
    );
    assert_eq!(t["bin/busybox"].0, 'f');
}

#[test]
fn local_output_writes_the_files_with_owners_modes_and_links_and_keeps_no_image() {
    let b = Berth::new();
    let img = busybox(&b);
    let before = b.image_ids();
    let ctx = context(&img);
    let dest = b.dir.path().join("out-local");
    let spec = format!("type=local,dest={}", dest.display());
    let r = build(&b, ctx.path(), &["-o", &spec]).ok();
    assert!(r.stdout.contains("Successfully built "), "{}", r.stdout);
    let f = dest.join("out/d/f");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "hello\n");
    let m = std::fs::symlink_metadata(&f).unwrap();
    assert_eq!((m.mode() & 0o7777, m.uid(), m.gid()), (0o640, 12, 34));
    assert_eq!(m.nlink(), 2);
    assert_eq!(
        std::fs::symlink_metadata(dest.join("out/hard"))
            .unwrap()
            .ino(),
        m.ino()
    );
    assert_eq!(
        std::fs::symlink_metadata(dest.join("out/d"))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777,
        0o700
    );
    assert_eq!(
        std::fs::read_link(dest.join("out/link")).unwrap(),
        Path::new("d/f")
    );
    assert!(dest.join("bin/busybox").is_file());
    // BuildKit's rule: an output elsewhere and no tag leaves no image.
    assert_eq!(b.image_ids(), before);
    leaves_nothing_running(&b);
    // The short form `-o DIR`; with a tag the image is kept too.
    let short = b.dir.path().join("out-short");
    build(
        &b,
        ctx.path(),
        &["-q", "-o", short.to_str().unwrap(), "-t", "kept:1"],
    )
    .ok();
    assert_eq!(
        std::fs::read_to_string(short.join("out/d/f")).unwrap(),
        "hello\n"
    );
    assert_eq!(
        b.run(&["run", "--rm", "--network", "none", "kept:1"])
            .ok()
            .stdout,
        "hello\n"
    );
    leaves_nothing_running(&b);
}

#[test]
fn tar_output_to_a_file_and_to_stdout() {
    let b = Berth::new();
    let img = busybox(&b);
    let before = b.image_ids();
    let ctx = context(&img);
    let file = b.dir.path().join("rootfs.tar");
    let spec = format!("type=tar,dest={}", file.display());
    build(&b, ctx.path(), &["-o", &spec]).ok();
    let bytes = std::fs::read(&file).unwrap();
    check_tar(&bytes);
    // `-o -`: the tar on stdout, the progress on stderr.
    let out = b
        .command()
        .args(["build", "--network", "none", "-o", "-"])
        .arg(ctx.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Successfully built "));
    check_tar(&out.stdout);
    assert_eq!(b.image_ids(), before);
    leaves_nothing_running(&b);
}

#[test]
fn bad_outputs_are_refused_before_any_work() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context(&img);
    let before = b.image_ids();
    for (spec, msg) in [
        ("type=local", "dest is required for local output"),
        ("type=registry,dest=x", "unsupported type \"registry\""),
        ("type=tar,dest=x,compression=gzip", "unsupported attribute"),
    ] {
        let r = b.run(&["build", "-o", spec, ctx.path().to_str().unwrap()]);
        assert_eq!(r.code, 125, "{spec}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(msg), "{spec}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{spec}");
    }
    assert_eq!(b.image_ids(), before);
}

fn podman(dir: &Path) -> Option<Command> {
    if Command::new("podman").arg("--version").output().is_err() {
        cannot_run_here("podman interop", "podman is not installed");
        return None;
    }
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/podman-config");
    let ok = Command::new(conf)
        .arg(common::tb("REGISTRY"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "scripts/podman-config failed");
    let mut c = Command::new("podman");
    c.arg("--root")
        .arg(dir.join("podman-root"))
        .arg("--runroot")
        .arg(dir.join("podman-run"))
        .stdin(Stdio::null());
    Some(c)
}

#[test]
fn docker_and_oci_outputs_load_into_berth_and_podman() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context(&img);
    let dir = b.dir.path();
    // type=docker with a tag: the archive names it, and the image stays here.
    let docker = dir.join("docker.tar");
    let spec = format!("type=docker,dest={}", docker.display());
    build(&b, ctx.path(), &["-o", &spec, "-t", "out:docker"]).ok();
    assert_eq!(
        b.run(&["run", "--rm", "--network", "none", "out:docker"])
            .ok()
            .stdout,
        "hello\n"
    );
    let b2 = Berth::new();
    let loaded = b2
        .run(&["load", "-i", docker.to_str().unwrap()])
        .ok()
        .stdout;
    assert_eq!(loaded, "Loaded image: out:docker\n");
    assert_eq!(
        b2.run(&["run", "--rm", "--network", "none", "out:docker"])
            .ok()
            .stdout,
        "hello\n"
    );
    // type=oci without a tag: nothing kept here; the archive loads by ID.
    let before = b.image_ids();
    let oci = dir.join("oci.tar");
    let spec = format!("type=oci,dest={}", oci.display());
    build(&b, ctx.path(), &["-o", &spec]).ok();
    assert_eq!(b.image_ids(), before);
    let b3 = Berth::new();
    b3.run(&["load", "-i", oci.to_str().unwrap()]).ok();
    let ids = b3.image_ids();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        b3.run(&["run", "--rm", "--network", "none", &ids[0]])
            .ok()
            .stdout,
        "hello\n"
    );
    leaves_nothing_running(&b);
    // podman loads both.
    let Some(_) = podman(dir) else { return };
    let pm = |args: &[&str]| {
        let o = podman(dir).unwrap().args(args).output().unwrap();
        assert!(
            o.status.success(),
            "podman {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let loaded_name = |out: String| {
        out.lines()
            .find_map(|l| l.strip_prefix("Loaded image: "))
            .unwrap_or_else(|| panic!("{out}"))
            .trim()
            .to_string()
    };
    // podman qualifies the short name (docker.io/library/out:docker).
    let name = loaded_name(pm(&["load", "-i", docker.to_str().unwrap()]));
    assert!(name.ends_with("/out:docker"), "{name}");
    let out = pm(&["run", "--rm", "--network", "none", &name]);
    assert_eq!(out, "hello\n");
    let id = loaded_name(pm(&["load", "-i", oci.to_str().unwrap()]));
    let out = pm(&["run", "--rm", "--network", "none", &id]);
    assert_eq!(out, "hello\n");
    let _ = podman(dir).unwrap().args(["rmi", "-af"]).output();
    let _ = podman(dir)
        .unwrap()
        .args(["system", "reset", "-f"])
        .output();
}
