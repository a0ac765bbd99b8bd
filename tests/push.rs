//! `push`: to the test bed's registries (a new repository per test), checked from the other end
//! with podman (pull, same digest, run); blob checks, cross-repository mounts, `--all-tags`,
//! credentials; and `docker push`/`docker login` through the Engine API service.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Berth, Run, Service, image, tb};

/// A repository path no other test (or earlier run) uses.
fn fresh_repo(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("push-{}-{nanos}/{name}", std::process::id())
}

/// The `TAG: digest: sha256:… size: N` line of a push for `tag`: (digest, size).
fn pushed_digest(out: &str, tag: &str) -> (String, u64) {
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("{tag}: digest: ")))
        .unwrap_or_else(|| panic!("no digest line for {tag} in:\n{out}"));
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(f.len(), 5, "{line}");
    assert!(f[2].starts_with("sha256:") && f[2].len() == 71, "{line}");
    (f[2].to_string(), f[4].parse().unwrap())
}

/// podman with a store of its own under `dir`, set up for this host (scripts/podman-config).
struct Podman {
    dir: std::path::PathBuf,
}

impl Podman {
    fn new(b: &Berth) -> Option<Podman> {
        if Command::new("podman").arg("--version").output().is_err() {
            common::cannot_run_here(
                "push_then_podman_pulls_the_same_digest_and_runs_it",
                "podman is not installed (scripts/deps.sh)",
            );
            return None;
        }
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/podman-config");
        let st = Command::new(config).arg(tb("REGISTRY")).status().unwrap();
        assert!(st.success(), "scripts/podman-config failed");
        Some(Podman {
            dir: b.dir.path().join("podman"),
        })
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::from(
            Command::new("podman")
                .arg("--root")
                .arg(self.dir.join("root"))
                .arg("--runroot")
                .arg(self.dir.join("run"))
                .args(args)
                .output()
                .expect("run podman"),
        )
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        if self.dir.exists() {
            let _ = self.run(&["rm", "-a", "-f"]);
            let _ = self.run(&["rmi", "-a", "-f"]);
        }
    }
}

#[test]
fn push_then_podman_pulls_the_same_digest_and_runs_it() {
    let b = Berth::new();
    let Some(podman) = Podman::new(&b) else {
        return;
    };
    // Pulled under another name of the same registry, berth knows of no repository there that
    // holds its blobs: every layer is uploaded (the big one in chunks).
    let source = format!(
        "localhost:{}/redis",
        tb("REGISTRY").rsplit(':').next().unwrap()
    );
    b.run(&["pull", "-q", &source]).ok();
    let target = image(&fresh_repo("redis"));
    b.run(&["tag", &source, &format!("{target}:v1")]).ok();
    let out = b.run(&["push", &format!("{target}:v1")]).ok();
    let lines = out.lines();
    assert_eq!(
        lines[0],
        format!("The push refers to repository [{target}]"),
        "{}",
        out.stdout
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(": Pushed")).count(),
        2,
        "{}",
        out.stdout
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(": Preparing")).count(),
        2
    );
    let (digest, size) = pushed_digest(&out.stdout, "v1");
    assert!(size > 100);
    // The digest pushed is the one the image reports.
    let inspect = b
        .run(&[
            "image",
            "inspect",
            &format!("{target}:v1"),
            "--format",
            "{{json .RepoDigests}}",
        ])
        .ok();
    assert!(
        inspect.stdout.contains(&format!("{target}@{digest}")),
        "{}",
        inspect.stdout
    );

    // The other end: podman pulls it, finds the same digest, and runs it.
    podman
        .run(&["pull", "-q", "--tls-verify=false", &format!("{target}:v1")])
        .ok();
    let d = podman
        .run(&[
            "image",
            "inspect",
            &format!("{target}:v1"),
            "--format",
            "{{.Digest}}",
        ])
        .ok();
    assert_eq!(d.stdout.trim(), digest);
    let run = podman
        .run(&[
            "run",
            "--rm",
            "--network",
            "none",
            &format!("{target}:v1"),
            "--version",
        ])
        .ok();
    assert!(run.stdout.contains("Redis server"), "{}", run.stdout);

    // Again: the registry has everything.
    let again = b.run(&["push", &format!("{target}:v1")]).ok();
    assert_eq!(
        again
            .lines()
            .iter()
            .filter(|l| l.ends_with(": Layer already exists"))
            .count(),
        2,
        "{}",
        again.stdout
    );
    assert_eq!(pushed_digest(&again.stdout, "v1").0, digest);
}

