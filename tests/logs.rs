//! `logs`: follow, tail and timestamps, and rotation into --log-opt max-file files of at most
//! max-size.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Berth, busybox, status_of, wait_child};

#[test]
fn logs_follow_tail_and_timestamps() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "ticker",
        &img,
        "sh",
        "-c",
        // The rest once the test follows (it has read line1 and made /tmp/go).
        "echo line1; while [ ! -e /tmp/go ]; do sleep 0.05; done; \
         for i in 2 3 4 5 6 7 8 9 10; do echo line$i; sleep 0.1; done",
    ])
    .ok();
    let t0 = Instant::now();
    let mut child = b
        .command()
        .args(["logs", "-f", "ticker"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = out.next().expect("logs -f ends before line1").unwrap();
    lines.push((first, t0.elapsed()));
    b.run(&["exec", "ticker", "touch", "/tmp/go"]).ok();
    for l in out {
        lines.push((l.unwrap(), t0.elapsed()));
    }
    assert_eq!(wait_child(&mut child, 10), 0);
    let texts: Vec<&str> = lines.iter().map(|(l, _)| l.as_str()).collect();
    let want: Vec<String> = (1..=10).map(|i| format!("line{i}")).collect();
    assert_eq!(texts, want);
    // Lines arrived as they were printed, and -f ended when the container did.
    let spread = lines[9].1 - lines[1].1;
    assert!(
        spread >= Duration::from_millis(500),
        "lines came in a burst: {spread:?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(8), "{:?}", t0.elapsed());
    assert!(status_of(&b, "ticker").starts_with("Exited (0)"));

    let tail = b.run(&["logs", "--tail", "2", "ticker"]).ok();
    assert_eq!(tail.stdout, "line9\nline10\n");
    let ts = b.run(&["logs", "-t", "--tail", "3", "ticker"]).ok();
    let ts_lines = ts.lines();
    assert_eq!(ts_lines.len(), 3, "{}", ts.stdout);
    let mut last = None;
    for (l, n) in ts_lines.iter().zip(8..) {
        let (stamp, text) = l.split_once(' ').unwrap();
        assert_eq!(text, format!("line{n}"));
        let t = chrono::DateTime::parse_from_rfc3339(stamp)
            .unwrap_or_else(|e| panic!("bad timestamp {stamp:?}: {e}"));
        assert!(
            stamp.ends_with('Z') && stamp.len() >= 30,
            "RFC 3339 nanos: {stamp}"
        );
        if let Some(prev) = last {
            assert!(t > prev, "timestamps increase");
        }
        last = Some(t);
    }
    b.run(&["rm", "ticker"]).ok();
}

#[test]
fn log_opts_rotate_into_max_file_files_of_at_most_max_size() {
    let b = Berth::new();
    let img = busybox(&b);
    let id = b
        .run(&[
            "run",
            "-d",
            "--log-opt",
            "max-size=1k",
            "--log-opt",
            "max-file=2",
            &img,
            "sh",
            "-c",
            "i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(b.run(&["wait", &id]).ok().stdout.trim(), "0");
    let dir = b.root().join("containers").join(&id);
    let mut logs: Vec<(String, u64)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("-json.log"))
        .map(|n| {
            let len = std::fs::metadata(dir.join(&n)).unwrap().len();
            (n, len)
        })
        .collect();
    logs.sort();
    let names: Vec<&str> = logs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [format!("{id}-json.log"), format!("{id}-json.log.1")],
        "two files"
    );
    for (n, len) in &logs {
        assert!(*len <= 1024, "{n} is {len} bytes");
        assert!(*len > 0, "{n} is empty");
    }
    // `logs` shows what is left, ending with the last line.
    let out = b.run(&["logs", &id]).ok();
    assert!(out.stdout.ends_with("line 199\n"), "{}", out.stdout);
    assert!(!out.stdout.contains("line 0\n"), "rotated away");
    b.run(&["rm", &id]).ok();
}

/// `--since`/`--until` (Docker's forms: Unix seconds with a fraction, RFC 3339, durations)
/// split a log at a moment between two lines; `--details` puts the (empty) attributes and a
/// space before each line, after the timestamp, as Docker does.
#[test]
fn logs_since_until_and_details() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "two",
        &img,
        "sh",
        "-c",
        "echo first; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo second; sleep 1000",
    ])
    .ok();
    common::wait_until(20, "the first line", || {
        b.run(&["logs", "two"]).stdout == "first\n"
    });
    let t = b.run(&["logs", "-t", "two"]).ok();
    let first_time = t.stdout.split(' ').next().unwrap().to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let between = format!("{}.{:09}", now.as_secs(), now.subsec_nanos());
    // The second line must be written after `between`.
    std::thread::sleep(Duration::from_millis(20));
    b.run(&["exec", "two", "touch", "/tmp/go"]).ok();
    common::wait_until(20, "the second line", || {
        b.run(&["logs", "two"]).stdout == "first\nsecond\n"
    });
    assert_eq!(
        b.run(&["logs", "--since", &between, "two"]).ok().stdout,
        "second\n"
    );
    assert_eq!(
        b.run(&["logs", "--until", &between, "two"]).ok().stdout,
        "first\n"
    );
    // RFC 3339 (the first line's own timestamp is included by both, as dockerd reads them).
    assert_eq!(
        b.run(&["logs", "--since", &first_time, "two"]).ok().stdout,
        "first\nsecond\n"
    );
    assert_eq!(
        b.run(&["logs", "--until", &first_time, "two"]).ok().stdout,
        "first\n"
    );
    // A duration: both lines are younger than an hour.
    assert_eq!(
        b.run(&["logs", "--since", "1h", "two"]).ok().stdout,
        "first\nsecond\n"
    );
    assert_eq!(
        b.run(&["logs", "--details", "two"]).ok().stdout,
        " first\n second\n"
    );
    let td = b
        .run(&["logs", "-t", "--details", "--until", &between, "two"])
        .ok();
    assert_eq!(td.stdout, format!("{first_time}  first\n"));
    b.run(&["logs", "--since", "yesterday", "two"])
        .fails_with("yesterday");
    b.run(&["rm", "-f", "two"]).ok();
}
