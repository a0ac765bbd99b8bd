//! Image parents: a committed or built image records the image it was made from (`Parent`),
//! `ps --filter ancestor=` follows the chains, and `rmi` refuses to delete a parent as Docker.

mod common;

use common::{Berth, Service, busybox, inspect};

fn id_of(b: &Berth, name: &str) -> String {
    inspect(b, name)["Id"].as_str().unwrap().to_string()
}

fn ps_ancestor(b: &Berth, value: &str) -> Vec<String> {
    let out = b
        .run(&[
            "ps",
            "-a",
            "--filter",
            &format!("ancestor={value}"),
            "--format",
            "{{.Names}}",
        ])
        .ok();
    let mut names: Vec<String> = out.stdout.lines().map(str::to_string).collect();
    names.sort();
    names
}

#[test]
fn commit_and_build_record_parents_that_ancestor_and_rmi_follow() {
    let b = Berth::new();
    let img = busybox(&b);
    let base = id_of(&b, &img);
    assert_eq!(inspect(&b, &img)["Parent"], "");

    // commit: the container's image is the parent.
    b.run(&["create", "--name", "src1", &img, "true"]).ok();
    b.run(&["commit", "src1", "child:1"]).ok();
    let child = id_of(&b, "child:1");
    assert_eq!(inspect(&b, "child:1")["Parent"], base.as_str());

    // build: each step's image is the next one's parent, the first step's is the FROM image.
    let ctx = tempfile::Builder::new()
        .prefix("berth-parents-ctx-")
        .tempdir_in("/var/tmp")
        .unwrap();
    std::fs::write(
        ctx.path().join("Dockerfile"),
        "FROM child:1\nRUN touch /a\nRUN touch /b\n",
    )
    .unwrap();
    b.run(&[
        "build",
        "--network",
        "none",
        "-t",
        "grand:1",
        &ctx.path().to_string_lossy(),
    ])
    .ok();
    let grand = id_of(&b, "grand:1");
    let parent = |id: &str| inspect(&b, id)["Parent"].as_str().unwrap().to_string();
    let step = parent(&grand);
    assert!(step.starts_with("sha256:") && step != child, "{step}");
    // The chain goes through the RUN steps' images down to the FROM image.
    let mut chain = vec![step.clone()];
    while chain.len() < 5 && *chain.last().unwrap() != child {
        let next = parent(chain.last().unwrap());
        assert!(!next.is_empty(), "the chain ends before child:1: {chain:?}");
        chain.push(next);
    }
    assert_eq!(chain.last(), Some(&child), "{chain:?}");
    assert!(chain.len() >= 3, "two RUN steps between: {chain:?}");

    // ancestor: the image's own containers and those of every image made from it, by any name
    // or ID of it.
    b.run(&["create", "--name", "of-child", "child:1", "true"])
        .ok();
    b.run(&["create", "--name", "of-grand", "grand:1", "true"])
        .ok();
    let all = ["of-child", "of-grand", "src1"];
    assert_eq!(ps_ancestor(&b, &img), all);
    assert_eq!(ps_ancestor(&b, &base), all);
    assert_eq!(ps_ancestor(&b, "child:1"), ["of-child", "of-grand"]);
    assert_eq!(ps_ancestor(&b, &child[7..19]), ["of-child", "of-grand"]);
    assert_eq!(ps_ancestor(&b, &step), ["of-grand"]);
    assert_eq!(ps_ancestor(&b, "grand:1"), ["of-grand"]);
    assert_eq!(ps_ancestor(&b, &grand), ["of-grand"]);
    b.run(&["rm", "src1", "of-child", "of-grand"]).ok();

    // rmi: a parent is never deleted (-f neither), by ID; its last name may go, the image stays.
    let short = &child[7..19];
    let want = format!(
        "conflict: unable to delete {short} (cannot be forced) - image has dependent child images"
    );
    b.run(&["rmi", &child]).fails_with(&want);
    b.run(&["rmi", "-f", short]).fails_with(&want);
    assert_eq!(inspect(&b, "child:1")["Id"], child.as_str(), "unchanged");
    let untag = b.run(&["rmi", "child:1"]).ok();
    assert_eq!(untag.stdout.trim(), "Untagged: child:1");
    assert_eq!(inspect(&b, &child)["RepoTags"], serde_json::json!([]));
    // A committed image without children goes.
    b.run(&["create", "--name", "src2", &img, "true"]).ok();
    b.run(&["commit", "src2", "leaf:1"]).ok();
    b.run(&["rm", "src2"]).ok();
    let leaf = id_of(&b, "leaf:1");
    let out = b.run(&["rmi", "leaf:1"]).ok();
    assert!(
        out.stdout.contains(&format!("Deleted: {leaf}")),
        "{}",
        out.stdout
    );
}