#[test]
fn a_retagged_image_is_mounted_from_its_repository_and_all_tags_go() {
    let b = Berth::new();
    b.pull("busybox");
    let target = image(&fresh_repo("bb"));
    for t in ["a", "b"] {
        b.run(&["tag", &image("busybox"), &format!("{target}:{t}")])
            .ok();
    }
    // The layer came from `busybox` on the same registry: mounted, not uploaded.
    let out = b.run(&["push", &format!("{target}:a")]).ok();
    let layer = out.lines()[1].split(':').next().unwrap().to_string();
    assert!(
        out.stdout
            .contains(&format!("{layer}: Mounted from busybox")),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(": Pushed"), "{}", out.stdout);
    let (digest, _) = pushed_digest(&out.stdout, "a");
    // The same manifest as the one pulled.
    let pulled = b
        .run(&[
            "image",
            "inspect",
            &image("busybox"),
            "--format",
            "{{json .RepoDigests}}",
        ])
        .ok();
    assert!(pulled.stdout.contains(&digest), "{}", pulled.stdout);

    // --all-tags: both tags, in order; -q prints the references only.
    let all = b.run(&["push", "--all-tags", &target]).ok();
    assert_eq!(pushed_digest(&all.stdout, "a").0, digest);
    assert_eq!(pushed_digest(&all.stdout, "b").0, digest);
    let q = b.run(&["push", "-q", "-a", &target]).ok();
    assert_eq!(
        q.lines(),
        vec![format!("{target}:a"), format!("{target}:b")]
    );

    // A fresh berth pulls it back.
    let b2 = Berth::new();
    b2.run(&["pull", &format!("{target}:b")]).ok();
    assert_eq!(b2.image_ids(), b.image_ids());
}

#[test]
fn bad_names_and_missing_tags_are_refused_with_dockers_messages() {
    let b = Berth::new();
    b.run(&["push", "127.0.0.1:5600/UPPER"])
        .fails_with("must be lowercase");
    let missing = image(&fresh_repo("none"));
    b.run(&["push", &missing]).fails_with(&format!(
        "An image does not exist locally with the tag: {missing}"
    ));
    b.run(&["push", "-a", &missing]).fails_with(&format!(
        "An image does not exist locally with the tag: {missing}"
    ));
    b.run(&["push", "-a", &format!("{missing}:v1")])
        .fails_with("tag can't be used with --all-tags/-a");
    b.run(&["push", &format!("{missing}@sha256:{}", "a".repeat(64))])
        .fails_with("cannot push a digest reference");
}

fn login(b: &Berth, reg: &str, user: &str, pass: &str) -> Run {
    b.run_stdin(
        &["login", "-u", user, "--password-stdin", reg],
        &format!("{pass}\n"),
    )
}

#[test]
fn push_to_registries_that_want_credentials() {
    for (reg, user, pass) in [
        ("REGISTRY_BASIC", "BASIC_USER", "BASIC_PASS"),
        ("REGISTRY_TOKEN", "TOKEN_USER", "TOKEN_PASS"),
    ] {
        let b = Berth::new();
        let reg = tb(reg);
        b.pull("busybox");
        let target = format!("{reg}/{}", fresh_repo("auth"));
        b.run(&["tag", &image("busybox"), &target]).ok();
        b.run(&["push", &target]).fails_with("push access denied");
        login(&b, &reg, &tb(user), "wrong").fails_with("incorrect username or password");
        b.run(&["push", &target]).fails_with("push access denied");
        login(&b, &reg, &tb(user), &tb(pass)).ok();
        let out = b.run(&["push", &target]).ok();
        pushed_digest(&out.stdout, "latest");
    }
}

