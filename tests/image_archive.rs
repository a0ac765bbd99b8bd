//! Images made from containers and archives: `commit`, `save`, `load`, `import`, with berth
//! and podman at either end.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Berth, busybox, cannot_run_here, inspect};

/// Runs berth with the bytes of `input` on stdin.
fn run_bytes(b: &Berth, args: &[&str], input: &[u8]) -> common::Run {
    let mut child = b
        .command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn berth");
    let _ = child.stdin.take().unwrap().write_all(input);
    common::Run::from(child.wait_with_output().unwrap())
}

/// A tar stream of (name, contents) regular files, and symlinks when contents start with `->`.
fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut t = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        if let Some(target) = data.strip_prefix(b"->") {
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            t.append_link(&mut h, name, std::str::from_utf8(target).unwrap())
                .unwrap();
        } else {
            h.set_size(data.len() as u64);
            // Names tar::Builder refuses (`..`) are written raw.
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            t.append(&h, *data).unwrap();
        }
    }
    t.into_inner().unwrap()
}

#[test]
fn commit_makes_a_runnable_image_with_the_containers_changes() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "--name",
        "c1",
        "-e",
        "FROM_RUN=yes",
        &img,
        "sh",
        "-c",
        "echo hi > /new; rm /bin/ls; mkdir -p /d/e; rm -rf /etc; mkdir /etc; touch /etc/only",
    ])
    .ok();
    let id = b
        .run(&[
            "commit",
            "-a",
            "me",
            "-m",
            "msg",
            "-c",
            "ENV X=1",
            "-c",
            "CMD [\"sh\"]",
            "c1",
            "mine:v1",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert!(id.starts_with("sha256:") && id.len() == 71, "{id}");
    let out = b
        .run(&[
            "run",
            "--rm",
            "mine:v1",
            "sh",
            "-c",
            "cat /new; test -e /bin/ls || echo ls-gone; ls -d /d/e; ls /etc; echo $X $FROM_RUN",
        ])
        .ok();
    // /etc was replaced: only the new file, and the mount points of this run's generated files.
    assert_eq!(
        out.stdout,
        "hi\nls-gone\n/d/e\nhostname\nhosts\nonly\nresolv.conf\n1 yes\n"
    );
    let i = inspect(&b, "mine:v1");
    assert_eq!(i["Id"], id.as_str());
    assert_eq!(i["Author"], "me");
    assert_eq!(i["Comment"], "msg");
    assert_eq!(i["Config"]["Cmd"], serde_json::json!(["sh"]));
    let base = inspect(&b, &img);
    assert_eq!(
        i["RootFS"]["Layers"].as_array().unwrap().len(),
        base["RootFS"]["Layers"].as_array().unwrap().len() + 1
    );
    // A bad change is refused before anything is made.
    b.run(&["commit", "-c", "RUN true", "c1", "bad:v1"])
        .fails_with("RUN is not a valid change command");
    assert_eq!(b.image_ids().len(), 2);
    b.run(&["rm", "c1"]).ok();
}

#[test]
fn save_then_load_gives_the_same_images() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["tag", &img, "other:two"]).ok();
    let dir = b.dir.path();
    let archive = dir.join("a.tar");
    b.run(&["save", "-o", archive.to_str().unwrap(), &img, "other:two"])
        .ok();
    let ids = b.image_ids();
    let b2 = Berth::new();
    let out = b2.run(&["load", "-i", archive.to_str().unwrap()]).ok();
    assert_eq!(
        out.lines(),
        vec![
            "Loaded image: 127.0.0.1:5600/busybox:latest",
            "Loaded image: other:two"
        ]
    );
    assert_eq!(b2.image_ids(), ids);
    b2.run(&["run", "--rm", "other:two", "echo", "ok"]).ok();
    // Compressed, from stdin, into a store that already has it.
    let bytes = std::fs::read(&archive).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&bytes).unwrap();
    let gz = gz.finish().unwrap();
    run_bytes(&b2, &["load"], &gz).ok();
    assert_eq!(b2.image_ids(), ids);
}