#[test]
fn docker_sees_parents_and_lists_intermediate_images_with_all() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = busybox(&b);
    let base = id_of(&b, &img);
    s.run_docker(&["create", "--name", "src", &img, "true"])
        .ok();
    s.run_docker(&["commit", "src", "child:1"]).ok();
    s.run_docker(&["rm", "src"]).ok();
    let child = id_of(&b, "child:1");
    let parent = |name: &str| {
        s.run_docker(&["image", "inspect", "-f", "{{.Parent}}", name])
            .ok()
            .stdout
            .trim()
            .to_string()
    };
    assert_eq!(parent("child:1"), base);
    assert_eq!(parent(&img), "");

    // A build: its steps' images are intermediate images, listed with -a only.
    let ctx = tempfile::Builder::new()
        .prefix("berth-parents-ctx-")
        .tempdir_in("/var/tmp")
        .unwrap();
    std::fs::write(
        ctx.path().join("Dockerfile"),
        "FROM child:1\nRUN touch /a\nRUN touch /b\n",
    )
    .unwrap();
    b.run(&[
        "build",
        "--network",
        "none",
        "-t",
        "grand:1",
        &ctx.path().to_string_lossy(),
    ])
    .ok();
    let grand = id_of(&b, "grand:1");
    let step = parent("grand:1");
    assert!(step.starts_with("sha256:") && step != child, "{step}");
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["images", "--no-trunc", "--format", "{{.ID}}"];
        a.extend_from_slice(args);
        s.run_docker(&a)
            .ok()
            .stdout
            .lines()
            .map(str::to_string)
            .collect()
    };
    let plain = ids(&[]);
    assert!(!plain.contains(&step), "{plain:?}");
    let all = ids(&["-a"]);
    for id in [&step, &grand, &child, &base] {
        assert!(all.contains(id), "{id} in {all:?}");
    }
    // The berth CLI the same.
    let berth_all = b.run(&["images", "-a", "-q", "--no-trunc"]).ok().stdout;
    assert!(berth_all.contains(&step), "{berth_all}");
    let berth_plain = b.run(&["images", "-q", "--no-trunc"]).ok().stdout;
    assert!(!berth_plain.contains(&step), "{berth_plain}");

    // The API's ParentId: the image each was made from, "" for a pulled one.
    let (code, body) = s.curl("GET", "/images/json?all=1", None);
    assert_eq!(code, 200, "{body}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    let parent_id = |id: &str| {
        list.iter()
            .find(|i| i["Id"] == id)
            .unwrap_or_else(|| panic!("{id} in {body}"))["ParentId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(parent_id(&grand), step);
    assert_eq!(parent_id(&child), base);
    assert_eq!(parent_id(&base), "");
    assert_eq!(parent_id(&step), parent(&step));
    let (_, body) = s.curl("GET", "/images/json", None);
    assert!(!body.contains(&format!("\"Id\":\"{step}\"")), "{body}");
    let (_, body) = s.curl("GET", "/images/child:1/json", None);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["Parent"], base.as_str());
}
