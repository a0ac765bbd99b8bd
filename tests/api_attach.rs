//! Attach and resize through the Docker Engine API (`berth system service`), driven by the
//! real docker CLI (foreground `run` with and without `-i`/`-it`, `--rm`, exit codes,
//! `start -a`, `attach`, Ctrl-P Ctrl-Q), curl, and a raw client on the socket (Docker's
//! multiplexed frames, `logs`, `detachKeys`); clients that go away leave nothing behind.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Berth, PtyRun, Service, wait_child, wait_until};

fn setup() -> (Berth, Service, String) {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::image("busybox");
    s.run_docker(&["pull", "-q", &img]).ok();
    (b, s, img)
}

fn running(s: &Service, name: &str) -> bool {
    s.run_docker(&["inspect", "-f", "{{.State.Running}}", name])
        .stdout
        .trim()
        == "true"
}

/// Open descriptors of the service process.
fn service_fds(s: &Service) -> usize {
    std::fs::read_dir(format!("/proc/{}/fd", s.child.id()))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn docker_run_in_the_foreground_prints_keeps_streams_apart_and_exits_with_the_code() {
    let (_b, s, img) = setup();
    let r = s.run_docker(&["run", &img, "echo", "hi"]).ok();
    assert_eq!(r.stdout, "hi\n");
    let r = s.run_docker(&[
        "run",
        "--name",
        "three",
        &img,
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (3, "out\n", "err\n")
    );
    // --rm: the exit code, and no container left.
    let r = s.run_docker(&["run", "--rm", "--name", "gone", &img, "false"]);
    assert_eq!(r.code, 1, "{r:?}");
    let (code, body) = s.curl("GET", "/containers/gone/json", None);
    assert_eq!(code, 404, "{body}");
    // `start -a` of the stopped container: its output again, and its code.
    let r = s.run_docker(&["start", "-a", "three"]);
    assert_eq!((r.code, r.stdout.as_str()), (3, "out\n"), "{r:?}");
}

#[test]
fn docker_run_i_round_trips_stdin_and_its_end_closes_the_containers_stdin() {
    let (_b, s, img) = setup();
    let mut c = s
        .docker()
        .args(["run", "-i", "--rm", &img, "sh", "-c", "cat; echo end"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let data = "line one\nline two\n".repeat(2000);
    let mut stdin = c.stdin.take().unwrap();
    let d = data.clone();
    let writer = std::thread::spawn(move || stdin.write_all(d.as_bytes()));
    let out = c.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{data}end\n"));
}

#[test]
fn docker_attach_streams_a_running_container_to_its_exit() {
    let (_b, s, img) = setup();
    s.run_docker(&[
        "run",
        "-d",
        "--name",
        "ticks",
        &img,
        "sh",
        "-c",
        "trap 'echo out; echo err >&2; exit 5' USR1; while :; do echo tick; sleep 0.1; done",
    ])
    .ok();
    let mut a = s
        .docker()
        .args(["attach", "ticks"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = Arc::new(Mutex::new(String::new()));
    let mut pipe = a.stdout.take().unwrap();
    let sink = stdout.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    // Attached once its output arrives.
    wait_until(15, "output through the attach", || {
        stdout.lock().unwrap().contains("tick")
    });
    s.run_docker(&["kill", "-s", "USR1", "ticks"]).ok();
    let out = a.wait_with_output().unwrap();
    reader.join().unwrap();
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let text = stdout.lock().unwrap().clone();
    assert!(
        text.lines().all(|l| l == "tick" || l == "out") && text.ends_with("out\n"),
        "{text}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
}

/// A raw client: POST with `Upgrade: tcp`; returns the upgraded socket after the 101 head.
fn raw_attach(s: &Service, name: &str, query: &str) -> UnixStream {
    let mut c = UnixStream::connect(&s.socket).unwrap();
    write!(
        c,
        "POST /v1.47/containers/{name}/attach?{query} HTTP/1.1\r\nHost: d\r\n\
         Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(c.read(&mut b).unwrap(), 1, "head: {head:?}");
        head.push(b[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    c
}

#[test]
fn attach_with_logs_replays_docker_frames_with_the_streams_apart() {
    let (_b, s, img) = setup();
    s.run_docker(&[
        "run",
        "--name",
        "ww",
        &img,
        "sh",
        "-c",
        "echo out; echo err >&2; echo out2",
    ])
    .ok();
    let mut c = raw_attach(&s, "ww", "logs=1&stream=0&stdout=1&stderr=1");
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut all = Vec::new();
    c.read_to_end(&mut all).unwrap();
    let mut frames = Vec::new();
    let mut rest = &all[..];
    while !rest.is_empty() {
        assert!(rest.len() >= 8, "a short frame: {all:?}");
        assert_eq!(&rest[1..4], &[0, 0, 0]);
        let n = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        frames.push((
            rest[0],
            String::from_utf8_lossy(&rest[8..8 + n]).into_owned(),
        ));
        rest = &rest[8 + n..];
    }
    let mut sorted = frames.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            (1, "out\n".to_string()),
            (1, "out2\n".to_string()),
            (2, "err\n".to_string())
        ],
        "{frames:?}"
    );
    // Only stderr asked for.
    let mut c = raw_attach(&s, "ww", "logs=1&stderr=1");
    let mut all = Vec::new();
    c.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"\x02\0\0\0\0\0\0\x04err\n");
    // Bad detach keys: Docker's 400.
    let (code, body) = s.curl("POST", "/containers/ww/attach?detachKeys=ctrl-1", None);
    assert_eq!(code, 400, "{body}");
    let (code, _) = s.curl("POST", "/containers/nosuch/attach?stream=1", None);
    assert_eq!(code, 400); // no upgrade asked: refused before the lookup
}

#[test]
fn detach_keys_end_a_tty_attach_and_the_container_runs_on() {
    let (_b, s, img) = setup();
    s.run_docker(&["run", "-dit", "--name", "sh", &img, "sh"])
        .ok();
    let mut c = raw_attach(
        &s,
        "sh",
        "stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-a,x",
    );
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"echo a$((40+2))b\r").unwrap();
    let mut seen = Vec::new();
    let mut b = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("a42b") {
        let n = c.read(&mut b).unwrap();
        assert!(n > 0, "ended early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&b[..n]);
    }
    // ctrl-a, x (in two writes) detaches.
    c.write_all(b"\x01").unwrap();
    c.write_all(b"x").unwrap();
    let start = Instant::now();
    loop {
        match c.read(&mut b) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => panic!("the session did not end: {e}"),
        }
        assert!(start.elapsed() < Duration::from_secs(20));
    }
    assert!(running(&s, "sh"));
    s.run_docker(&["rm", "-f", "sh"]).ok();
}

#[test]
fn resize_reaches_the_containers_terminal_from_any_connection() {
    let (_b, s, img) = setup();
    s.run_docker(&[
        "run",
        "-dt",
        "--name",
        "tt",
        &img,
        "sh",
        "-c",
        "while :; do stty size; sleep 0.1; done",
    ])
    .ok();
    let (code, body) = s.curl("POST", "/containers/tt/resize?h=33&w=77", None);
    assert_eq!(code, 200, "{body}");
    wait_until(15, "the new size in the log", || {
        s.run_docker(&["logs", "tt"]).stdout.contains("33 77")
    });
    let (code, body) = s.curl("POST", "/containers/tt/resize?h=x&w=77", None);
    assert_eq!(code, 400, "{body}");
    s.run_docker(&["rm", "-f", "tt"]).ok();
    s.run_docker(&["create", "--name", "cc", &img, "true"]).ok();
    let (code, body) = s.curl("POST", "/containers/cc/resize?h=10&w=10", None);
    assert_eq!(code, 409, "{body}");
    let (code, body) = s.curl("POST", "/containers/nosuch/resize?h=10&w=10", None);
    assert_eq!(code, 404, "{body}");
}

#[test]
fn a_client_that_goes_away_mid_attach_leaves_nothing_and_the_container_runs_on() {
    let (_b, s, img) = setup();
    s.run_docker(&["run", "-d", "--name", "quiet", &img, "sleep", "300"])
        .ok();
    // Settle: the descriptors of an idle service.
    let base = service_fds(&s);
    for (name, args) in [
        ("quiet", vec!["attach", "quiet"]),
        (
            "fg",
            vec!["run", "--name", "fg", img.as_str(), "sleep", "300"],
        ),
    ] {
        let mut a = s
            .docker()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_until(15, "the attach session", || {
            service_fds(&s) > base + 1 && running(&s, name)
        });
        a.kill().unwrap();
        a.wait().unwrap();
        wait_until(15, "the session's descriptors closed", || {
            service_fds(&s) <= base
        });
    }
    assert!(running(&s, "fg") && running(&s, "quiet"));
    // The service serves on.
    let r = s.run_docker(&["run", "--rm", &img, "echo", "still"]).ok();
    assert_eq!(r.stdout, "still\n");
    s.run_docker(&["rm", "-f", "quiet", "fg"]).ok();
}

#[test]
fn docker_run_it_gets_a_terminal_that_follows_its_size_and_ctrl_p_ctrl_q_detaches() {
    let (_b, s, img) = setup();
    let mut p = PtyRun::spawn(
        s.docker(),
        &["run", "-it", "--name", "term", &img, "sh"],
        30,
        100,
    );
    let at = p.expect(0, "# ");
    p.type_text("stty size\r");
    let at = p.expect(at, "30 100");
    p.resize(40, 120);
    // The CLI sends the new size on SIGWINCH; ask until the shell sees it.
    wait_until(15, "the new size in the container", || {
        p.type_text("stty size\r");
        std::thread::sleep(Duration::from_millis(200));
        p.output()[at..].contains("40 120")
    });
    p.type_text("\x10\x11");
    assert_eq!(wait_child(&mut p.child, 20), 0, "{}", p.output());
    assert!(running(&s, "term"));
    // Attach again, and leave through the shell: the code of its exit.
    let mut p = PtyRun::spawn(s.docker(), &["attach", "term"], 30, 100);
    wait_until(15, "the attached shell answering", || {
        p.type_text("echo r$((6*7))\r");
        std::thread::sleep(Duration::from_millis(200));
        p.output().contains("r42")
    });
    p.type_text("exit 7\r");
    assert_eq!(wait_child(&mut p.child, 20), 7, "{}", p.output());
}
