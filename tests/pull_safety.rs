//! Pulls that must fail cleanly (bad digests, truncated or lying layers, escape attempts), pulls
//! killed half-way, and concurrent pulls into one store.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::{Berth, image, images_json};

/// The store holds no image and no committed blob or layer, and its temp area is empty.
#[track_caller]
fn assert_nothing_registered(b: &Berth) {
    assert!(b.image_ids().is_empty());
    assert!(
        b.store_entries("layers/sha256").is_empty(),
        "a layer was stored"
    );
    assert!(b.store_entries("tmp").is_empty(), "temp area not cleaned");
}

fn pwned_files() -> Vec<String> {
    std::fs::read_dir("/tmp")
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("PWNED"))
        .collect()
}

#[test]
fn blob_with_wrong_bytes_is_refused() {
    let b = Berth::new();
    b.run(&["pull", &image("bad/digest-mismatch")])
        .fails_with("digest");
    assert_nothing_registered(&b);
    // Only the (valid) config blob may have been kept; never the corrupt layer.
    let layer = images_json()["bad/digest-mismatch:latest"]["layers"][0]["digest"]
        .as_str()
        .map(|d| d[7..].to_string());
    if let Some(l) = layer {
        assert!(!b.store_entries("blobs/sha256").contains(&l));
    }
}

#[test]
fn truncated_gzip_layer_is_refused() {
    let b = Berth::new();
    b.run(&["pull", &image("bad/truncated-gzip")])
        .fails_with("truncated");
    assert_nothing_registered(&b);
}

#[test]
fn layer_not_matching_its_diff_id_is_refused() {
    let b = Berth::new();
    b.run(&["pull", &image("bad/diffid-mismatch")])
        .fails_with("diffID mismatch");
    assert_nothing_registered(&b);
}

#[test]
fn layers_trying_to_escape_are_refused_and_write_nothing_outside() {
    let b = Berth::new();
    let hostname_links = std::fs::metadata("/etc/hostname").map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.nlink()
    });
    for bad in [
        "bad/escape-dotdot",
        "bad/escape-absolute",
        "bad/escape-symlink",
        "bad/escape-symlink-rel",
        "bad/escape-hardlink",
        "bad/escape-hardlink-abs",
        "bad/escape-symlink-then-hardlink",
    ] {
        let r = b.run(&["pull", &image(bad)]);
        assert_eq!(r.code, 125, "{bad} must be refused: {}", r.stdout);
        assert_eq!(r.stderr.lines().count(), 1, "{bad}: {}", r.stderr);
        assert!(
            r.stderr.contains("escape") || r.stderr.contains("hard link"),
            "{bad}: the error names the problem: {}",
            r.stderr
        );
        assert_nothing_registered(&b);
    }
    assert!(
        pwned_files().is_empty(),
        "written outside: {:?}",
        pwned_files()
    );
    let after = std::fs::metadata("/etc/hostname").map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.nlink()
    });
    assert_eq!(
        hostname_links.ok(),
        after.ok(),
        "a hard link to /etc/hostname was made"
    );
    // Nothing appeared next to the store either.
    let mut beside: Vec<String> = std::fs::read_dir(b.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, vec!["root", "run"]);
}

#[test]
fn symlink_from_a_lower_layer_is_not_followed() {
    // Layer 1 has `evil -> /tmp`, layer 2 writes `evil/…`. Layers are unpacked each in its own
    // directory, so the symlink is never followed: the file lands inside layer 2.
    let b = Berth::new();
    b.run(&["pull", &image("bad/escape-symlink-layer")]).ok();
    assert!(
        pwned_files().is_empty(),
        "written outside: {:?}",
        pwned_files()
    );
    let p = b
        .run(&["image", "mount", &image("bad/escape-symlink-layer")])
        .ok()
        .stdout;
    let evil = Path::new(p.trim()).join("evil");
    assert!(
        evil.symlink_metadata().unwrap().is_dir(),
        "upper directory hides the symlink"
    );
    assert!(evil.join("berth-escape-layer-PWNED").exists());
    b.run(&["image", "unmount", &image("bad/escape-symlink-layer")])
        .ok();
}