#[test]
fn docker_cli_push_login_and_pull_through_the_service() {
    let b = Berth::new();
    let s = Service::start(&b);
    let reg = tb("REGISTRY");
    s.run_docker(&["pull", "-q", &image("busybox")]).ok();
    let target = image(&fresh_repo("docker"));
    s.run_docker(&["tag", &image("busybox"), &target]).ok();
    let out = s.run_docker(&["push", &target]).ok();
    assert!(
        out.stdout
            .contains(&format!("The push refers to repository [{target}]")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Mounted from busybox"),
        "{}",
        out.stdout
    );
    let (digest, _) = pushed_digest(&out.stdout, "latest");
    let again = s.run_docker(&["push", &target]).ok();
    assert!(
        again.stdout.contains("Layer already exists"),
        "{}",
        again.stdout
    );
    assert_eq!(pushed_digest(&again.stdout, "latest").0, digest);
    // -a: the API's push without a tag pushes every tag of the repository.
    s.run_docker(&["tag", &image("busybox"), &format!("{target}:two")])
        .ok();
    let all = s.run_docker(&["push", "-a", &target]).ok();
    assert_eq!(pushed_digest(&all.stdout, "latest").0, digest);
    assert_eq!(pushed_digest(&all.stdout, "two").0, digest);
    // A bad name: 400 with the reference error, before any stream.
    let (code, text) = s.curl(
        "POST",
        &format!("/v1.50/images/{reg}/UPPER/push?tag=x"),
        None,
    );
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("must be lowercase"), "{text}");

    // A tag that is not here: dockerd's message, exit 1.
    let missing = image(&fresh_repo("none"));
    let r = s.run_docker(&["push", &missing]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "An image does not exist locally with the tag: {missing}"
        )),
        "{}",
        r.stderr
    );

    // The basic-auth registry: refused without credentials, `docker login` checks them through
    // `POST /auth`, then push and pull carry them in X-Registry-Auth.
    let basic = tb("REGISTRY_BASIC");
    let target = format!("{basic}/{}", fresh_repo("docker"));
    s.run_docker(&["tag", &image("busybox"), &target]).ok();
    let r = s.run_docker(&["push", &target]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("push access denied"), "{}", r.stderr);
    let r = s.run_docker(&["pull", &format!("{basic}/busybox")]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("pull access denied"), "{}", r.stderr);
    let docker_login = |pass: &str| {
        let mut c = s.docker();
        c.args(["login", "-u", &tb("BASIC_USER"), "--password-stdin", &basic]);
        c.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        use std::io::Write;
        let _ = child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{pass}\n").as_bytes());
        Run::from(child.wait_with_output().unwrap())
    };
    let r = docker_login("wrong");
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("incorrect username or password"),
        "{}",
        r.stderr
    );
    let r = docker_login(&tb("BASIC_PASS"));
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("Login Succeeded"), "{r:?}");
    let out = s.run_docker(&["push", &target]).ok();
    pushed_digest(&out.stdout, "latest");
    // Pull from the same registry with the client's credentials (none stored by berth).
    s.run_docker(&["rmi", &target]).ok();
    s.run_docker(&["pull", "-q", &target]).ok();
    assert!(!b.docker_config.join("config.json").exists());

    // POST /auth directly: Docker's answer, 401 on bad credentials.
    let body = |p: &str| {
        format!(
            r#"{{"username":"{}","password":"{p}","serveraddress":"{basic}"}}"#,
            tb("BASIC_USER")
        )
    };
    let (code, text) = s.curl("POST", "/v1.50/auth", Some(&body(&tb("BASIC_PASS"))));
    assert_eq!(code, 200, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["Status"], "Login Succeeded");
    let (code, text) = s.curl("POST", "/v1.50/auth", Some(&body("nope")));
    assert_eq!(code, 401, "{text}");
}
