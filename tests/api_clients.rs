//! The Engine API driven by the clients Docker users run it with: Compose (Debian's
//! docker-compose 1.29), docker-py 7 and Testcontainers (from PyPI, in the virtualenv that
//! scripts/testbed/pyclients makes), each against its own service.

mod common;

use std::process::{Command, Stdio};

use common::{Berth, Service, image};

/// The virtualenv's python (made on first use).
fn pyclients() -> String {
    let out = Command::new("scripts/testbed/pyclients")
        .stderr(Stdio::inherit())
        .output()
        .expect("run scripts/testbed/pyclients");
    assert!(out.status.success(), "scripts/testbed/pyclients failed");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn compose_runs_a_project_whose_services_reach_each_other_by_name() {
    if Command::new("docker-compose")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        common::cannot_run_here(
            "compose_runs_a_project_whose_services_reach_each_other_by_name",
            "no docker-compose (scripts/deps.sh installs it)",
        );
        return;
    }
    let b = Berth::new();
    let s = Service::start(&b);
    let dir = b.dir.path().join("project");
    std::fs::create_dir_all(&dir).unwrap();
    let redis = image("redis");
    // `app` writes to `cache` by its service name on the project's network, after
    // `depends_on` started it; `cache` keeps its data in a named volume.
    std::fs::write(
        dir.join("docker-compose.yml"),
        format!(
            r#"version: "3.8"
services:
  cache:
    image: {redis}
    volumes:
      - data:/data
  app:
    image: {redis}
    depends_on:
      - cache
    entrypoint: ["sh", "-c", "until redis-cli -h cache set k from-app; do sleep 0.2; done; echo written; exec sleep 600"]
volumes:
  data:
"#
        ),
    )
    .unwrap();
    let compose = |args: &[&str]| {
        let out = Command::new("docker-compose")
            .args(["-p", "bt"])
            .args(args)
            .current_dir(&dir)
            .env("DOCKER_HOST", s.host())
            .env("COMPOSE_INTERACTIVE_NO_CLI", "1")
            .output()
            .unwrap();
        common::Run::from(out)
    };
    let up = compose(&["up", "-d"]);
    assert_eq!(up.code, 0, "{}\n{}", up.stdout, up.stderr);
    common::wait_until(60, "app wrote to cache", || {
        compose(&["logs", "app"]).stdout.contains("written")
    });
    let got = compose(&["exec", "-T", "cache", "redis-cli", "get", "k"]);
    assert_eq!(
        (got.code, got.stdout.trim()),
        (0, "from-app"),
        "{}",
        got.stderr
    );
    let ps = s.run_docker(&["ps", "--format", "{{.Names}} {{.Networks}}"]);
    let mut names: Vec<&str> = ps.stdout.lines().collect();
    names.sort();
    assert_eq!(names, ["bt_app_1 bt_default", "bt_cache_1 bt_default"]);
    // The named volume, and app's anonymous one for the image's VOLUME /data (as Docker).
    let vols = s.run_docker(&["volume", "ls", "-q"]).stdout;
    let mut vols: Vec<&str> = vols.lines().collect();
    vols.sort_by_key(|v| v.len());
    assert!(
        vols.len() == 2 && vols[0] == "bt_data" && vols[1].len() == 64,
        "{vols:?}"
    );
    // A second `up` finds everything as it should be: nothing recreated.
    let again = compose(&["up", "-d"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        !again.stderr.contains("Recreating") && !again.stderr.contains("needs to be recreated"),
        "{}",
        again.stderr
    );
    let down = compose(&["down", "-v"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert_eq!(s.run_docker(&["ps", "-aq"]).stdout, "");
    assert_eq!(s.run_docker(&["volume", "ls", "-q"]).stdout, "");
    let nets = s
        .run_docker(&["network", "ls", "--format", "{{.Name}}"])
        .stdout;
    assert!(!nets.contains("bt_default"), "{nets}");
}

/// Compose 1.29 builds a service's image (`build:` with a context, a Dockerfile name and args)
/// through `POST /build`, runs it, and `down --rmi local` removes what it built.
#[test]
fn compose_builds_a_service_image_and_runs_it() {
    if Command::new("docker-compose")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        common::cannot_run_here(
            "compose_builds_a_service_image_and_runs_it",
            "no docker-compose (scripts/deps.sh installs it)",
        );
        return;
    }
    let b = Berth::new();
    let s = Service::start(&b);
    let dir = b.dir.path().join("project");
    std::fs::create_dir_all(dir.join("app")).unwrap();
    let busybox = image("busybox");
    std::fs::write(
        dir.join("app/Containerfile.web"),
        format!(
            "FROM {busybox}\nARG GREETING=unset\nCOPY page.txt /page.txt\n\
             RUN echo \"$GREETING\" > /greeting\n\
             CMD [\"sh\", \"-c\", \"cat /greeting /page.txt; exec sleep 600\"]\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("app/page.txt"), "built by compose\n").unwrap();
    std::fs::write(
        dir.join("docker-compose.yml"),
        r#"version: "3.8"
services:
  web:
    build:
      context: ./app
      dockerfile: Containerfile.web
      args:
        GREETING: hello-from-args
      network: none
"#,
    )
    .unwrap();
    let compose = |args: &[&str]| {
        let out = Command::new("docker-compose")
            .args(["-p", "bb"])
            .args(args)
            .current_dir(&dir)
            .env("DOCKER_HOST", s.host())
            .env("COMPOSE_INTERACTIVE_NO_CLI", "1")
            .env("DOCKER_BUILDKIT", "0")
            .env("COMPOSE_DOCKER_CLI_BUILD", "0")
            .output()
            .unwrap();
        common::Run::from(out)
    };
    let build = compose(&["build"]);
    assert_eq!(build.code, 0, "{}\n{}", build.stdout, build.stderr);
    assert!(
        build.stdout.contains("Successfully tagged bb_web:latest"),
        "{}\n{}",
        build.stdout,
        build.stderr
    );
    let up = compose(&["up", "-d"]);
    assert_eq!(up.code, 0, "{}\n{}", up.stdout, up.stderr);
    common::wait_until(60, "web printed its page", || {
        compose(&["logs", "web"])
            .stdout
            .contains("built by compose")
    });
    let logs = compose(&["logs", "--no-color", "web"]).stdout;
    assert!(logs.contains("hello-from-args"), "{logs}");
    // A second build hits the cache for the COPY and the RUN.
    let again = compose(&["build"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.matches("Using cache").count() >= 2,
        "{}",
        again.stdout
    );
    let down = compose(&["down", "--rmi", "local"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert_eq!(s.run_docker(&["ps", "-aq"]).stdout, "");
    let images = s
        .run_docker(&["images", "--format", "{{.Repository}}"])
        .stdout;
    assert!(!images.contains("bb_web"), "{images}");
}

#[test]
fn testcontainers_and_docker_py_7_run_redis_and_reach_its_mapped_port() {
    let python = pyclients();
    let b = Berth::new();
    let s = Service::start(&b);
    // Testcontainers' reaper (Ryuk) is an image from Docker Hub: disabled; the container is
    // removed by the context manager. It connects through the published port.
    let script = r#"
import sys, docker
from testcontainers.redis import RedisContainer
with RedisContainer(sys.argv[1]) as r:
    c = r.get_client()
    c.set("k", "v")
    print("got", c.get("k").decode())
    print("published", int(r.get_exposed_port(6379)) > 0)
client = docker.from_env()
print("version", client.version()["ApiVersion"])
print("left", len(client.containers.list(all=True)))
"#;
    let out = Command::new(python)
        .args(["-c", script, &image("redis")])
        .env("DOCKER_HOST", s.host())
        .env("TESTCONTAINERS_RYUK_DISABLED", "true")
        .output()
        .unwrap();
    let r = common::Run::from(out);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout, "got v\npublished True\nversion 1.51\nleft 0\n",
        "{}",
        r.stderr
    );
}
