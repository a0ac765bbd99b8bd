//! The event log: recorded by the processes that act (CLI, monitor, service), read with
//! `berth events`, `GET /events`, the docker CLI and docker-py.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Berth, Service};

/// Now as Unix seconds with nanoseconds (what Docker's clients send).
fn now() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    format!("{}.{:09}", d.as_secs(), d.subsec_nanos())
}

/// `events --since SINCE --until now` with `format`, as lines.
fn past(b: &Berth, since: &str, extra: &[&str]) -> Vec<String> {
    let until = now();
    let mut args = vec!["events", "--since", since, "--until", &until];
    args.extend_from_slice(extra);
    b.run(&args)
        .ok()
        .stdout
        .lines()
        .map(str::to_string)
        .collect()
}

/// A following `berth events` (with `args`), its lines sent to a channel.
struct Follower {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Follower {
    fn start(b: &Berth, args: &[&str], env: &[(&str, &str)]) -> Follower {
        let mut cmd = b.command();
        cmd.arg("events")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn berth events");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines() {
                let Ok(l) = l else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Follower { child, lines }
    }

    fn next(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(10))
            .expect("an event within 10 s")
    }

    /// A follower starts at the end of the log: record `probe`-named volumes until it shows
    /// one (it is then reading), and drop what it printed so far.
    fn wait_ready(&self, b: &Berth, env: &[(&str, &str)]) {
        for i in 0..100 {
            let mut c = b.command();
            for (k, v) in env {
                c.env(k, v);
            }
            let name = format!("probe{i}");
            assert!(
                c.args(["volume", "create", &name])
                    .status()
                    .unwrap()
                    .success()
            );
            if self.lines.recv_timeout(Duration::from_millis(300)).is_ok() {
                while self.lines.try_recv().is_ok() {}
                return;
            }
        }
        panic!("the follower never showed an event");
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn run_stop_rm_records_the_container_actions_in_order() {
    let b = Berth::new();
    let img = common::busybox(&b);
    let t0 = now();
    let script = "trap 'exit 0' TERM; while :; do sleep 0.1; done";
    let id = b
        .run(&[
            "run",
            "-d",
            "--name",
            "web",
            "--label",
            "tier=front",
            "-v",
            "evdata:/data",
            &img,
            "sh",
            "-c",
            script,
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    b.run(&["stop", "web"]).ok();
    b.run(&["rm", "web"]).ok();
    let lines = past(
        &b,
        &t0,
        &[
            "--filter",
            "type=container",
            "--format",
            "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}} {{.Actor.Attributes.tier}}",
        ],
    );
    let want: Vec<String> = ["create", "start", "kill", "die", "stop", "destroy"]
        .iter()
        .map(|a| format!("{a} {id} web front"))
        .collect();
    assert_eq!(lines, want);
    // Its volume (made by the create) and network (the default one).
    let lines = past(
        &b,
        &t0,
        &[
            "--filter",
            "type=network",
            "--filter",
            "type=volume",
            "--format",
            "{{.Type}} {{.Action}}",
        ],
    );
    assert_eq!(
        lines,
        [
            "volume create",
            "network connect",
            "volume mount",
            "volume unmount",
            "network disconnect",
        ]
    );
    for action in ["mount", "connect", "disconnect"] {
        let c = past(
            &b,
            &t0,
            &[
                "--filter",
                &format!("event={action}"),
                "--format",
                "{{.Actor.Attributes.container}}",
            ],
        );
        assert_eq!(c, std::slice::from_ref(&id), "{action}");
    }

    // Docker's default line, and the attributes of kill and die.
    let lines = past(&b, &t0, &["--filter", "container=web"]);
    assert_eq!(lines.len(), 6, "{lines:?}");
    let (time, rest) = lines[0].split_once(' ').unwrap();
    assert_eq!(
        rest,
        format!("container create {id} (image={img}, name=web, tier=front)")
    );
    // 2026-12-03T15:04:05.123456789Z (or a local offset)
    assert_eq!(time.find('.'), Some(19), "{time}");
    assert!(time[20..29].bytes().all(|c| c.is_ascii_digit()), "{time}");
    assert!(lines[2].contains(" container kill ") && lines[2].contains("signal=15"));
    assert!(lines[3].contains(" container die ") && lines[3].contains("exitCode=0"));

    // `{{json .}}`: Docker's message.
    let json = past(
        &b,
        &t0,
        &["--filter", "event=die", "--format", "{{json .}}"],
    );
    assert_eq!(json.len(), 1, "{json:?}");
    let v: serde_json::Value = serde_json::from_str(&json[0]).unwrap();
    assert_eq!(v["Type"], "container");
    assert_eq!(v["Action"], "die");
    assert_eq!(v["status"], "die");
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["from"], img.as_str());
    assert_eq!(v["scope"], "local");
    assert_eq!(v["Actor"]["Attributes"]["exitCode"], "0");
    assert_eq!(
        v["time"].as_i64().unwrap(),
        v["timeNano"].as_i64().unwrap() / 1_000_000_000
    );
}

#[test]
fn since_until_and_filters_as_docker_reads_them() {
    let b = Berth::new();
    let img = common::busybox(&b);
    let t0 = now();
    b.run(&["network", "create", "evnet"]).ok();
    b.run(&["volume", "create", "evvol"]).ok();
    let t1 = now();
    b.run(&["tag", &img, "evtag:1"]).ok();
    b.run(&["volume", "rm", "evvol"]).ok();
    b.run(&["network", "rm", "evnet"]).ok();
    let fmt = ["--format", "{{.Type}} {{.Action}}"];
    let with = |since: &str, more: &[&str]| -> Vec<String> {
        let mut a: Vec<&str> = more.to_vec();
        a.extend_from_slice(&fmt);
        past(&b, since, &a)
    };
    assert_eq!(
        with(&t0, &[]),
        [
            "network create",
            "volume create",
            "image tag",
            "volume destroy",
            "network destroy",
        ]
    );
    // Keys AND'ed, values OR'ed; volumes and networks by name.
    assert_eq!(
        with(&t0, &["-f", "type=network", "-f", "event=destroy"]),
        ["network destroy"]
    );
    assert_eq!(
        with(&t0, &["-f", "volume=evvol"]),
        ["volume create", "volume destroy"]
    );
    assert_eq!(
        with(&t0, &["-f", "network=evnet"]),
        ["network create", "network destroy"]
    );
    assert_eq!(
        with(&t0, &["-f", "volume=evvol", "-f", "network=evnet"]),
        Vec::<String>::new()
    );
    assert_eq!(
        with(&t0, &["-f", "event=create", "-f", "event=tag"]),
        ["network create", "volume create", "image tag"]
    );
    assert_eq!(with(&t0, &["-f", "image=evtag"]), ["image tag"]);
    // Since t1: only what came after; a duration and an RFC 3339 time work too.
    assert_eq!(with(&t1, &["-f", "type=network"]), ["network destroy"]);
    assert_eq!(with("1h", &["-f", "type=network"]).len(), 2);
    let rfc = chrono::DateTime::from_timestamp(t1.split('.').next().unwrap().parse().unwrap(), 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(with(&rfc, &["-f", "type=volume"]).contains(&"volume destroy".to_string()));
    // --until alone: everything up to it.
    let until = b
        .run(&["events", "--until", &t1, "--format", "{{.Action}}"])
        .ok();
    assert_eq!(until.lines(), ["pull", "create", "create"]);
    // Mistakes: one line, non-zero exit.
    let bad = b.run(&["events", "--until", &t1, "-f", "colour=red"]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr.contains("invalid filter 'colour'"),
        "{}",
        bad.stderr
    );
    let bad = b.run(&["events", "--since", "yesterday-ish"]);
    assert_ne!(bad.code, 0);
    let bad = b.run(&["events", "--since", &t1, "--until", &t0]);
    assert!(
        bad.stderr.contains("cannot be after until time"),
        "{}",
        bad.stderr
    );
    // `system events` is the same command.
    let sys = b
        .run(&[
            "system",
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "--format",
            "{{.Action}}",
        ])
        .ok();
    assert_eq!(sys.lines(), ["create", "create"]);
}

#[test]
fn a_follower_sees_events_of_other_processes_until_interrupted() {
    let b = Berth::new();
    let f = Follower::start(
        &b,
        &[
            "--filter",
            "type=volume",
            "--format",
            "{{.Action}} {{.Actor.ID}}",
        ],
        &[],
    );
    f.wait_ready(&b, &[]);
    b.run(&["volume", "create", "seen"]).ok();
    assert_eq!(f.next(), "create seen");
    b.run(&["volume", "rm", "seen"]).ok();
    assert_eq!(f.next(), "destroy seen");
    // Ctrl-C ends it.
    let mut f = f;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(f.child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let code = common::wait_child(&mut f.child, 10);
    assert_ne!(code, 0);
}

#[test]
fn rotation_keeps_followers_going_and_one_old_file() {
    let b = Berth::new();
    // About eight volume events a file.
    let env = [("BERTH_EVENTS_MAX_SIZE", "1200")];
    let f = Follower::start(
        &b,
        &["--filter", "event=create", "--format", "{{.Actor.ID}}"],
        &env,
    );
    f.wait_ready(&b, &env);
    let t0 = now();
    for i in 0..20 {
        let name = format!("rot{i:02}");
        let mut c = b.command();
        c.env(env[0].0, env[0].1);
        assert!(
            c.args(["volume", "create", &name])
                .status()
                .unwrap()
                .success()
        );
        // Paced by the follower: it never has two rotations to catch up with.
        assert_eq!(f.next(), name);
    }
    let dir = b.root().join("events");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["events.log", "events.log.1", "lock"]);
    for f in ["events.log", "events.log.1"] {
        let len = std::fs::metadata(dir.join(f)).unwrap().len();
        assert!(len <= 1200, "{f}: {len} bytes");
    }
    // What is kept can still be read back, in order, from both files.
    let kept = past(
        &b,
        &t0,
        &["--filter", "event=create", "--format", "{{.Actor.ID}}"],
    );
    assert!(kept.len() >= 8 && kept.len() < 20, "{kept:?}");
    let want: Vec<String> = (20 - kept.len()..20)
        .map(|i| format!("rot{i:02}"))
        .collect();
    assert_eq!(kept, want);
}

#[test]
fn docker_cli_and_curl_read_events_through_the_service() {
    let b = Berth::new();
    let img = common::busybox(&b);
    let s = Service::start(&b);
    let t0 = now();
    // One action through the API (the service records it), one through the CLI.
    s.run_docker(&["volume", "create", "apivol"]).ok();
    b.run(&["tag", &img, "clitag:2"]).ok();
    let t1 = now();
    let out = s
        .run_docker(&[
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "--format",
            "{{.Type}} {{.Action}} {{.Actor.ID}}",
        ])
        .ok();
    assert_eq!(out.lines()[0], "volume create apivol");
    assert!(
        out.lines()[1].starts_with("image tag sha256:"),
        "{}",
        out.stdout
    );
    assert_eq!(out.lines().len(), 2);
    let out = s
        .run_docker(&[
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "-f",
            "type=volume",
        ])
        .ok();
    assert_eq!(out.lines().len(), 1);
    assert!(
        out.stdout.contains(" volume create apivol (driver=local)"),
        "{}",
        out.stdout
    );

    // curl: one JSON object a line; Docker's 400 for a bad filter.
    let (code, body) = s.curl("GET", &format!("/v1.50/events?since={t0}&until={t1}"), None);
    assert_eq!(code, 200, "{body}");
    let msgs: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0]["Type"], "volume");
    assert_eq!(msgs[1]["status"], "tag");
    let (code, body) = s.curl(
        "GET",
        &format!("/v1.50/events?until={t1}&filters=%7B%22colour%22%3A%5B%22x%22%5D%7D"),
        None,
    );
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("invalid filter 'colour'"), "{body}");

    // A following stream shows a new event; a client that goes away ends it (the service
    // goes on answering).
    let mut follow = Command::new("curl")
        .args(["-sS", "-N", "--unix-socket"])
        .arg(&s.socket)
        .arg("http://d/v1.50/events?filters=%7B%22type%22%3A%5B%22network%22%5D%7D")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = follow.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let mut seen = None;
    for i in 0..100 {
        b.run(&["network", "create", &format!("fol{i}")]).ok();
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(300)) {
            seen = Some(l);
            break;
        }
    }
    let v: serde_json::Value = serde_json::from_str(&seen.expect("a followed event")).unwrap();
    assert_eq!(v["Type"], "network");
    assert_eq!(v["Action"], "create");
    let _ = follow.kill();
    let _ = follow.wait();
    let (code, _) = s.curl("GET", "/_ping", None);
    assert_eq!(code, 200);
}

