//! The Docker Engine API (`berth system service`) driven by real clients: the docker CLI with
//! DOCKER_HOST, and curl on the socket.

mod common;

use common::{Berth, Service};

#[test]
fn the_docker_cli_negotiates_and_reads_version_and_info() {
    let b = Berth::new();
    let s = Service::start(&b);
    let v = s
        .run_docker(&[
            "version",
            "--format",
            "{{.Server.APIVersion}} {{.Server.Os}}",
        ])
        .ok();
    assert_eq!(v.stdout.trim(), "1.51 linux");
    let info = s
        .run_docker(&[
            "info",
            "--format",
            "{{.Containers}} {{.Driver}} {{.OSType}}",
        ])
        .ok();
    assert_eq!(info.stdout.trim(), "0 overlay linux");
    let (code, body) = s.curl("GET", "/_ping", None);
    assert_eq!((code, body.as_str()), (200, "OK"));
    let (code, body) = s.curl("GET", "/v1.99/info", None);
    assert_eq!(code, 400, "{body}");
    assert!(
        body.contains("Maximum supported API version is 1.51"),
        "{body}"
    );
}

#[test]
fn a_container_from_create_to_delete_through_the_docker_cli() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::image("busybox");
    s.run_docker(&["pull", &img]).ok();
    let id = s
        .run_docker(&[
            "run",
            "-d",
            "--name",
            "web",
            &img,
            "sh",
            "-c",
            "echo hello; sleep 60",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(id.len(), 64, "{id}");
    // The CLI and the API see the same state.
    assert!(common::is_running(&b, "web"));
    common::wait_until(10, "the log line", || {
        s.run_docker(&["logs", "web"]).stdout.contains("hello")
    });
    let ps = s
        .run_docker(&["ps", "--format", "{{.Names}} {{.State}}"])
        .ok();
    assert_eq!(ps.stdout.trim(), "web running");
    s.run_docker(&["stop", "-t", "1", "web"]).ok();
    assert!(common::status_of(&b, "web").starts_with("Exited"));
    s.run_docker(&["rm", "web"]).ok();
    let gone = s.run_docker(&["inspect", "web"]);
    assert_eq!(gone.code, 1);
    assert!(gone.stderr.contains("No such"), "{}", gone.stderr);
}
