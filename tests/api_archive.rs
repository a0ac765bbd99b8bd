//! The archive endpoints through real clients: `docker cp` both ways (HEAD/GET/PUT
//! `/containers/{id}/archive`), `docker export`, `docker diff`, and curl on the stat header.

mod common;

use std::fs;

use base64::Engine as _;
use common::{Berth, Service};

#[test]
fn docker_cp_export_and_diff_through_the_service() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::image("busybox");
    s.run_docker(&["pull", &img]).ok();
    s.run_docker(&["create", "--name", "a1", &img, "sleep", "60"])
        .ok();
    let h = b.dir.path().join("host");
    fs::create_dir_all(h.join("dir/sub")).unwrap();
    fs::write(h.join("f.txt"), "hey\n").unwrap();
    fs::write(h.join("dir/sub/g"), "gee\n").unwrap();
    let hp = |n: &str| h.join(n).to_string_lossy().into_owned();

    // Into a created container, then out again.
    s.run_docker(&["cp", &hp("f.txt"), "a1:/f.txt"]).ok();
    s.run_docker(&["cp", &hp("dir"), "a1:/"]).ok();
    let out = b.dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let op = |n: &str| out.join(n).to_string_lossy().into_owned();
    s.run_docker(&["cp", "a1:/f.txt", &op("f-back")]).ok();
    assert_eq!(fs::read_to_string(out.join("f-back")).unwrap(), "hey\n");
    s.run_docker(&["cp", "a1:/dir", &op("dir-back")]).ok();
    assert_eq!(
        fs::read_to_string(out.join("dir-back/sub/g")).unwrap(),
        "gee\n"
    );
    // Berth's CLI sees what the docker CLI copied in.
    b.run(&["cp", "a1:/dir/sub/g", &op("by-berth")]).ok();
    assert_eq!(fs::read_to_string(out.join("by-berth")).unwrap(), "gee\n");

    // A running container.
    s.run_docker(&["start", "a1"]).ok();
    s.run_docker(&["cp", &hp("f.txt"), "a1:/dir/running.txt"])
        .ok();
    s.run_docker(&["cp", "a1:/dir/running.txt", &op("running")])
        .ok();
    assert_eq!(fs::read_to_string(out.join("running")).unwrap(), "hey\n");

    // Docker's errors, as the docker CLI prints them.
    let missing = s.run_docker(&["cp", "a1:/nope", &op("x")]);
    assert_ne!(missing.code, 0);
    assert!(
        missing
            .stderr
            .contains("Could not find the file /nope in container a1"),
        "{}",
        missing.stderr
    );
    let into_missing = s.run_docker(&["cp", &hp("f.txt"), "a1:/nodir/x"]);
    assert_ne!(into_missing.code, 0);
    assert!(
        into_missing
            .stderr
            .contains("Could not find the file /nodir"),
        "{}",
        into_missing.stderr
    );

    // HEAD: the stat header (URL-safe base64 of Docker's PathStat); 404 for a missing path.
    let (code, text) = s.curl_args(&["-I"], "/v1.50/containers/a1/archive?path=/f.txt");
    assert_eq!(code, 200, "{text}");
    let header = text
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("x-docker-container-path-stat"))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no stat header in {text}"));
    let stat: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(stat["name"], "f.txt");
    assert_eq!(stat["size"], 4);
    assert_eq!(stat["mode"].as_u64().unwrap() & 0o777, 0o644);
    let (code, _) = s.curl_args(&["-I"], "/v1.50/containers/a1/archive?path=/nope");
    assert_eq!(code, 404);
    let (code, body) = s.curl("GET", "/v1.50/containers/a1/archive?path=/nope", None);
    assert_eq!(code, 404);
    assert!(body.contains("Could not find the file /nope"), "{body}");
    let (code, _) = s.curl("GET", "/v1.50/containers/nosuch/archive?path=/", None);
    assert_eq!(code, 404);
    let (code, body) = s.curl("GET", "/v1.50/containers/a1/archive", None);
    assert_eq!(code, 400, "{body}");
    // A PUT whose body is not a tar stream is a 400 and changes nothing.
    let (code, body) = s.curl(
        "PUT",
        "/v1.50/containers/a1/archive?path=/",
        Some("garbage"),
    );
    assert_eq!(code, 400, "{body}");

    // diff and changes.
    let diff = s.run_docker(&["diff", "a1"]).ok();
    let lines: Vec<&str> = diff.stdout.lines().collect();
    for want in ["A /f.txt", "A /dir", "A /dir/sub/g", "A /dir/running.txt"] {
        assert!(lines.contains(&want), "{want} in {lines:?}");
    }
    assert!(!lines.iter().any(|l| l.contains("/proc")), "{lines:?}");
    let (code, body) = s.curl("GET", "/v1.50/containers/a1/changes", None);
    assert_eq!(code, 200);
    let changes: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        changes
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["Path"] == "/f.txt" && c["Kind"] == 1),
        "{body}"
    );

    // export.
    let file = b.dir.path().join("a1.tar");
    s.run_docker(&["export", "-o", &file.to_string_lossy(), "a1"])
        .ok();
    let mut a = tar::Archive::new(fs::File::open(&file).unwrap());
    let names: Vec<String> = a
        .entries()
        .unwrap()
        .map(|e| {
            let name = e.unwrap().path().unwrap().to_string_lossy().into_owned();
            name.trim_end_matches('/').to_string()
        })
        .collect();
    for want in ["f.txt", "dir/sub/g", "bin/busybox"] {
        assert!(names.iter().any(|n| n == want), "{want} in export");
    }
    s.run_docker(&["rm", "-f", "a1"]).ok();
    common::assert_no_leftovers(&b, &[]);
}
