//! `ADD <URL>` as Docker's classic builder does it, from `python3 -m http.server` on
//! 127.0.0.1: the file's name (the URL's last segment into a directory, else the destination),
//! mode 0600, owner root, mtime from Last-Modified, `--chown`/`--chmod`, an archive left packed,
//! `--checksum`, the cache keyed by the downloaded content, and the failures (404, connection
//! refused, checksum mismatch, size limit) as one line, exit 1, nothing made.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{Berth, Run, busybox};

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("berth-build-add-url-")
        .tempdir_in("/var/tmp")
        .unwrap()
}

/// Sets a file's mtime (the server's Last-Modified).
fn set_mtime(p: &Path, secs: u64) {
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap();
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

fn build(b: &Berth, ctx: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--network", "none"];
    args.extend_from_slice(extra);
    let c = ctx.to_string_lossy().into_owned();
    args.push(&c);
    b.run(&args)
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// A tar archive with one file: ADD must keep it packed.
fn tar_with_one_file() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "inside.txt", &b"in\n"[..]).unwrap();
    b.into_inner().unwrap()
}

fn containers(b: &Berth) -> Vec<String> {
    b.run(&["ps", "-aq"])
        .ok()
        .stdout
        .lines()
        .map(str::to_string)
        .collect()
}

/// Asserts a failed build: exit 1, one `berth: error:` line naming `needle`, nothing made.
#[track_caller]
fn fails_cleanly(b: &Berth, r: Run, needle: &str, images_before: &[String]) {
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("berth: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", r.stderr);
    assert!(
        errors[0].to_lowercase().contains(&needle.to_lowercase()),
        "want {needle:?} in {}",
        r.stderr
    );
    assert!(containers(b).is_empty());
    assert_eq!(b.image_ids(), images_before);
    assert!(
        b.store_entries("tmp").is_empty(),
        "{:?}",
        b.store_entries("tmp")
    );
}

#[test]
fn add_url_names_modes_times_checksums_and_cache() {
    let b = Berth::new();
    let img = busybox(&b);
    let served = tempdir();
    write(served.path(), "files/data.txt", b"first\n");
    set_mtime(&served.path().join("files/data.txt"), 1_600_000_000);
    write(served.path(), "files/arch.tar", &tar_with_one_file());
    set_mtime(&served.path().join("files/arch.tar"), 1_500_000_000);
    let srv = HttpServer::serve(served.path());
    let data = srv.url("files/data.txt");
    let sum = sha256(b"first\n");
    let ctx = tempdir();
    write(
        ctx.path(),
        "Dockerfile",
        format!(
            "FROM {img}\n\
             RUN mkdir /existing\n\
             ADD {data} /dir/\n\
             ADD {data} /existing\n\
             ADD {data} /renamed.txt\n\
             ADD --chown=1:2 --chmod=644 {data} /owned\n\
             ADD {arch} /arch/\n\
             ADD --checksum={sum} {data} /summed\n",
            arch = srv.url("files/arch.tar"),
        )
        .as_bytes(),
    );
    let first = build(&b, ctx.path(), &["-t", "added"]).ok();
    let id = |r: &Run| {
        let built = r
            .stdout
            .lines()
            .find(|l| l.starts_with("Successfully built "));
        built.expect("an image was built").to_string()
    };
    let stat = b
        .run(&[
            "run",
            "--rm",
            "added",
            "stat",
            "-c",
            "%n %a %u:%g %Y %F",
            "/dir/data.txt",
            "/existing/data.txt",
            "/renamed.txt",
            "/owned",
            "/arch/arch.tar",
            "/summed",
        ])
        .ok();
    let lines: Vec<&str> = stat.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "/dir/data.txt 600 0:0 1600000000 regular file",
            "/existing/data.txt 600 0:0 1600000000 regular file",
            "/renamed.txt 600 0:0 1600000000 regular file",
            "/owned 644 1:2 1600000000 regular file",
            "/arch/arch.tar 600 0:0 1500000000 regular file",
            "/summed 600 0:0 1600000000 regular file",
        ],
        "{}",
        stat.stdout
    );
    let cat = b
        .run(&["run", "--rm", "added", "cat", "/dir/data.txt", "/summed"])
        .ok();
    assert_eq!(cat.stdout, "first\nfirst\n");
    let arch = b
        .run(&["run", "--rm", "added", "cat", "/arch/arch.tar"])
        .ok();
    assert_eq!(arch.stdout.as_bytes(), tar_with_one_file().as_slice());

    // The same content again: every step from the cache (the RUN and the six ADDs).
    let again = build(&b, ctx.path(), &["-t", "added"]).ok();
    assert_eq!(
        again.stdout.matches("Using cache").count(),
        7,
        "{}",
        again.stdout
    );
    assert_eq!(id(&again), id(&first));

    // New content at the URL (same length and time): the ADDs of it run again.
    let unsummed = std::fs::read_to_string(ctx.path().join("Dockerfile"))
        .unwrap()
        .replace(&format!("ADD --checksum={sum} {data} /summed\n"), "");
    write(ctx.path(), "Dockerfile", unsummed.as_bytes());
    write(served.path(), "files/data.txt", b"secnd\n");
    set_mtime(&served.path().join("files/data.txt"), 1_600_000_000);
    let changed = build(&b, ctx.path(), &["-t", "added"]).ok();
    // The RUN is cached; the ADDs of data.txt are not, nor what follows them.
    assert_eq!(
        changed.stdout.matches("Using cache").count(),
        1,
        "{}",
        changed.stdout
    );
    assert_ne!(id(&changed), id(&first));
    let cat = b.run(&["run", "--rm", "added", "cat", "/renamed.txt"]).ok();
    assert_eq!(cat.stdout, "secnd\n");
}

