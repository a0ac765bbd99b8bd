//! `--log-driver json-file|local|none` and their `--log-opt`s: Docker's json-file lines with
//! attributes, rotation into compressed files, `logs` (since/until/tail/follow) across rotations,
//! `none` keeping nothing, drivers berth lacks refused; the same over the Engine API.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{Berth, Service, busybox, inspect, wait_child};

/// The files of a container's directory (or of a directory under it) whose name contains `part`.
fn files_with(b: &Berth, id: &str, sub: &str, part: &str) -> BTreeSet<String> {
    let dir = b.root().join("containers").join(id).join(sub);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(part))
        .collect()
}

fn set(names: &[String]) -> BTreeSet<String> {
    names.iter().cloned().collect()
}

/// `line N` lines of a `logs` output, as numbers.
fn numbers(text: &str) -> Vec<u32> {
    text.lines()
        .filter_map(|l| l.strip_prefix("line "))
        .map(|n| n.parse().unwrap())
        .collect()
}

#[test]
fn json_file_writes_dockers_lines_with_attributes_and_rotates_compressed() {
    let b = Berth::new();
    let img = busybox(&b);
    let id = b
        .run(&[
            "run",
            "-d",
            "--name",
            "jf",
            "--label",
            "app=web",
            "-e",
            "FOO=bar",
            "--log-driver",
            "json-file",
            "--log-opt",
            "max-size=1k",
            "--log-opt",
            "max-file=3",
            "--log-opt",
            "compress=true",
            "--log-opt",
            "labels=app",
            "--log-opt",
            "env=FOO",
            "--log-opt",
            "tag={{.Name}}",
            &img,
            "sh",
            "-c",
            "i=0; while [ $i -lt 100 ]; do echo line $i; i=$((i+1)); done; echo oops >&2",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(b.run(&["wait", &id]).ok().stdout.trim(), "0");
    // Docker's names: the current file, and the rotated ones gzipped.
    assert_eq!(
        files_with(&b, &id, "", "-json.log"),
        set(&[
            format!("{id}-json.log"),
            format!("{id}-json.log.1.gz"),
            format!("{id}-json.log.2.gz"),
        ])
    );
    let current = b.root().join(format!("containers/{id}/{id}-json.log"));
    let text = std::fs::read_to_string(&current).unwrap();
    assert!(
        text.len() <= 1000,
        "max-size=1k is 1000 bytes: {}",
        text.len()
    );
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let keys: Vec<&str> = last
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, ["attrs", "log", "stream", "time"], "{last}");
    assert_eq!(last["log"], "oops\n");
    assert_eq!(last["stream"], "stderr");
    assert_eq!(
        last["attrs"],
        serde_json::json!({"app": "web", "FOO": "bar", "tag": "jf"})
    );
    // `logs` reads the compressed files too: what is left is contiguous and ends with the end.
    let all = b.run(&["logs", "jf"]).ok();
    let nums = numbers(&all.stdout);
    assert_eq!(nums.last(), Some(&99), "{}", all.stdout);
    assert!(nums.len() > 12 && nums[0] > 0, "{nums:?}");
    assert!(nums.windows(2).all(|w| w[1] == w[0] + 1), "{nums:?}");
    assert_eq!(all.stderr, "oops\n");
    let tail = b.run(&["logs", "--tail", "3", "jf"]).ok();
    assert_eq!(
        (tail.stdout.as_str(), tail.stderr.as_str()),
        ("line 98\nline 99\n", "oops\n")
    );
    let details = b.run(&["logs", "--details", "--tail", "1", "jf"]).ok();
    assert_eq!(details.stderr, "FOO=bar,app=web,tag=jf oops\n");
    // --since/--until by the timestamps of lines in the oldest (compressed) file and the
    // current one.
    let stamped = b.run(&["logs", "-t", "jf"]).ok();
    let lines: Vec<(&str, &str)> = stamped
        .stdout
        .lines()
        .map(|l| l.split_once(' ').unwrap())
        .collect();
    let (from, to) = (lines[1], lines[lines.len() - 2]);
    let window = b
        .run(&["logs", "--since", from.0, "--until", to.0, "jf"])
        .ok();
    let want: Vec<&str> = lines[1..lines.len() - 1].iter().map(|l| l.1).collect();
    assert_eq!(window.stdout.lines().collect::<Vec<_>>(), want);
    let c = inspect(&b, "jf");
    assert_eq!(c["HostConfig"]["LogConfig"]["Type"], "json-file");
    assert_eq!(c["HostConfig"]["LogConfig"]["Config"]["compress"], "true");
    assert_eq!(c["HostConfig"]["LogConfig"]["Config"]["max-size"], "1k");
    assert_eq!(c["LogPath"], current.display().to_string());
    b.run(&["rm", "jf"]).ok();
}

#[test]
fn local_driver_keeps_compressed_files_under_local_logs() {
    let b = Berth::new();
    let img = busybox(&b);
    let id = b
        .run(&[
            "run",
            "-d",
            "--log-driver",
            "local",
            "--log-opt",
            "max-size=1k",
            "--log-opt",
            "max-file=2",
            &img,
            "sh",
            "-c",
            "i=0; while [ $i -lt 100 ]; do echo line $i; i=$((i+1)); done",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(b.run(&["wait", &id]).ok().stdout.trim(), "0");
    // Docker's `local` compresses rotated files unless told not to.
    assert_eq!(
        files_with(&b, &id, "local-logs", "container.log"),
        set(&["container.log".into(), "container.log.1.gz".into()])
    );
    assert!(files_with(&b, &id, "", "-json.log").is_empty());
    let nums = numbers(&b.run(&["logs", &id]).ok().stdout);
    assert_eq!(nums.last(), Some(&99));
    assert!(nums.windows(2).all(|w| w[1] == w[0] + 1), "{nums:?}");
    assert_eq!(
        b.run(&["logs", "--tail", "1", &id]).ok().stdout,
        "line 99\n"
    );
    let c = inspect(&b, &id);
    assert_eq!(c["HostConfig"]["LogConfig"]["Type"], "local");
    assert_eq!(c["LogPath"], "");
    // Its options are Docker's: no attributes, compression needs two files.
    b.run(&[
        "create",
        "--log-driver",
        "local",
        "--log-opt",
        "labels=a",
        &img,
    ])
    .fails_with("unknown log opt 'labels' for log driver local");
    b.run(&[
        "create",
        "--log-driver",
        "local",
        "--log-opt",
        "max-file=1",
        &img,
    ])
    .fails_with("compression cannot be enabled when max file count is 1");
    b.run(&["rm", &id]).ok();
    assert_eq!(b.run(&["ps", "-aq"]).ok().stdout, "");
}

#[test]
fn none_keeps_no_logs_and_other_drivers_are_refused() {
    let b = Berth::new();
    let img = busybox(&b);
    // An attached run still shows its output.
    let fg = b
        .run(&[
            "run",
            "--name",
            "quiet",
            "--log-driver",
            "none",
            &img,
            "echo",
            "hi",
        ])
        .ok();
    assert_eq!(fg.stdout, "hi\n");
    let id = inspect(&b, "quiet")["Id"].as_str().unwrap().to_string();
    assert!(files_with(&b, &id, "", "-json.log").is_empty());
    assert!(
        !b.root()
            .join(format!("containers/{id}/local-logs"))
            .exists()
    );
    b.run(&["logs", "quiet"])
        .fails_with("configured logging driver does not support reading");
    let c = inspect(&b, "quiet");
    assert_eq!(c["HostConfig"]["LogConfig"]["Type"], "none");
    assert_eq!(c["LogPath"], "");
    b.run(&["rm", "quiet"]).ok();

    b.run(&["run", "--log-driver", "syslog", &img, "true"])
        .fails_with("berth does not support the \"syslog\" logging driver");
    b.run(&["create", "--log-driver", "journald", &img])
        .fails_with("\"journald\" logging driver");
    b.run(&["create", "--log-driver", "nope", &img])
        .fails_with("logger: no log driver named 'nope' is registered");
    b.run(&[
        "create",
        "--log-driver",
        "none",
        "--log-opt",
        "max-size=1k",
        &img,
    ])
    .fails_with("invalid logging opts for driver none");
    b.run(&["create", "--log-opt", "max-sise=1k", &img])
        .fails_with("unknown log opt 'max-sise' for json-file log driver");
    b.run(&["create", "--log-opt", "compress=true", &img])
        .fails_with("compress cannot be true when max-file is less than 2 or max-size is not set");
    b.run(&["create", "--log-opt", "max-file=0", &img])
        .fails_with("max-file cannot be less than 1");
    // Nothing was created by the refusals.
    assert_eq!(b.run(&["ps", "-aq"]).ok().stdout, "");
}

/// `logs -f` of a container whose log rotates (and is compressed) many times while it is
/// followed: every line comes once, in order, and the follower ends with the container.
#[test]
fn follow_reads_every_line_across_rotations() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "rot",
        "--log-opt",
        "max-size=1k",
        "--log-opt",
        "max-file=10",
        "--log-opt",
        "compress=true",
        &img,
        "sh",
        "-c",
        // About 20 rotations, paced so that the retained files always cover a poll interval.
        "echo start; while [ ! -e /tmp/go ]; do sleep 0.05; done; i=1; \
         while [ $i -le 300 ]; do echo line $i; \
         if [ $((i % 10)) = 0 ]; then sleep 0.05; fi; i=$((i+1)); done",
    ])
    .ok();
    let mut child = b
        .command()
        .args(["logs", "-f", "rot"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(out.next().expect("start").unwrap(), "start");
    b.run(&["exec", "rot", "touch", "/tmp/go"]).ok();
    let rest: Vec<String> = out.map(|l| l.unwrap()).collect();
    assert_eq!(wait_child(&mut child, 30), 0);
    assert_eq!(numbers(&rest.join("\n")), (1..=300).collect::<Vec<_>>());
    assert_eq!(rest.len(), 300, "nothing else, nothing twice");
    let id = inspect(&b, "rot")["Id"].as_str().unwrap().to_string();
    let names = files_with(&b, &id, "", "-json.log");
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(names.iter().filter(|n| n.ends_with(".gz")).count() == 9);
    b.run(&["rm", "rot"]).ok();
}

/// The API's `HostConfig.LogConfig`, through the docker CLI and curl.
#[test]
fn api_log_config_as_dockers() {
    let b = Berth::new();
    let img = busybox(&b);
    let s = Service::start(&b);
    let run = s.run_docker(&[
        "run",
        "--name",
        "dn",
        "--log-driver",
        "none",
        &img,
        "echo",
        "hi",
    ]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "hi\n"),
        "{}",
        run.stderr
    );
    let logs = s.run_docker(&["logs", "dn"]);
    assert_ne!(logs.code, 0, "{}", logs.stdout);
    assert!(
        logs.stderr
            .contains("configured logging driver does not support reading"),
        "{}",
        logs.stderr
    );
    let body = serde_json::json!({
        "Image": img,
        "Cmd": ["true"],
        "HostConfig": {"LogConfig": {"Type": "local", "Config": {"max-size": "2m"}}},
    });
    let (code, text) = s.curl(
        "POST",
        "/containers/create?name=lc",
        Some(&body.to_string()),
    );
    assert_eq!(code, 201, "{text}");
    let (code, text) = s.curl("GET", "/containers/lc/json", None);
    assert_eq!(code, 200);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["HostConfig"]["LogConfig"],
        serde_json::json!({"Type": "local", "Config": {"max-size": "2m"}})
    );
    let body = serde_json::json!({
        "Image": img,
        "HostConfig": {"LogConfig": {"Type": "gelf", "Config": {}}},
    });
    let (code, text) = s.curl("POST", "/containers/create", Some(&body.to_string()));
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("\\\"gelf\\\" logging driver"), "{text}");
    let names = s
        .run_docker(&["ps", "-a", "--format", "{{.Names}}"])
        .ok()
        .stdout;
    let mut names: Vec<&str> = names.lines().collect();
    names.sort();
    assert_eq!(names, ["dn", "lc"]);
    s.run_docker(&["rm", "dn", "lc"]).ok();
}