#[test]
fn truncated_corrupt_or_malicious_archives_change_nothing() {
    let b = Berth::new();
    let img = busybox(&b);
    let archive = b.dir.path().join("a.tar");
    b.run(&["save", "-o", archive.to_str().unwrap(), &img]).ok();
    let bytes = std::fs::read(&archive).unwrap();
    let b2 = Berth::new();
    let before = (
        b2.store_entries("blobs/sha256"),
        b2.store_entries("layers/sha256"),
    );
    // Cut in the middle of the layer blob.
    run_bytes(&b2, &["load"], &bytes[..bytes.len() / 2]).fails_with("invalid image archive");
    // Not an archive at all.
    run_bytes(&b2, &["load"], b"hello, this is not a tar file at all").fails_with("invalid");
    // A name escaping the directory, a symlink out of it named by the manifest.
    let escape = tar_of(&[("../../escaped", b"x")]);
    run_bytes(&b2, &["load"], &escape).fails_with("escape");
    let manifest = br#"[{"Config":"cfg.json","RepoTags":["evil:1"],"Layers":["l.tar"]}]"#;
    let link = tar_of(&[
        ("cfg.json", b"->/etc/passwd"),
        ("l.tar", b""),
        ("manifest.json", manifest),
    ]);
    run_bytes(&b2, &["load"], &link).fails_with("symlink out of the archive");
    assert!(!Path::new("/escaped").exists());
    assert_eq!(b2.image_ids(), Vec::<String>::new());
    let after = (
        b2.store_entries("blobs/sha256"),
        b2.store_entries("layers/sha256"),
    );
    assert_eq!(before, after);
    assert_eq!(b2.store_entries("tmp"), Vec::<String>::new());
}

#[test]
fn import_makes_a_one_layer_image() {
    let b = Berth::new();
    let img = busybox(&b);
    // The busybox root file system, as a tarball.
    let archive = b.dir.path().join("a.tar");
    b.run(&["save", "-o", archive.to_str().unwrap(), &img]).ok();
    let layer = {
        let mut a = tar::Archive::new(std::fs::File::open(&archive).unwrap());
        let m: serde_json::Value = {
            let mut a2 = tar::Archive::new(std::fs::File::open(&archive).unwrap());
            let mut e = a2
                .entries()
                .unwrap()
                .map(|e| e.unwrap())
                .find(|e| &*e.path_bytes() == b"manifest.json")
                .unwrap();
            serde_json::from_reader(&mut e).unwrap()
        };
        let want = m[0]["Layers"][0].as_str().unwrap().to_string();
        let mut e = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| *e.path_bytes() == *want.as_bytes())
            .unwrap();
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut v).unwrap();
        v
    };
    let id = run_bytes(
        &b,
        &[
            "import",
            "-c",
            "CMD [\"echo\", \"imported\"]",
            "-m",
            "hello",
            "-",
            "imp:1",
        ],
        &layer,
    )
    .ok()
    .stdout
    .trim()
    .to_string();
    let out = b.run(&["run", "--rm", "imp:1"]).ok();
    assert_eq!(out.stdout, "imported\n");
    let i = inspect(&b, "imp:1");
    assert_eq!(i["Id"], id.as_str());
    assert_eq!(i["RootFS"]["Layers"].as_array().unwrap().len(), 1);
    run_bytes(&b, &["import", "-", "empty:1"], b"").fails_with("empty");
}