#[test]
fn docker_py_decodes_events() {
    let python = ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import docker"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    let Some(python) = python else {
        common::cannot_run_here(
            "docker_py_decodes_events",
            "no python3 can import docker (scripts/deps.sh installs python3-docker)",
        );
        return;
    };
    let b = Berth::new();
    let s = Service::start(&b);
    let t0 = now();
    b.run(&["volume", "create", "pyvol"]).ok();
    b.run(&["network", "create", "pynet"]).ok();
    let t1 = now();
    let script = r#"
import sys, docker
c = docker.DockerClient(base_url=sys.argv[1])
since, until = float(sys.argv[2]), float(sys.argv[3])
for e in c.events(since=since, until=until, decode=True):
    print(e["Type"], e["Action"], e["Actor"]["Attributes"]["name"] if "name" in e["Actor"]["Attributes"] else e["Actor"]["ID"], e["scope"], type(e["timeNano"]).__name__)
for e in c.events(since=since, until=until, decode=True, filters={"type": "network"}):
    print("filtered", e["Action"], e["Actor"]["Attributes"]["name"])
"#;
    let out = Command::new(python)
        .args(["-c", script, &s.host(), &t0, &t1])
        .output()
        .unwrap();
    let r = common::Run::from(out).ok();
    assert_eq!(
        r.lines(),
        [
            "volume create pyvol local int",
            "network create pynet local int",
            "filtered create pynet",
        ]
    );
}
