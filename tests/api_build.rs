//! `POST /build` through `berth system service`: the docker CLI's classic builder
//! (`DOCKER_BUILDKIT=0 docker build`) and a raw request with a tar body; a failing step and a
//! client that goes away leave nothing behind.

mod common;

use std::path::Path;

use common::{Berth, Service, busybox, tb, wait_until};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn context() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("berth-api-build-ctx-")
        .tempdir_in("/var/tmp")
        .unwrap()
}

fn docker_build(svc: &Service, args: &[&str]) -> common::Run {
    common::Run::from(
        svc.docker()
            .env("DOCKER_BUILDKIT", "0")
            .arg("build")
            .args(args)
            .output()
            .unwrap(),
    )
}

#[test]
fn the_docker_cli_builds_through_the_service() {
    let b = Berth::new();
    let img = busybox(&b);
    let svc = Service::start(&b);
    let ctx = context();
    write(ctx.path(), "hello.txt", "hello\n");
    write(ctx.path(), ".dockerignore", "secret\n");
    write(ctx.path(), "secret", "no\n");
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img}\nARG V\nCOPY . /ctx/\nRUN echo \"v=$V\" > /v && ls /ctx > /list\nLABEL k=v\nCMD [\"cat\", \"/v\"]\n"
        ),
    );
    let c = ctx.path().to_string_lossy().into_owned();
    let r = docker_build(
        &svc,
        &["--network", "none", "-t", "web:1", "--build-arg", "V=7", &c],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Step 1/6 : FROM"), "{}", r.stdout);
    assert!(
        r.stdout.contains("Successfully tagged web:1"),
        "{}",
        r.stdout
    );
    let out = b.run(&["run", "--rm", "web:1"]).ok();
    assert_eq!(out.stdout, "v=7\n");
    let list = b.run(&["run", "--rm", "web:1", "cat", "/list"]).ok();
    assert_eq!(
        list.stdout, "Dockerfile\nhello.txt\n",
        "the .dockerignore'd file stays out"
    );
    let labels = svc.run_docker(&["inspect", "-f", "{{.Config.Labels.k}}", "web:1"]);
    assert_eq!(labels.stdout.trim(), "v", "{}", labels.stderr);
    // -q prints the ID only.
    let q = docker_build(&svc, &["--network", "none", "-q", &c]);
    assert_eq!(q.code, 0, "{}", q.stderr);
    assert!(q.stdout.trim().starts_with("sha256:"), "{}", q.stdout);

    // A failing step: Docker's message, exit 1, no container left.
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nRUN echo failing; exit 3\n"),
    );
    let r = docker_build(&svc, &["--network", "none", "-t", "broken", &c]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("returned a non-zero code: 3"),
        "{}",
        r.stderr
    );
    assert_eq!(b.run(&["ps", "-aq"]).ok().stdout, "");
    assert!(b.run(&["image", "inspect", "broken"]).code != 0);
}

#[test]
fn a_raw_build_request_streams_docker_messages() {
    let b = Berth::new();
    let img = busybox(&b);
    let svc = Service::start(&b);
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nRUN echo made > /made\n"),
    );
    let tar = ctx.path().join("ctx.tar");
    let st = std::process::Command::new("tar")
        .arg("-C")
        .arg(ctx.path())
        .arg("-cf")
        .arg(&tar)
        .arg("Dockerfile")
        .status()
        .unwrap();
    assert!(st.success());
    let at = format!("@{}", tar.display());
    let (code, body) = svc.curl_args(
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/x-tar",
            "--data-binary",
            &at,
        ],
        "/v1.41/build?t=raw:1&networkmode=none&buildargs=%7B%22A%22%3A%22b%22%7D",
    );
    assert_eq!(code, 200, "{body}");
    let msgs: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        msgs.iter().any(|m| m["stream"]
            .as_str()
            .is_some_and(|s| s.starts_with("Step 1/2 : FROM"))),
        "{body}"
    );
    let id = msgs
        .iter()
        .find_map(|m| m["aux"]["ID"].as_str())
        .unwrap_or_else(|| panic!("no aux ID: {body}"));
    assert!(id.starts_with("sha256:"), "{id}");
    let out = b.run(&["run", "--rm", "raw:1", "cat", "/made"]).ok();
    assert_eq!(out.stdout, "made\n");
    // A bad parameter: 400 before anything runs.
    let (code, body) = svc.curl_args(
        &["-X", "POST", "--data-binary", &at],
        "/build?buildargs=notjson",
    );
    assert_eq!(code, 400, "{body}");
    // A Dockerfile error comes in the stream, as dockerd sends it.
    write(ctx.path(), "Dockerfile", "FROM\n");
    std::process::Command::new("tar")
        .arg("-C")
        .arg(ctx.path())
        .arg("-cf")
        .arg(&tar)
        .arg("Dockerfile")
        .status()
        .unwrap();
    let (code, body) = svc.curl_args(&["-X", "POST", "--data-binary", &at], "/build");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"errorDetail\""), "{body}");
    wait_until(10, "no container left", || {
        b.run(&["ps", "-aq"]).ok().stdout.is_empty()
    });
}

/// The docker CLI sends the credentials of its config.json with a build (`X-Registry-Config`):
/// a base image from a registry that needs them is pulled with them, while berth's own
/// config holds none.
#[test]
fn a_base_image_is_pulled_with_the_clients_registry_config() {
    use base64::Engine as _;
    let b = Berth::new();
    let svc = Service::start(&b);
    let reg = tb("REGISTRY_BASIC");
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {reg}/busybox:latest\nLABEL via=registry-config\n"),
    );
    let c = ctx.path().to_string_lossy().into_owned();
    let denied = docker_build(&svc, &["-t", "authed:1", &c]);
    assert_ne!(denied.code, 0, "{}", denied.stdout);
    assert!(
        denied.stderr.contains("pull access denied"),
        "{}",
        denied.stderr
    );
    let config_dir = svc.socket.with_file_name("docker-cli");
    std::fs::create_dir_all(&config_dir).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        tb("BASIC_USER"),
        tb("BASIC_PASS")
    ));
    std::fs::write(
        config_dir.join("config.json"),
        format!(r#"{{"auths":{{"{reg}":{{"auth":"{auth}"}}}}}}"#),
    )
    .unwrap();
    let r = docker_build(&svc, &["-t", "authed:1", &c]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Successfully tagged authed:1"),
        "{}",
        r.stdout
    );
    assert!(
        !b.docker_config.join("config.json").exists(),
        "berth's own config stays without credentials"
    );
    let label = b
        .run(&[
            "inspect",
            "-f",
            "{{index .Config.Labels \"via\"}}",
            "authed:1",
        ])
        .ok();
    assert_eq!(label.stdout.trim(), "registry-config");
}