#[test]
fn add_url_failures_are_one_line_and_make_nothing() {
    let b = Berth::new();
    let img = busybox(&b);
    let served = tempdir();
    write(served.path(), "big", &[b'x'; 64]);
    let srv = HttpServer::serve(served.path());
    let ctx = tempdir();
    let images = b.image_ids();
    let dockerfile = |add: &str| {
        write(
            ctx.path(),
            "Dockerfile",
            format!("FROM {img}\n{add}\n").as_bytes(),
        )
    };

    // 404.
    dockerfile(&format!("ADD {} /x", srv.url("missing")));
    let r = build(&b, ctx.path(), &[]);
    fails_cleanly(&b, r, "404", &images);

    // Connection refused: a port nothing listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    dockerfile(&format!("ADD http://127.0.0.1:{port}/x /x"));
    let r = build(&b, ctx.path(), &[]);
    fails_cleanly(&b, r, "connection refused", &images);

    // A checksum that does not match.
    dockerfile(&format!(
        "ADD --checksum={} {} /x",
        sha256(b"other"),
        srv.url("big")
    ));
    let r = build(&b, ctx.path(), &[]);
    fails_cleanly(
        &b,
        r,
        &format!("expected {}, got {}", sha256(b"other"), sha256(&[b'x'; 64])),
        &images,
    );

    // A malformed checksum, and a checksum for a local source.
    dockerfile(&format!("ADD --checksum=md5:abc {} /x", srv.url("big")));
    let r = build(&b, ctx.path(), &[]);
    fails_cleanly(&b, r, "invalid checksum", &images);
    write(ctx.path(), "local", b"l");
    dockerfile(&format!("ADD --checksum={} local /x", sha256(b"l")));
    let r = build(&b, ctx.path(), &[]);
    fails_cleanly(&b, r, "non-HTTP(S) sources", &images);

    // No file name in the URL for a destination directory.
    dockerfile(&format!("ADD {} /d/", srv.url("")));
    let r = build(&b, ctx.path(), &[]);
    fails_cleanly(&b, r, "cannot determine filename", &images);

    // Larger than the size limit.
    dockerfile(&format!("ADD {} /x", srv.url("big")));
    let r = Run::from(
        b.command()
            .env("BERTH_ADD_URL_MAX_SIZE", "63")
            .args(["build", "--network", "none"])
            .arg(ctx.path())
            .output()
            .unwrap(),
    );
    fails_cleanly(&b, r, "larger than the limit of 63 bytes", &images);
    // At the limit, it goes in.
    let r = Run::from(
        b.command()
            .env("BERTH_ADD_URL_MAX_SIZE", "64")
            .args(["build", "--network", "none", "-t", "big"])
            .arg(ctx.path())
            .output()
            .unwrap(),
    );
    r.ok();
    let size = b
        .run(&["run", "--rm", "big", "stat", "-c", "%s", "/x"])
        .ok();
    assert_eq!(size.stdout, "64\n");
}
