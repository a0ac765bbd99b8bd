//! The same multi-stage Dockerfile built by berth and by `podman build` (buildah) gives the same
//! file tree (paths, types, modes, owners, sizes, link targets) and the same config.
//!
//! Excluded, with why:
//! - mtimes and the files whose content is a build's time (`/var/log/lastlog` keeps its size),
//!   none here: only the metadata above is compared.
//! - `/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`: a container's files, not the image's;
//!   berth leaves them out of a step's layer as Docker does, and `podman export` of a container
//!   includes its (empty) `/etc/hostname`.
//! - `/run/.containerenv` and `/run/secrets`: buildah's marker file and secrets mount point,
//!   left behind in the layer of a RUN step.
//! - the label `io.buildah.version`, which buildah adds to every image.
//! - WORKDIR of a missing directory: buildah creates it owned by USER, Docker's classic builder
//!   (and berth, through the runtime) owned by root; the Dockerfile makes it in a RUN first.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Berth, cannot_run_here, image, inspect};

type Tree = BTreeMap<String, (char, u32, u64, u64, u64, String)>;

fn tree(tar_bytes: &[u8]) -> Tree {
    let mut a = tar::Archive::new(tar_bytes);
    let mut out = Tree::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for e in a.entries().unwrap() {
        let e = e.unwrap();
        let h = e.header();
        let path = e
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_string();
        if path.is_empty() || path == "." {
            continue;
        }
        let target = e
            .link_name()
            .unwrap()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kind = match h.entry_type() {
            tar::EntryType::Regular => 'f',
            tar::EntryType::Directory => 'd',
            tar::EntryType::Symlink => 'l',
            tar::EntryType::Link => {
                links.push((path.clone(), target.trim_start_matches('/').to_string()));
                continue;
            }
            tar::EntryType::Char => 'c',
            tar::EntryType::Block => 'b',
            tar::EntryType::Fifo => 'p',
            _ => '?',
        };
        let size = if kind == 'f' { h.size().unwrap() } else { 0 };
        out.insert(
            path,
            (
                kind,
                h.mode().unwrap() & 0o7777,
                h.uid().unwrap(),
                h.gid().unwrap(),
                size,
                if kind == 'l' { target } else { String::new() },
            ),
        );
    }
    // A hard link: the same metadata as its target, marked as a link to it (which name of the
    // group is the file and which the link depends on the walk's order).
    for (path, target) in links {
        let mut t = out[&target].clone();
        t.0 = 'h';
        out.insert(path, t);
        out.get_mut(&target).unwrap().0 = 'h';
    }
    out
}

const EXCLUDED: &[&str] = &[
    "etc/hostname",
    "etc/hosts",
    "etc/resolv.conf",
    "run/.containerenv",
    "run/secrets",
];

