//! Images against the local registry test bed: pull, images, inspect, history, tag, rmi, prune,
//! image mount.

mod common;

use std::process::Command;

use common::{Berth, image, images_json, tb};
use serde_json::Value;

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn pulls_every_test_bed_image_and_lists_them() {
    let b = Berth::new();
    let info = images_json();
    for name in [
        "busybox:latest",
        "debian:bookworm",
        "redis:latest",
        "tricky:latest",
        "multiarch:latest",
    ] {
        let out = b.run(&["pull", &image(name)]).ok();
        assert!(
            out.stdout.contains("Status: Downloaded newer image for"),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains(&format!(
                "Digest: {}",
                info[name]["manifest"].as_str().unwrap()
            )),
            "{name}: {}",
            out.stdout
        );
        assert!(
            out.stdout.trim_end().ends_with(&image(name)),
            "last line names the image: {}",
            out.stdout
        );
    }
    let rows = json_lines(&b.run(&["images", "--format", "json"]).ok().stdout);
    assert_eq!(rows.len(), 5);
    for name in [
        "busybox:latest",
        "debian:bookworm",
        "redis:latest",
        "tricky:latest",
    ] {
        let (repo, tag) = name.split_once(':').unwrap();
        let row = rows
            .iter()
            .find(|r| r["Repository"] == image(repo).as_str() && r["Tag"] == tag)
            .unwrap_or_else(|| panic!("{name} missing from {rows:?}"));
        let config = info[name]["config"].as_str().unwrap();
        assert_eq!(row["ID"], &config[7..19]);
        assert!(row["Size"].as_str().unwrap().ends_with('B'));
    }
    // A second pull finds everything present.
    let out = b.run(&["pull", &image("redis:latest")]).ok();
    assert!(
        out.stdout.contains("Status: Image is up to date"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Already exists"), "{}", out.stdout);
}

#[test]
fn images_table_columns_quiet_digests_and_filter() {
    let b = Berth::new();
    b.pull("busybox:latest");
    let table = b.run(&["images"]).ok();
    let lines = table.lines();
    assert!(
        lines[0].starts_with("REPOSITORY")
            && lines[0].contains("TAG")
            && lines[0].contains("IMAGE ID")
            && lines[0].contains("CREATED")
            && lines[0].ends_with("SIZE"),
        "{}",
        table.stdout
    );
    assert_eq!(lines.len(), 2);
    let id = images_json()["busybox:latest"]["config"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(lines[1].contains(&id[7..19]), "{}", table.stdout);
    assert_eq!(b.run(&["images", "-q"]).ok().stdout.trim(), &id[7..19]);
    assert_eq!(b.image_ids(), vec![id.clone()]);
    let d = b.run(&["images", "--digests"]).ok();
    assert!(d.lines()[0].contains("DIGEST"));
    let manifest = images_json()["busybox:latest"]["manifest"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(d.stdout.contains(&manifest), "{}", d.stdout);
    // Filter by repository.
    assert_eq!(
        b.run(&["images", "-q", &image("busybox")])
            .ok()
            .lines()
            .len(),
        1
    );
    assert_eq!(
        b.run(&["images", "-q", &image("redis")]).ok().lines().len(),
        0
    );
    // Go templates.
    let t = b
        .run(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .ok();
    assert_eq!(t.stdout.trim(), image("busybox:latest"));
}

#[test]
fn inspect_uses_docker_field_names() {
    let b = Berth::new();
    b.pull("redis:latest");
    let info = &images_json()["redis:latest"];
    let out = b.run(&["image", "inspect", &image("redis:latest")]).ok();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let i = &v[0];
    assert_eq!(i["Id"], info["config"]);
    assert_eq!(i["RepoTags"][0], image("redis:latest").as_str());
    assert_eq!(
        i["RepoDigests"][0],
        format!("{}@{}", image("redis"), info["manifest"].as_str().unwrap()).as_str()
    );
    assert_eq!(i["Architecture"], "amd64");
    assert_eq!(i["Os"], "linux");
    assert_eq!(i["RootFS"]["Type"], "layers");
    let want: Vec<&Value> = info["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["diffID"])
        .collect();
    let got: Vec<&Value> = i["RootFS"]["Layers"].as_array().unwrap().iter().collect();
    assert_eq!(got, want);
    assert!(i["Size"].as_i64().unwrap() > 10_000_000);
    assert!(
        i["Config"]["ExposedPorts"]["6379/tcp"].is_object(),
        "{}",
        i["Config"]
    );
    assert!(i["Config"]["Volumes"]["/data"].is_object());
    assert!(i["Created"].as_str().unwrap().len() >= 20);
    // Top-level inspect, by ID prefix, and --format.
    let id = info["config"].as_str().unwrap();
    let f = b
        .run(&["inspect", "--format", "{{.Id}} {{.Os}}", &id[7..15]])
        .ok();
    assert_eq!(f.stdout.trim(), format!("{id} linux"));
    // A missing name: "[]" on stdout and one error line.
    let miss = b.run(&["inspect", "nosuchimage"]);
    assert_eq!(miss.stdout.trim(), "[]");
    miss.fails_with("No such object: nosuchimage");
}

#[test]
fn history_lists_layers_newest_first() {
    let b = Berth::new();
    b.pull("redis:latest");
    let h = b.run(&["history", &image("redis:latest")]).ok();
    let lines = h.lines();
    assert!(lines[0].starts_with("IMAGE") && lines[0].contains("CREATED BY"));
    let id = images_json()["redis:latest"]["config"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(lines[1].starts_with(&id[7..19]), "{}", h.stdout);
    assert!(lines[2..].iter().all(|l| l.starts_with("<missing>")));
    let json = json_lines(
        &b.run(&["history", "--format", "json", &image("redis")])
            .ok()
            .stdout,
    );
    let sized = json.iter().filter(|e| e["Size"] != "0B").count();
    assert_eq!(sized, 2, "two layers carry data: {json:?}");
}

#[test]
fn multi_arch_index_resolves_to_the_requested_platform() {
    let b = Berth::new();
    let m = &images_json()["multiarch:latest"];
    b.run(&["pull", &image("multiarch:latest")]).ok();
    let v: Value = serde_json::from_str(
        &b.run(&["image", "inspect", &image("multiarch")])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(v[0]["Id"], m["manifests"]["linux/amd64"]["config"]);
    // RepoDigests carry the index digest, as Docker's do.
    assert!(
        v[0]["RepoDigests"][0]
            .as_str()
            .unwrap()
            .ends_with(m["manifest"].as_str().unwrap())
    );
    let p = b.run(&["image", "mount", &image("multiarch")]).ok();
    let arch = std::fs::read_to_string(format!("{}/arch", p.stdout.trim())).unwrap();
    assert_eq!(arch.trim(), "amd64");
    b.run(&["image", "unmount", &image("multiarch")]).ok();

    b.run(&[
        "pull",
        "--platform",
        "linux/arm64",
        &image("multiarch:latest"),
    ])
    .ok();
    let v: Value = serde_json::from_str(
        &b.run(&["image", "inspect", &image("multiarch")])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(v[0]["Id"], m["manifests"]["linux/arm64/v8"]["config"]);
    assert_eq!(v[0]["Architecture"], "arm64");

    let before = b.image_ids();
    b.run(&[
        "pull",
        "--platform",
        "linux/s390x",
        &image("multiarch:latest"),
    ])
    .fails_with("no image for platform linux/s390x");
    assert_eq!(b.image_ids(), before);
    b.run(&["pull", "--platform", "bogus", &image("multiarch:latest")])
        .fails_with("invalid platform");
}

#[test]
fn tricky_image_merges_to_the_expected_tree() {
    let b = Berth::new();
    b.pull("tricky:latest");
    let path = b.run(&["image", "mount", &image("tricky")]).ok().stdout;
    let path = path.trim();
    // Mounting twice gives the same mount.
    assert_eq!(
        b.run(&["image", "mount", &image("tricky")])
            .ok()
            .stdout
            .trim(),
        path
    );
    let out = Command::new("python3")
        .arg(tb("MERGED_TREE"))
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let want: Vec<Value> =
        serde_json::from_slice(&std::fs::read(tb("TRICKY_EXPECTED")).unwrap()).unwrap();
    let key = |e: &Value| e["path"].as_str().unwrap().to_string();
    let got_paths: Vec<String> = got.iter().map(key).collect();
    let want_paths: Vec<String> = want.iter().map(key).collect();
    assert_eq!(got_paths, want_paths, "the merged tree has other paths");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "entry {} differs", key(w));
    }
    // The mount is read-only.
    assert!(std::fs::write(format!("{path}/newfile"), b"x").is_err());
    let un = b.run(&["image", "unmount", &image("tricky")]).ok();
    assert!(un.stdout.starts_with("sha256:"));
    assert!(
        !std::fs::read_to_string("/proc/self/mountinfo")
            .unwrap()
            .contains(path)
    );
    b.run(&["image", "unmount", &image("tricky")])
        .fails_with("is not mounted");
}

#[test]
fn tag_and_rmi_follow_docker_semantics() {
    let b = Berth::new();
    b.pull("busybox:latest");
    let id = b.image_ids()[0].clone();
    b.run(&["tag", &image("busybox"), "mybox:1"]).ok();
    b.run(&["tag", &id[7..14], "other.example/x/mybox"]).ok();
    let rows = b
        .run(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .ok();
    let mut names: Vec<&str> = rows.lines();
    names.sort();
    assert_eq!(
        names,
        vec![
            image("busybox:latest").as_str(),
            "mybox:1",
            "other.example/x/mybox:latest"
        ]
    );
    // By ID with several repositories: refused without -f.
    b.run(&["rmi", &id[7..19]])
        .fails_with("image is referenced in multiple repositories");
    // By tag: only untagged while other tags remain.
    let out = b.run(&["rmi", "mybox:1"]).ok();
    assert_eq!(out.stdout.trim(), "Untagged: mybox:1");
    assert_eq!(b.image_ids(), vec![id.clone()]);
    b.run(&["rmi", "mybox:1"])
        .fails_with("No such image: mybox:1");
    // -f by ID: untag everything and delete the image, its layers and blobs.
    let out = b.run(&["rmi", "-f", &id]).ok();
    assert!(
        out.stdout.contains(&format!("Deleted: {id}")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Untagged: other.example/x/mybox:latest")
    );
    assert!(b.image_ids().is_empty());
    assert!(b.store_entries("layers/sha256").is_empty());
    assert!(b.store_entries("blobs/sha256").is_empty());
    // Bad names.
    b.run(&["tag", "nosuch", "x"])
        .fails_with("No such image: nosuch");
    b.run(&["tag", &id, "Bad:Name"])
        .fails_with("invalid reference format");
}

#[test]
fn rmi_keeps_layers_shared_with_other_images() {
    let b = Berth::new();
    b.pull("debian:bookworm");
    b.pull("redis:latest");
    let info = images_json();
    let base = info["debian:bookworm"]["layers"][0]["diffID"]
        .as_str()
        .unwrap();
    let top = info["redis:latest"]["layers"][1]["diffID"]
        .as_str()
        .unwrap();
    assert_eq!(
        info["redis:latest"]["layers"][0]["diffID"]
            .as_str()
            .unwrap(),
        base
    );
    assert_eq!(b.store_entries("layers/sha256").len(), 2);
    let out = b.run(&["rmi", &image("redis")]).ok();
    assert!(
        out.stdout.contains(&format!("Deleted: {top}")),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains(&format!("Deleted: {base}")),
        "{}",
        out.stdout
    );
    assert_eq!(
        b.store_entries("layers/sha256"),
        vec![base[7..].to_string()]
    );
    // The base image still works, and only its blobs are left.
    let p = b.run(&["image", "mount", &image("debian:bookworm")]).ok();
    assert!(std::path::Path::new(&format!("{}/etc/debian_version", p.stdout.trim())).exists());
    b.run(&["image", "unmount", &image("debian:bookworm")]).ok();
    let mut blobs = b.store_entries("blobs/sha256");
    let d = &info["debian:bookworm"];
    let mut want: Vec<String> = [&d["manifest"], &d["config"], &d["layers"][0]["digest"]]
        .iter()
        .map(|v| v.as_str().unwrap()[7..].to_string())
        .collect();
    blobs.sort();
    want.sort();
    assert_eq!(blobs, want);
}

#[test]
fn mounted_images_are_not_removed_without_force() {
    let b = Berth::new();
    b.pull("busybox:latest");
    let p = b.run(&["image", "mount", &image("busybox")]).ok().stdout;
    b.run(&["rmi", &image("busybox")])
        .fails_with("the image is mounted");
    b.run(&["rmi", "-f", &image("busybox")]).ok();
    assert!(
        !std::fs::read_to_string("/proc/self/mountinfo")
            .unwrap()
            .contains(p.trim())
    );
    assert!(b.image_ids().is_empty());
}

#[test]
fn prune_removes_dangling_images_and_all_with_a() {
    let b = Berth::new();
    b.pull("busybox:latest");
    b.pull("tricky:latest");
    // Move busybox's tag onto tricky: busybox becomes dangling (<none>).
    b.run(&["tag", &image("tricky"), &image("busybox:latest")])
        .ok();
    let rows = b.run(&["images", "--format", "{{.Tag}}"]).ok();
    assert!(rows.stdout.contains("<none>"), "{}", rows.stdout);
    let out = b.run(&["image", "prune", "-f"]).ok();
    assert!(
        out.stdout.contains("Total reclaimed space: "),
        "{}",
        out.stdout
    );
    assert_eq!(b.image_ids().len(), 1);
    // Without -f and without a terminal, nothing is removed.
    b.run(&["image", "prune", "-a"]).ok();
    assert_eq!(b.image_ids().len(), 1);
    b.run(&["image", "prune", "-a", "-f"]).ok();
    assert!(b.image_ids().is_empty());
    assert!(b.store_entries("layers/sha256").is_empty());
    assert!(b.store_entries("blobs/sha256").is_empty());
}

#[test]
fn bad_references_and_missing_images_change_nothing() {
    let b = Berth::new();
    b.pull("busybox:latest");
    let before = (b.image_ids(), b.store_entries("blobs/sha256"));
    b.run(&["pull", "Not/Valid"])
        .fails_with("invalid reference format");
    b.run(&["pull", "busybox:bad tag"])
        .fails_with("invalid reference format");
    b.run(&["pull", "busybox@sha256:123"]).fails_with("digest");
    b.run(&["pull", &image("nosuch/image:latest")])
        .fails_with("not found");
    b.run(&["pull", &image("busybox:nosuchtag")])
        .fails_with("not found");
    b.run(&["rmi", "nosuch"])
        .fails_with("No such image: nosuch");
    b.run(&["image", "mount", "nosuch"])
        .fails_with("No such image: nosuch");
    assert_eq!((b.image_ids(), b.store_entries("blobs/sha256")), before);
}

#[test]
fn pull_by_digest_and_quiet() {
    let b = Berth::new();
    let info = &images_json()["busybox:latest"];
    let by_digest = format!(
        "{}@{}",
        image("busybox"),
        info["manifest"].as_str().unwrap()
    );
    let out = b.run(&["pull", "-q", &by_digest]).ok();
    assert_eq!(out.stdout.trim(), info["config"].as_str().unwrap());
    // No tag was given: the image is listed as <none> with its digest, and found by digest.
    let rows = b.run(&["images", "--format", "{{.Tag}} {{.Digest}}"]).ok();
    assert_eq!(
        rows.stdout.trim(),
        format!("<none> {}", info["manifest"].as_str().unwrap())
    );
    b.run(&["image", "inspect", &by_digest]).ok();
}

#[test]
fn images_with_more_layers_than_mount_options_can_mount() {
    // 71 layers: their paths do not fit in mount(2)'s one-page option string.
    let b = Berth::new();
    b.pull("many-layers:latest");
    let v: Value = serde_json::from_str(
        &b.run(&["image", "inspect", &image("many-layers")])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(v[0]["RootFS"]["Layers"].as_array().unwrap().len(), 71);
    let p = b
        .run(&["image", "mount", &image("many-layers")])
        .ok()
        .stdout;
    let p = p.trim();
    for i in [0, 35, 69] {
        let text = std::fs::read_to_string(format!("{p}/layers/{i:02}")).unwrap();
        assert_eq!(text, format!("layer {i}\n"));
    }
    assert!(std::path::Path::new(&format!("{p}/bin/busybox")).exists());
    b.run(&["image", "unmount", &image("many-layers")]).ok();
}
