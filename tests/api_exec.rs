//! `docker exec` through the Engine API (`berth system service`): the real docker CLI with
//! DOCKER_HOST, and curl on the socket.

mod common;

use std::io::{Read, Write};
use std::process::Stdio;

use common::{Berth, Service, wait_until};

/// A running busybox container `name` (`sleep 300`), through the service.
fn running(s: &Service, name: &str) -> String {
    let img = common::image("busybox");
    s.run_docker(&["pull", "-q", &img]).ok();
    s.run_docker(&["run", "-d", "--name", name, &img, "sleep", "300"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

/// The exec IDs recorded under the run root.
fn exec_ids(b: &Berth) -> Vec<String> {
    std::fs::read_dir(b.runroot().join("execs"))
        .map(|d| {
            d.flatten()
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.strip_suffix(".json")
                        .filter(|_| !n.starts_with('.'))
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// Exec children of this berth (their pids).
fn exec_children(b: &Berth) -> Vec<i32> {
    let root = b.root().to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: i32 = e.file_name().to_str()?.parse().ok()?;
            let c = std::fs::read(e.path().join("cmdline")).ok()?;
            let c = String::from_utf8_lossy(&c);
            (c.contains("\0exec-child\0") && c.contains(&root) && !common::process_exited(pid))
                .then_some(pid)
        })
        .collect()
}

#[test]
fn docker_exec_passes_output_exit_codes_env_user_and_workdir() {
    let b = Berth::new();
    let s = Service::start(&b);
    running(&s, "ex");
    let r = s.run_docker(&["exec", "ex", "echo", "hi"]).ok();
    assert_eq!(r.stdout, "hi\n");
    // stdout and stderr stay apart (multiplexed frames), the exit code comes through.
    let r = s.run_docker(&["exec", "ex", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (3, "out\n", "err\n")
    );
    // A command that is not found (127) or cannot be executed (126), with Docker's message.
    let r = s.run_docker(&["exec", "ex", "nosuchcmd"]);
    assert_eq!(r.code, 127, "{r:?}");
    assert!(
        r.stdout
            .contains("OCI runtime exec failed: exec failed: exec: \"nosuchcmd\": executable file not found in $PATH"),
        "{r:?}"
    );
    let r = s.run_docker(&["exec", "ex", "/etc/passwd"]);
    assert_eq!(r.code, 126, "{r:?}");
    assert!(r.stdout.contains("permission denied"), "{r:?}");
    let r = s
        .run_docker(&[
            "exec",
            "-e",
            "K=V w",
            "-u",
            "1000:1001",
            "-w",
            "/tmp",
            "ex",
            "sh",
            "-c",
            "echo \"$K\"; id -u; id -g; pwd",
        ])
        .ok();
    assert_eq!(r.stdout, "V w\n1000\n1001\n/tmp\n");
    // Every exec is recorded with its exit code.
    let codes: Vec<i64> = exec_ids(&b)
        .iter()
        .map(|id| {
            let (code, body) = s.curl("GET", &format!("/v1.50/exec/{id}/json"), None);
            assert_eq!(code, 200, "{body}");
            let v = json(&body);
            assert_eq!(v["Running"], false, "{body}");
            v["ExitCode"].as_i64().unwrap()
        })
        .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, [0, 0, 3, 126, 127], "{codes:?}");
}

#[test]
fn docker_exec_i_pipes_stdin_and_d_returns_at_once() {
    let b = Berth::new();
    let s = Service::start(&b);
    running(&s, "ex");
    let mut child = s
        .docker()
        .args(["exec", "-i", "ex", "sh", "-c", "wc -c; echo done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(&[b'x'; 100_000]).unwrap();
    drop(input); // EOF ends `wc`
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "100000\ndone\n",
        "{out:?}"
    );
    assert!(out.status.success());

    s.run_docker(&["exec", "-d", "ex", "sh", "-c", "sleep 3; touch /tmp/done"])
        .ok();
    // It returned while the process runs.
    let r = s.run_docker(&["exec", "ex", "test", "-e", "/tmp/done"]);
    assert_eq!(r.code, 1, "{r:?}");
    wait_until(20, "the detached exec to finish", || {
        s.run_docker(&["exec", "ex", "test", "-e", "/tmp/done"])
            .code
            == 0
    });
    // Its exit code is recorded too, and its child is gone.
    wait_until(10, "the detached exec's exit code", || {
        exec_ids(&b).iter().any(|id| {
            let (_, body) = s.curl("GET", &format!("/exec/{id}/json"), None);
            let v = json(&body);
            v["ProcessConfig"]["arguments"][1] == "sleep 3; touch /tmp/done"
                && v["ExitCode"] == 0
                && v["Running"] == false
        })
    });
    wait_until(10, "no exec child left", || exec_children(&b).is_empty());
}

#[test]
fn docker_exec_it_runs_under_a_pty_with_its_size_and_resizes() {
    let b = Berth::new();
    let s = Service::start(&b);
    running(&s, "ex");
    let (master, slave) = common::openpty(33, 101);
    let mut child = s
        .docker()
        .args([
            "exec",
            "-it",
            "ex",
            "sh",
            "-c",
            "stty size; tty; read x; stty size; exit 4",
        ])
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave))
        .spawn()
        .unwrap();
    let mut m = std::fs::File::from(master);
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let mut reader = m.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut out = Vec::new();
    let seen = |want: &str, out: &mut Vec<u8>| {
        wait_until(20, want, || {
            while let Ok(chunk) = rx.try_recv() {
                out.extend(chunk);
            }
            String::from_utf8_lossy(out).contains(want)
        })
    };
    seen("/dev/pts/", &mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    assert!(text.contains("33 101\r\n"), "{text:?}");
    // The exec is running, with a terminal; resize it through the API.
    let ids = exec_ids(&b);
    assert_eq!(ids.len(), 1, "{ids:?}");
    let (code, body) = s.curl("GET", &format!("/exec/{}/json", ids[0]), None);
    assert_eq!(code, 200, "{body}");
    let v = json(&body);
    assert_eq!(
        (&v["Running"], &v["ProcessConfig"]["tty"]),
        (&true.into(), &true.into())
    );
    let (code, body) = s.curl("POST", &format!("/exec/{}/resize?h=40&w=120", ids[0]), None);
    assert_eq!(code, 200, "{body}");
    m.write_all(b"go\r").unwrap();
    seen("40 120\r\n", &mut out);
    assert_eq!(common::wait_child(&mut child, 20), 4);
    let (_, body) = s.curl("GET", &format!("/exec/{}/json", ids[0]), None);
    assert_eq!(json(&body)["ExitCode"], 4, "{body}");
    let (code, body) = s.curl("POST", &format!("/exec/{}/resize?h=40&w=120", ids[0]), None);
    assert_eq!(code, 409, "{body}");
}

#[test]
fn exec_in_a_stopped_or_paused_container_is_a_conflict() {
    let b = Berth::new();
    let s = Service::start(&b);
    let id = running(&s, "ex");
    s.run_docker(&["pause", "ex"]).ok();
    let r = s.run_docker(&["exec", "ex", "true"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.stderr.trim(),
        format!(
            "Error response from daemon: container {id} is paused, unpause the container before exec"
        )
    );
    s.run_docker(&["unpause", "ex"]).ok();
    // Created before the stop, started after it.
    let (code, body) = s.curl("POST", "/containers/ex/exec", Some(r#"{"Cmd":["true"]}"#));
    assert_eq!(code, 201, "{body}");
    let exec = json(&body)["Id"].as_str().unwrap().to_string();
    s.run_docker(&["stop", "-t", "1", "ex"]).ok();
    let r = s.run_docker(&["exec", "ex", "true"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.stderr.trim(),
        format!("Error response from daemon: container {id} is not running")
    );
    let (code, body) = s.curl(
        "POST",
        &format!("/v1.50/exec/{exec}/start"),
        Some(r#"{"Detach":true}"#),
    );
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("is not running"), "{body}");
    // Bad input: 400s and 404s with a message.
    let (code, body) = s.curl("POST", "/containers/ex/exec", Some(r#"{"Cmd":5}"#));
    assert_eq!(code, 400, "{body}");
    let (code, body) = s.curl("POST", "/containers/ex/exec", Some(r#"{"Cmd":[]}"#));
    assert_eq!(code, 400, "{body}");
    let (code, body) = s.curl(
        "POST",
        "/containers/nosuch/exec",
        Some(r#"{"Cmd":["true"]}"#),
    );
    assert_eq!(code, 404, "{body}");
    let (code, body) = s.curl("GET", "/exec/0123abcd/json", None);
    assert_eq!(
        (code, json(&body)["message"].as_str()),
        (404, Some("No such exec instance: 0123abcd"))
    );
    let (code, body) = s.curl("POST", &format!("/exec/{exec}/start"), Some("{nope"));
    assert_eq!(code, 400, "{body}");
    // The exec goes with its container.
    s.run_docker(&["rm", "ex"]).ok();
    assert_eq!(exec_ids(&b), Vec::<String>::new());
    let (code, body) = s.curl("GET", &format!("/exec/{exec}/json"), None);
    assert_eq!(code, 404, "{body}");
}

#[test]
fn a_client_that_disconnects_mid_exec_leaves_no_process() {
    let b = Berth::new();
    let s = Service::start(&b);
    running(&s, "ex");
    let fds = || {
        std::fs::read_dir(format!("/proc/{}/fd", s.child.id()))
            .unwrap()
            .count()
    };
    let before = fds();
    let mut child = s
        .docker()
        .args(["exec", "ex", "sh", "-c", "while echo x; do sleep 0.1; done"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 2];
    out.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"x\n");
    assert_eq!(exec_children(&b).len(), 1);
    child.kill().unwrap();
    child.wait().unwrap();
    // The process dies of its next write (SIGPIPE), the child records it and exits.
    wait_until(20, "the exec child to exit", || {
        exec_children(&b).is_empty()
    });
    let ids = exec_ids(&b);
    let (_, body) = s.curl("GET", &format!("/exec/{}/json", ids[0]), None);
    let v = json(&body);
    assert_eq!(
        (&v["Running"], &v["ExitCode"]),
        (&false.into(), &141.into()),
        "{body}"
    );
    let r = s.run_docker(&[
        "exec",
        "ex",
        "sh",
        "-c",
        "ps -o args | grep -c '[w]hile echo'",
    ]);
    assert_eq!(r.stdout.trim(), "0", "{r:?}");
    wait_until(10, "the service to close the connection's fds", || {
        fds() <= before
    });
    s.run_docker(&["exec", "ex", "echo", "still"]).ok();
}

/// The NUL-separated command line of the host process `pid`.
fn cmdline(pid: i64) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .unwrap_or_default()
}

#[test]
fn exec_inspect_reports_the_host_pid_of_the_process_itself() {
    let b = Berth::new();
    let s = Service::start(&b);
    running(&s, "ex");

    // A detached exec: its Pid is the process's, running the command.
    let (code, body) = s.curl(
        "POST",
        "/containers/ex/exec",
        Some(r#"{"Cmd":["sleep","4242"]}"#),
    );
    assert_eq!(code, 201, "{body}");
    let id = json(&body)["Id"].as_str().unwrap().to_string();
    let (_, body) = s.curl("GET", &format!("/exec/{id}/json"), None);
    assert_eq!(json(&body)["Pid"], 0, "not started yet: {body}");
    let (code, body) = s.curl(
        "POST",
        &format!("/exec/{id}/start"),
        Some(r#"{"Detach":true}"#),
    );
    assert_eq!(code, 200, "{body}");
    let (_, body) = s.curl("GET", &format!("/exec/{id}/json"), None);
    let v = json(&body);
    assert_eq!(v["Running"], true, "{body}");
    let pid = v["Pid"].as_i64().unwrap();
    assert!(pid > 0, "{body}");
    assert_eq!(cmdline(pid), "sleep 4242 ", "pid {pid}");

    // An attached one (the docker CLI), while it runs.
    let mut child = s
        .docker()
        .args(["exec", "ex", "sleep", "4343"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut pid = 0;
    wait_until(20, "the attached exec to run", || {
        pid = exec_ids(&b)
            .iter()
            .filter(|i| **i != id)
            .filter_map(|i| {
                let (_, body) = s.curl("GET", &format!("/exec/{i}/json"), None);
                json(&body)["Pid"].as_i64()
            })
            .find(|p| *p > 0)
            .unwrap_or(0);
        pid > 0
    });
    assert_eq!(cmdline(pid), "sleep 4343 ", "pid {pid}");
    kill(pid);
    assert_eq!(child.wait().unwrap().code(), Some(143));

    // Once it has exited, the pid stays (Docker's).
    let detached = pid_of(&s, &id);
    kill(detached);
    wait_until(20, "the detached exec to end", || {
        let (_, body) = s.curl("GET", &format!("/exec/{id}/json"), None);
        json(&body)["Running"] == false
    });
    assert_eq!(pid_of(&s, &id), detached);
}

/// SIGTERM to the host process `pid`.
fn kill(pid: i64) {
    let st = std::process::Command::new("kill")
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(st.success(), "kill {pid}");
}

fn pid_of(s: &Service, exec: &str) -> i64 {
    let (_, body) = s.curl("GET", &format!("/exec/{exec}/json"), None);
    json(&body)["Pid"].as_i64().unwrap()
}
