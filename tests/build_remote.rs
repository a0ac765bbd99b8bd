//! Remote build contexts: `berth build URL` and the Engine API's `remote=` with a Git repository
//! (served by dumb HTTP from a bare repository, `#REF:DIR`), a tar archive and a Dockerfile
//! over HTTP, served from 127.0.0.1; a bad URL fails with exit 1 and makes nothing.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{Berth, Service, busybox};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("berth-build-remote-")
        .tempdir_in("/var/tmp")
        .unwrap()
}

/// `python3 -m http.server` on 127.0.0.1 (a free port), serving `dir`; killed on drop.
struct HttpServer {
    child: Child,
    port: u16,
}

impl HttpServer {
    fn serve(dir: &Path) -> HttpServer {
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1"])
            .arg("--directory")
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..." once it listens.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        HttpServer { child, port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "git {args:?}");
}

fn image_ids(b: &Berth) -> String {
    b.run(&["images", "-aq"]).ok().stdout
}

#[test]
fn a_git_repository_over_http_with_a_ref_and_a_directory_is_a_context() {
    let b = Berth::new();
    let img = busybox(&b);
    let dir = tempdir();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    git(&work, &["init", "-q"]);
    write(
        &work,
        "app/Dockerfile",
        &format!("FROM {img}\nCOPY . /ctx/\n"),
    );
    write(&work, "app/which", "main\n");
    write(
        &work,
        "Dockerfile",
        &format!("FROM {img}\nCOPY app/which /\n"),
    );
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "one"]);
    git(&work, &["checkout", "-q", "-b", "feature"]);
    write(&work, "app/which", "feature\n");
    git(&work, &["commit", "-q", "-am", "two"]);
    git(&work, &["checkout", "-q", "main"]);
    let served = dir.path().join("served");
    std::fs::create_dir(&served).unwrap();
    git(
        dir.path(),
        &["clone", "-q", "--bare", "work", "served/repo.git"],
    );
    git(&served.join("repo.git"), &["update-server-info"]);
    let http = HttpServer::serve(&served);

    // The default branch, the root: its Dockerfile.
    let url = http.url("repo.git");
    let r = b.run(&["build", "--network", "none", "-t", "g:main", &url]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = b.run(&["run", "--rm", "g:main", "cat", "/which"]).ok();
    assert_eq!(out.stdout, "main\n");

    // A branch and a directory in it: that directory is the context (.git is not in it).
    let url = http.url("repo.git#feature:app");
    let r = b.run(&["build", "--network", "none", "-t", "g:feature", &url]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = b
        .run(&[
            "run",
            "--rm",
            "g:feature",
            "sh",
            "-c",
            "ls /ctx; cat /ctx/which",
        ])
        .ok();
    assert_eq!(out.stdout, "Dockerfile\nwhich\nfeature\n");

    // A missing ref or directory: exit 1, Docker's words, no image made.
    let before = image_ids(&b);
    let r = b.run(&["build", &http.url("repo.git#nope")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("unable to prepare context: unable to 'git clone'"),
        "{}",
        r.stderr
    );
    let r = b.run(&["build", &http.url("repo.git#feature:missing")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("subdir missing not found"),
        "{}",
        r.stderr
    );
    // A ref that git would read as an option is refused before git runs.
    let r = b.run(&["build", &http.url("repo.git#--upload-pack=touch")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("invalid git ref"), "{}", r.stderr);
    assert_eq!(image_ids(&b), before);
}

#[test]
fn an_archive_or_a_dockerfile_over_http_is_a_context() {
    let b = Berth::new();
    let img = busybox(&b);
    let dir = tempdir();
    let ctx = dir.path().join("ctx");
    write(&ctx, "Dockerfile", &format!("FROM {img}\nCOPY hello /\n"));
    write(&ctx, "hello", "from the archive\n");
    let served = dir.path().join("served");
    std::fs::create_dir(&served).unwrap();
    let st = Command::new("tar")
        .arg("-C")
        .arg(&ctx)
        .arg("-czf")
        .arg(served.join("ctx.tar.gz"))
        .args(["Dockerfile", "hello"])
        .status()
        .unwrap();
    assert!(st.success());
    write(
        &served,
        "Dockerfile.txt",
        &format!("FROM {img}\nRUN echo from the dockerfile > /said\n"),
    );
    std::fs::write(served.join("blob.bin"), b"\x7fELF\x02\x01\x01\0\0\0").unwrap();
    let http = HttpServer::serve(&served);

    let r = b.run(&["build", "-t", "a:1", &http.url("ctx.tar.gz")]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = b.run(&["run", "--rm", "a:1", "cat", "/hello"]).ok();
    assert_eq!(out.stdout, "from the archive\n");

    let r = b.run(&[
        "build",
        "--network",
        "none",
        "-t",
        "d:1",
        &http.url("Dockerfile.txt"),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = b.run(&["run", "--rm", "d:1", "cat", "/said"]).ok();
    assert_eq!(out.stdout, "from the dockerfile\n");

    let before = image_ids(&b);
    let r = b.run(&["build", &http.url("missing.tar")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("with status 404 Not Found"),
        "{}",
        r.stderr
    );
    let r = b.run(&["build", &http.url("blob.bin")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("unsupported Content-Type"),
        "{}",
        r.stderr
    );
    assert_eq!(image_ids(&b), before);
}

/// docker-py's `images.build(path=URL)` sends `remote=URL` and no body.
#[test]
fn the_api_builds_from_a_remote_url() {
    let b = Berth::new();
    let img = busybox(&b);
    let dir = tempdir();
    write(
        dir.path(),
        "Dockerfile",
        &format!("FROM {img}\nLABEL from=remote\n"),
    );
    let http = HttpServer::serve(dir.path());
    let svc = Service::start(&b);
    let url = http.url("Dockerfile");
    let (code, body) = svc.curl_args(
        &["-X", "POST"],
        &format!("/v1.41/build?t=api:remote&remote={url}"),
    );
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"aux\""), "{body}");
    let labels = svc.run_docker(&["inspect", "-f", "{{.Config.Labels.from}}", "api:remote"]);
    assert_eq!(labels.stdout.trim(), "remote", "{}", labels.stderr);
    let (code, body) = svc.curl_args(&["-X", "POST"], "/v1.41/build?remote=ftp://x/y");
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("is not a Git or HTTP(S) URL"), "{body}");
}