fn podman(dir: &Path) -> Option<Command> {
    if Command::new("podman").arg("--version").output().is_err() {
        cannot_run_here("podman interop", "podman is not installed");
        return None;
    }
    // The host settings podman needs here (cgroupfs, runc, rlimits), made once.
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
fn archives_cross_between_berth_and_podman() {
    let b = Berth::new();
    let img = busybox(&b);
    let dir = b.dir.path();
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
    // berth save | podman load, and podman runs it.
    let ours = dir.join("ours.tar");
    b.run(&["save", "-o", ours.to_str().unwrap(), &img]).ok();
    pm(&["load", "-i", ours.to_str().unwrap()]);
    let out = pm(&[
        "run",
        "--rm",
        "--network",
        "none",
        &img,
        "echo",
        "from-berth",
    ]);
    assert_eq!(out, "from-berth\n");
    // podman save | berth load, then berth runs it.
    pm(&["tag", &img, "localhost/pm:1"]);
    let theirs = dir.join("theirs.tar");
    pm(&["save", "-o", theirs.to_str().unwrap(), "localhost/pm:1"]);
    let b2 = Berth::new();
    let out = b2.run(&["load", "-i", theirs.to_str().unwrap()]).ok();
    assert_eq!(out.stdout, "Loaded image: localhost/pm:1\n");
    let out = b2
        .run(&["run", "--rm", "localhost/pm:1", "echo", "from-podman"])
        .ok();
    assert_eq!(out.stdout, "from-podman\n");
    // And its OCI archive.
    let oci = dir.join("oci.tar");
    pm(&[
        "save",
        "--format",
        "oci-archive",
        "-o",
        oci.to_str().unwrap(),
        "localhost/pm:1",
    ]);
    let b3 = Berth::new();
    b3.run(&["load", "-i", oci.to_str().unwrap()]).ok();
    let ids = b3.image_ids();
    assert_eq!(ids.len(), 1);
    let out = b3.run(&["run", "--rm", &ids[0], "echo", "from-oci"]).ok();
    assert_eq!(out.stdout, "from-oci\n");
    let _ = podman(dir).unwrap().args(["rmi", "-af"]).output();
    let _ = podman(dir)
        .unwrap()
        .args(["system", "reset", "-f"])
        .output();
}

#[test]
fn docker_cli_saves_loads_and_commits_through_the_service() {
    let b = Berth::new();
    let img = busybox(&b);
    let svc = common::Service::start(&b);
    let archive = b.dir.path().join("d.tar");
    svc.run_docker(&["save", "-o", archive.to_str().unwrap(), &img])
        .ok();
    // The archive loads into another berth, and through the service again.
    let b2 = Berth::new();
    b2.run(&["load", "-i", archive.to_str().unwrap()]).ok();
    assert_eq!(b2.image_ids(), b.image_ids());
    b.run(&["rmi", &img]).ok();
    let out = svc
        .run_docker(&["load", "-i", archive.to_str().unwrap()])
        .ok();
    assert!(
        out.stdout
            .contains("Loaded image: 127.0.0.1:5600/busybox:latest"),
        "{}",
        out.stdout
    );
    // commit of a container made through the service.
    svc.run_docker(&["run", "--name", "c1", &img, "sh", "-c", "echo x > /made"])
        .ok();
    let out = svc
        .run_docker(&["commit", "-c", "ENV Y=2", "c1", "committed:1"])
        .ok();
    assert!(out.stdout.trim().starts_with("sha256:"), "{}", out.stdout);
    let out = svc
        .run_docker(&[
            "run",
            "--rm",
            "committed:1",
            "sh",
            "-c",
            "cat /made; echo $Y",
        ])
        .ok();
    assert_eq!(out.stdout, "x\n2\n");
    // import from the request body.
    let layer = tar_of(&[("hello", b"world")]);
    let mut child = svc
        .docker()
        .args(["import", "-", "imported:1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&layer).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let i = inspect(&b, "imported:1");
    assert_eq!(i["RootFS"]["Layers"].as_array().unwrap().len(), 1);
    // An unknown image: Docker's 404 before any byte.
    let (status, _) = svc.curl("GET", "/v1.50/images/nope:1/get", None);
    assert_eq!(status, 404);
    b.run(&["rm", "c1"]).ok();
}
