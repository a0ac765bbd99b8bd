//! `RUN --mount` in `berth build`: cache mounts kept between builds, secrets that never reach
//! a layer, binds of the context and of other stages, tmpfs, ssh refused; and nothing a
//! mount needs (its mount point, a helper mount, a secret file) left in the image or on the
//! host.

mod common;

use std::io::Read;
use std::path::Path;

use common::{Berth, Run, Service, busybox};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn context() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("berth-build-ctx-")
        .tempdir_in("/var/tmp")
        .unwrap()
}

fn build(b: &Berth, ctx: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--network", "none"];
    args.extend_from_slice(extra);
    let c = ctx.to_string_lossy().into_owned();
    args.push(&c);
    b.run(&args)
}

fn mounts_under(b: &Berth) -> Vec<String> {
    let base = b.dir.path().to_string_lossy().into_owned();
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| l.contains(&base))
        .map(str::to_string)
        .collect()
}

/// Nothing of the build's mounts is left: no mount, no helper directory, no temp entry, no
/// container.
fn assert_clean(b: &Berth) {
    assert_eq!(mounts_under(b), Vec::<String>::new());
    let helpers = b.runroot().join("build-mounts");
    let left: Vec<_> = std::fs::read_dir(&helpers)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(b.store_entries("tmp"), Vec::<String>::new());
    assert_eq!(b.run(&["ps", "-aq"]).ok().stdout, "");
}

/// The saved image: every member's bytes, and the entry names of each layer (bottom first).
fn saved(b: &Berth, image: &str) -> (Vec<u8>, Vec<Vec<String>>) {
    let archive = b.dir.path().join("saved.tar");
    b.run(&["save", "-o", archive.to_str().unwrap(), image])
        .ok();
    let bytes = std::fs::read(&archive).unwrap();
    let mut members = std::collections::HashMap::new();
    let mut a = tar::Archive::new(bytes.as_slice());
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        members.insert(name, data);
    }
    let manifest: serde_json::Value = serde_json::from_slice(&members["manifest.json"]).unwrap();
    let mut all = Vec::new();
    let mut layers = Vec::new();
    for l in manifest[0]["Layers"].as_array().unwrap() {
        let raw = &members[l.as_str().unwrap()];
        let data = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(raw.as_slice())
                .read_to_end(&mut out)
                .unwrap();
            out
        } else {
            raw.clone()
        };
        let mut names = Vec::new();
        let mut t = tar::Archive::new(data.as_slice());
        for e in t.entries().unwrap() {
            let e = e.unwrap();
            names.push(String::from_utf8_lossy(&e.path_bytes()).into_owned());
        }
        all.extend_from_slice(&data);
        layers.push(names);
    }
    for (k, v) in &members {
        if !k.ends_with(".tar") && !k.contains("/layer") {
            all.extend_from_slice(v);
        }
    }
    let _ = std::fs::remove_file(&archive);
    (all, layers)
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_cache_mount_keeps_its_files_across_builds_and_stays_out_of_the_layer() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img}\n\
             RUN --mount=type=cache,target=/var/cache/app,id=app,mode=0700 \
             echo run >> /var/cache/app/log && wc -l < /var/cache/app/log > /count && \
             stat -c %a /var/cache/app > /mode\n"
        ),
    );
    let one = build(&b, ctx.path(), &["-q", "-t", "c:1"]).ok();
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "none",
            "c:1",
            "cat",
            "/count",
            "/mode",
        ])
        .ok();
    assert_eq!(
        out.stdout.split_whitespace().collect::<Vec<_>>(),
        ["1", "700"]
    );
    let two = build(&b, ctx.path(), &["-q", "--no-cache", "-t", "c:2"]).ok();
    assert_ne!(one.stdout, two.stdout);
    let out = b
        .run(&["run", "--rm", "--network", "none", "c:2", "cat", "/count"])
        .ok();
    assert_eq!(out.stdout.trim(), "2");
    // The layer holds what the step wrote, not the mount point (nor /var/cache above it).
    let (_, layers) = saved(&b, "c:2");
    let last = layers.last().unwrap();
    assert!(
        last.iter()
            .all(|n| !n.trim_start_matches("./").starts_with("var")),
        "{last:?}"
    );
    assert!(last.iter().any(|n| n.ends_with("count")), "{last:?}");
    b.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "c:2",
        "test",
        "!",
        "-e",
        "/var/cache/app",
    ])
    .ok();
    // Build cache in `system df`, gone with `builder prune -a`.
    let df = b.run(&["system", "df"]).ok().stdout;
    assert!(df.contains("Build Cache"), "{df}");
    let caches = b.store_entries("build/cache-mounts");
    assert_eq!(caches.len(), 1, "{caches:?}");
    b.run(&["builder", "prune", "-f"]).ok();
    assert_eq!(b.store_entries("build/cache-mounts").len(), 1);
    b.run(&["builder", "prune", "-a", "-f"]).ok();
    assert_eq!(b.store_entries("build/cache-mounts"), Vec::<String>::new());
    assert_clean(&b);
}