#[test]
fn sigkill_during_pull_leaves_a_consistent_store() {
    let b = Berth::new();
    for delay_ms in [20u64, 80, 200, 400, 700] {
        let mut child = b
            .command()
            .args(["pull", &image("redis:latest")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // The store answers, and lists the image only if the pull got to commit it.
        let ids = b.image_ids();
        assert!(ids.len() <= 1);
        if ids.len() == 1 {
            b.run(&["image", "inspect", &image("redis")]).ok();
        }
    }
    let out = b.run(&["pull", &image("redis:latest")]).ok();
    assert!(out.stdout.contains(&image("redis:latest")));
    assert_eq!(b.image_ids().len(), 1);
    // The killed pulls' leftovers were swept.
    assert!(
        b.store_entries("tmp").is_empty(),
        "{:?}",
        b.store_entries("tmp")
    );
    let p = b.run(&["image", "mount", &image("redis")]).ok().stdout;
    assert!(Path::new(p.trim()).join("usr/bin/redis-server").exists());
    b.run(&["image", "unmount", &image("redis")]).ok();
}

#[test]
fn complete_blobs_are_not_downloaded_again() {
    // A pull interrupted after a blob was committed but before its layer was stored: the next
    // pull unpacks the blob from the store instead of fetching it.
    let first = Berth::new();
    first.pull("busybox:latest");
    let b = Berth::new();
    let layer = images_json()["busybox:latest"]["layers"][0]["digest"]
        .as_str()
        .unwrap()[7..]
        .to_string();
    let dir = b.root().join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        first.root().join("blobs/sha256").join(&layer),
        dir.join(&layer),
    )
    .unwrap();
    let out = b
        .run(&["--log-level", "info", "pull", &image("busybox:latest")])
        .ok();
    assert!(
        out.stderr
            .contains(&format!("blob sha256:{layer} already present")),
        "{}",
        out.stderr
    );
    assert_eq!(b.image_ids().len(), 1);
}

#[test]
fn concurrent_pulls_of_overlapping_images_all_succeed() {
    let b = Berth::new();
    let names = [
        "redis:latest",
        "debian:bookworm",
        "redis:latest",
        "debian:bookworm",
    ];
    let children: Vec<_> = names
        .iter()
        .map(|n| {
            b.command()
                .args(["pull", "-q", &image(n)])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (c, n) in children.into_iter().zip(names) {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{n}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(b.image_ids().len(), 2);
    assert_eq!(b.store_entries("layers/sha256").len(), 2);
    assert!(b.store_entries("tmp").is_empty());
}

/// Pushes to the test bed's plain registry an image whose config is `config_size` bytes (a
/// label pads it); returns its reference.
fn push_image_with_config_of(config_size: usize) -> String {
    let repo = format!("big/config-{}", std::process::id());
    let script = format!(
        r#"
import json, sys
sys.path.insert(0, {dir:?})
import layers as L, push
t = L.TarBuilder(); t.file("README", b"big config\n")
layer = L.Layer.from_tar(t.bytes(), "gzip")
cfg = L.make_config([layer], ["big config"], {{"Cmd": ["/README"], "Labels": {{"pad": ""}}}})
pad = {size} - len(cfg)
cfg = L.make_config([layer], ["big config"], {{"Cmd": ["/README"], "Labels": {{"pad": "x" * pad}}}})
assert len(cfg) == {size}, len(cfg)
img = L.Image([layer], cfg)
img.push(push.Registry({reg:?}), {repo:?}, "latest")
"#,
        dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/testbed"),
        size = config_size,
        reg = common::tb("REGISTRY"),
        repo = repo,
    );
    let o = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    format!("{}/{repo}:latest", common::tb("REGISTRY"))
}

/// Docker's bound: a config (like a manifest or an index) of more than 4 MiB is refused, here
/// before it is fetched (its descriptor says its size); 4 MiB exactly is fine.
#[test]
fn configs_larger_than_4_mib_are_refused() {
    let b = Berth::new();
    let big = push_image_with_config_of((4 << 20) + 1);
    let r = b.run(&["pull", &big]);
    assert_eq!(r.code, 125, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("config too large: 4194305 bytes (at most 4194304)"),
        "{}",
        r.stderr
    );
    assert_nothing_registered(&b);
    let ok = push_image_with_config_of(4 << 20);
    b.run(&["pull", &ok]).ok();
}