fn podman(dir: &Path) -> Option<Command> {
    if Command::new("podman").arg("--version").output().is_err() {
        cannot_run_here("berth build vs podman build", "podman is not installed");
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
fn berth_and_podman_build_the_same_tree_and_config() {
    let b = Berth::new();
    let dir = b.dir.path();
    let Some(_) = podman(dir) else { return };
    let pm = |args: &[&str]| -> Vec<u8> {
        let o = podman(dir).unwrap().args(args).output().unwrap();
        assert!(
            o.status.success(),
            "podman {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    };
    let base = image("debian:bookworm");
    b.run(&["pull", "-q", &base]).ok();
    let ctx = dir.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("note.txt"), "from the context\n").unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!(
            "FROM {base} AS tools\n\
             RUN mkdir -p /out/dir/sub /out/empty && echo hi > /out/dir/f \
             && chown 1000:1001 /out/dir/f && chmod 4755 /out/dir/f \
             && ln -s dir/f /out/sym && ln /out/dir/f /out/hard \
             && chown 5:6 /out/dir/sub && chmod 1777 /out/dir/sub && chmod 700 /out/empty \
             && mkfifo /out/fifo && chmod 640 /out/fifo\n\
             FROM {base}\n\
             COPY --from=tools /out /copied\n\
             COPY --from=tools /out/dir/f /single\n\
             COPY note.txt /ctx/\n\
             ENV APP=1 MORE=\"two words\"\n\
             LABEL org.test.kind=compare org.test.n=\"1\"\n\
             RUN useradd -u 1234 -M -d /work app && mkdir -p /work/sub && chown -R app:app /work\n\
             USER app\n\
             WORKDIR /work/sub\n\
             RUN echo made > by-app && ln -s by-app link\n\
             EXPOSE 8080/tcp 53/udp\n\
             CMD [\"cat\", \"/work/sub/by-app\"]\n"
        ),
    )
    .unwrap();
    let ctx_s = ctx.to_str().unwrap();
    b.run(&["build", "-q", "--network", "none", "-t", "cmp:berth", ctx_s])
        .ok();
    pm(&["pull", "-q", &base]);
    pm(&[
        "build",
        "-q",
        "--network",
        "none",
        "-t",
        "cmp:podman",
        ctx_s,
    ]);
    // The file trees, through an export of a container of each.
    let ours_tar = dir.join("berth.tar");
    let cid = b
        .run(&["create", "cmp:berth"])
        .ok()
        .stdout
        .trim()
        .to_string();
    b.run(&["export", "-o", ours_tar.to_str().unwrap(), &cid])
        .ok();
    b.run(&["rm", &cid]).ok();
    let pid = String::from_utf8(pm(&["create", "cmp:podman"]))
        .unwrap()
        .trim()
        .to_string();
    let theirs = pm(&["export", &pid]);
    pm(&["rm", &pid]);
    let mut ours = tree(&std::fs::read(&ours_tar).unwrap());
    let mut theirs = tree(&theirs);
    for t in [&mut ours, &mut theirs] {
        t.retain(|p, _| {
            !EXCLUDED
                .iter()
                .any(|x| p == x || p.starts_with(&format!("{x}/")))
        });
    }
    let only_ours: Vec<_> = ours.keys().filter(|k| !theirs.contains_key(*k)).collect();
    let only_theirs: Vec<_> = theirs.keys().filter(|k| !ours.contains_key(*k)).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "only in berth's: {only_ours:?}\nonly in podman's: {only_theirs:?}"
    );
    let differ: Vec<_> = ours
        .iter()
        .filter(|(k, v)| theirs[*k] != **v)
        .map(|(k, v)| format!("{k}: berth {v:?} podman {:?}", theirs[k]))
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    // Spot checks that the comparison saw what the Dockerfile made.
    assert_eq!(ours["copied/dir/f"].1, 0o4755);
    assert_eq!(
        (ours["copied/dir/f"].2, ours["copied/dir/f"].3),
        (1000, 1001)
    );
    assert_eq!(ours["copied/dir/sub"].1, 0o1777);
    assert_eq!(ours["copied/sym"].5, "dir/f");
    assert_eq!(ours["copied/fifo"].0, 'p');
    assert_eq!(ours["work/sub/by-app"].2, 1234);
    // The config.
    let mine = inspect(&b, "cmp:berth")["Config"].clone();
    let out = pm(&["inspect", "--format", "{{json .Config}}", "cmp:podman"]);
    let podmans: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let field = |v: &serde_json::Value, k: &str| -> serde_json::Value {
        let mut x = v[k].clone();
        if let Some(m) = x.as_object_mut() {
            m.remove("io.buildah.version");
            if m.is_empty() {
                x = serde_json::Value::Null;
            }
        }
        if x.as_array().is_some_and(|a| a.is_empty()) || x == "" {
            x = serde_json::Value::Null;
        }
        x
    };
    for k in [
        "Env",
        "Labels",
        "User",
        "WorkingDir",
        "ExposedPorts",
        "Cmd",
        "Entrypoint",
        "Volumes",
        "StopSignal",
    ] {
        assert_eq!(
            field(&mine, k),
            field(&podmans, k),
            "Config.{k}: berth {mine} podman {podmans}"
        );
    }
    let _ = podman(dir).unwrap().args(["rmi", "-af"]).output();
    let _ = podman(dir)
        .unwrap()
        .args(["system", "reset", "-f"])
        .output();
}