#[test]
fn a_secret_is_readable_in_run_and_absent_from_image_history_and_cache_key() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    let secret_file = b.dir.path().join("tok.txt");
    std::fs::write(&secret_file, "s3cr3t-value").unwrap();
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img}\n\
             RUN --mount=type=secret,id=tok test \"$(cat /run/secrets/tok)\" = \"s3cr\"\"3t-value\" && \
             stat -c %a:%u /run/secrets/tok > /seen\n\
             RUN --mount=type=secret,id=tok,env=TOK,required test \"$TOK\" = \"s3cr\"\"3t-value\"\n\
             RUN --mount=type=secret,id=tok,target=/etc/app/key,mode=0440,uid=7 \
             test \"$(stat -c %a:%u /etc/app/key)\" = 440:7\n"
        ),
    );
    let src = format!("id=tok,src={}", secret_file.display());
    let r = build(&b, ctx.path(), &["-t", "s:1", "--secret", &src]).ok();
    assert!(!r.stdout.contains("s3cr3t"), "{}", r.stdout);
    let out = b
        .run(&["run", "--rm", "--network", "none", "s:1", "cat", "/seen"])
        .ok();
    assert_eq!(out.stdout.trim(), "400:0");
    b.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "s:1",
        "sh",
        "-c",
        "test ! -e /run/secrets && test ! -e /etc/app",
    ])
    .ok();
    let history = b.run(&["history", "--no-trunc", "s:1"]).ok().stdout;
    assert!(!history.contains("s3cr3t"), "{history}");
    let inspect = b.run(&["image", "inspect", "s:1"]).ok().stdout;
    assert!(!inspect.contains("s3cr3t"), "{inspect}");
    let (bytes, layers) = saved(&b, "s:1");
    assert!(!contains(&bytes, "s3cr3t-value"));
    for l in &layers[layers.len() - 3..] {
        assert!(
            l.iter()
                .all(|n| !n.contains("secrets") && !n.contains("etc/app")),
            "{l:?}"
        );
    }
    // The secret's value is not in the cache key: another value reuses the steps.
    std::fs::write(&secret_file, "other-value").unwrap();
    let again = build(&b, ctx.path(), &["-t", "s:2", "--secret", &src]).ok();
    assert!(again.stdout.contains("Using cache"), "{}", again.stdout);
    // The same from an environment variable.
    let mut cmd = b.command();
    cmd.env("MY_TOKEN", "s3cr3t-value").args([
        "build",
        "--network",
        "none",
        "--no-cache",
        "-q",
        "--secret",
        "id=tok,env=MY_TOKEN",
        ctx.path().to_str().unwrap(),
    ]);
    Run::from(cmd.output().unwrap()).ok();
    // A secret file that is missing, a required secret not given: clear errors, exit 1.
    let r = build(
        &b,
        ctx.path(),
        &["--no-cache", "--secret", "id=tok,src=/nonexistent/tok"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("/nonexistent/tok"), "{}", r.stderr);
    write(
        ctx.path(),
        "Dockerfile.req",
        &format!("FROM {img}\nRUN --mount=type=secret,id=tok,required true\n"),
    );
    let req = ctx.path().join("Dockerfile.req");
    let r = build(&b, ctx.path(), &["-f", req.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("secret tok not found"), "{}", r.stderr);
    // Not required: the step runs without it.
    write(
        ctx.path(),
        "Dockerfile.opt",
        &format!("FROM {img}\nRUN --mount=type=secret,id=tok test ! -e /run/secrets/tok\n"),
    );
    let opt = ctx.path().join("Dockerfile.opt");
    build(&b, ctx.path(), &["-q", "-f", opt.to_str().unwrap()]).ok();
    assert_clean(&b);
}

#[test]
fn a_bind_mount_of_a_context_sent_as_a_tar_does_not_see_ignored_files() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(
        ctx.path(),
        ".dockerignore",
        "secret*\nlogs\n!logs/keep.txt\n**/*.tmp\n",
    );
    for f in [
        "secret.txt",
        "kept.txt",
        "logs/a.log",
        "logs/keep.txt",
        "sub/x.tmp",
        "sub/y.txt",
    ] {
        write(ctx.path(), f, "x\n");
    }
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img}\nRUN --mount=type=bind,target=/ctx cd /ctx && find . | sort > /seen\n"
        ),
    );
    let tar = std::process::Command::new("tar")
        .arg("-C")
        .arg(ctx.path())
        .args(["-cf", "-", "."])
        .output()
        .unwrap();
    assert!(tar.status.success());
    let want =
        "./.dockerignore\n./Dockerfile\n./kept.txt\n./logs\n./logs/keep.txt\n./sub\n./sub/y.txt\n";
    let seen = |image: &str| {
        let out = b
            .run(&["run", "--rm", "--network", "none", image, "cat", "/seen"])
            .ok();
        out.stdout.replacen(".\n", "", 1)
    };
    // A directory context, a tar on stdin, a tar as the Engine API's body: the same files.
    build(&b, ctx.path(), &["-q", "-t", "seen:dir"]).ok();
    assert_eq!(seen("seen:dir"), want);
    let mut child = b
        .command()
        .args(["build", "--network", "none", "-q", "-t", "seen:tar", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &tar.stdout).unwrap();
    Run::from(child.wait_with_output().unwrap()).ok();
    assert_eq!(seen("seen:tar"), want);
    let body = b.dir.path().join("ctx.tar");
    std::fs::write(&body, &tar.stdout).unwrap();
    let svc = Service::start(&b);
    let (code, out) = svc.curl_args(
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/x-tar",
            "--data-binary",
            &format!("@{}", body.display()),
        ],
        "/build?t=seen:api&networkmode=none&q=1",
    );
    assert_eq!(code, 200, "{out}");
    assert!(!out.contains("errorDetail"), "{out}");
    assert_eq!(seen("seen:api"), want);
    assert_clean(&b);
}

#[test]
fn bind_mounts_of_the_context_and_another_stage_discard_writes() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(ctx.path(), "hello.txt", "hello\n");
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img} AS gen\n\
             RUN mkdir /out && echo generated > /out/file\n\
             FROM {img}\n\
             RUN --mount=type=bind,from=gen,source=/out,target=/src cat /src/file > /copied && \
             ! touch /src/new 2>/dev/null\n\
             RUN --mount=type=bind,from=gen,source=/out,target=/src,rw echo changed > /src/file\n\
             RUN --mount=type=bind,from=gen,source=out/file,target=/one test \"$(cat /one)\" = generated\n\
             RUN --mount=type=bind,target=/ctx cat /ctx/hello.txt > /fromctx\n\
             RUN --mount=type=bind,source=hello.txt,target=hi,rw echo x >> hi && cat hi > /hi2\n"
        ),
    );
    build(&b, ctx.path(), &["-q", "-t", "bm:1"]).ok();
    let out = b
        .run(&[
            "run", "--rm", "--network", "none", "bm:1", "sh", "-c",
            "cat /copied /fromctx /hi2; test ! -e /src && test ! -e /ctx && test ! -e /one && test ! -e /hi",
        ])
        .ok();
    assert_eq!(out.stdout, "generated\nhello\nhello\nx\n");
    // The context's file is unchanged, and a changed context file invalidates the step.
    assert_eq!(
        std::fs::read_to_string(ctx.path().join("hello.txt")).unwrap(),
        "hello\n"
    );
    write(ctx.path(), "hello.txt", "bonjour\n");
    build(&b, ctx.path(), &["-q", "-t", "bm:2"]).ok();
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "none",
            "bm:2",
            "cat",
            "/fromctx",
        ])
        .ok();
    assert_eq!(out.stdout, "bonjour\n");
    // A source that escapes its tree through a symlink stays inside it.
    std::os::unix::fs::symlink("/etc", ctx.path().join("escape")).unwrap();
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img}\nRUN --mount=type=bind,source=escape,target=/e test ! -e /e/hostname\n"
        ),
    );
    let r = build(&b, ctx.path(), &["-q"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_clean(&b);
}

#[test]
fn a_tmpfs_mount_is_empty_and_not_in_the_layer_and_ssh_is_refused() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img}\n\
             RUN --mount=type=tmpfs,target=/scratch/t,size=1m test -z \"$(ls -A /scratch/t)\" && \
             echo data > /scratch/t/f && grep -q ' /scratch/t tmpfs ' /proc/mounts && touch /marker\n"
        ),
    );
    build(&b, ctx.path(), &["-q", "-t", "t:1"]).ok();
    let (_, layers) = saved(&b, "t:1");
    let last: Vec<String> = layers
        .last()
        .unwrap()
        .iter()
        .map(|n| n.trim_start_matches("./").trim_end_matches('/').to_string())
        .filter(|n| !n.is_empty())
        .collect();
    assert!(last.contains(&"marker".to_string()), "{last:?}");
    assert!(last.iter().all(|n| !n.starts_with("scratch")), "{last:?}");
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nRUN --mount=type=ssh true\n"),
    );
    let r = build(&b, ctx.path(), &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("type=ssh is not supported"),
        "{}",
        r.stderr
    );
    assert_clean(&b);
}
