//! The Docker Engine API (`berth system service`) driven by real clients: the docker CLI with
//! DOCKER_HOST, and curl on the socket.

mod common;
mod network_helpers;

use std::process::{Command, Stdio};

use common::{Berth, Service, wait_child, wait_until};

#[test]
fn the_docker_cli_negotiates_and_reads_version_and_info() {
    let b = Berth::new();
    let s = Service::start(&b);
    let v = s
        .run_docker(&[
            "version",
            "--format",
            "{{.Server.APIVersion}} {{.Server.Os}}",
        ])
        .ok();
    assert_eq!(v.stdout.trim(), "1.51 linux");
    let info = s
        .run_docker(&[
            "info",
            "--format",
            "{{.Containers}} {{.Driver}} {{.OSType}}",
        ])
        .ok();
    assert_eq!(info.stdout.trim(), "0 overlay linux");
    let (code, body) = s.curl("GET", "/_ping", None);
    assert_eq!((code, body.as_str()), (200, "OK"));
    let (code, body) = s.curl("GET", "/v1.99/info", None);
    assert_eq!(code, 400, "{body}");
    assert!(
        body.contains("Maximum supported API version is 1.51"),
        "{body}"
    );
}

#[test]
fn docker_system_df_counts_images_containers_and_volumes() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::busybox(&b);
    b.run(&["volume", "create", "dfvol"]).ok();
    b.run(&["create", "--name", "dfc", "-v", "dfvol:/data", &img, "true"])
        .ok();
    let df = s
        .run_docker(&[
            "system",
            "df",
            "--format",
            "{{.Type}} {{.TotalCount}} {{.Active}}",
        ])
        .ok();
    let lines = df.lines();
    assert!(lines.contains(&"Images 1 1"), "{}", df.stdout);
    assert!(lines.contains(&"Containers 1 0"), "{}", df.stdout);
    assert!(lines.contains(&"Local Volumes 1 1"), "{}", df.stdout);
    let (code, body) = s.curl("GET", "/system/df", None);
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["LayersSize"].as_i64().unwrap() > 0, "{body}");
    assert_eq!(v["Images"][0]["Containers"], 1, "{body}");
    assert!(v["Containers"][0]["SizeRw"].is_i64(), "{body}");
    assert_eq!(v["Volumes"][0]["Name"], "dfvol", "{body}");
    assert_eq!(v["Volumes"][0]["UsageData"]["RefCount"], 1, "{body}");
    // The CLI's own commands read the same engine.
    let info = b
        .run(&[
            "info",
            "--format",
            "{{.Containers}} {{.Images}} {{.Driver}}",
        ])
        .ok();
    assert_eq!(info.stdout.trim(), "1 1 overlay");
    let text = b.run(&["info"]).ok();
    assert!(
        text.stdout.contains("\n Containers: 1\n"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("\n  Stopped: 1\n"), "{}", text.stdout);
    assert!(text.stdout.contains("\n Total Memory: "), "{}", text.stdout);
    let same = b
        .run(&["system", "info", "--format", "{{.ContainersStopped}}"])
        .ok();
    assert_eq!(same.stdout.trim(), "1");
    let v = b.run(&["version"]).ok();
    assert!(v.stdout.starts_with("Client:\n Version:"), "{}", v.stdout);
    assert!(
        v.stdout
            .contains("API version:      1.51 (minimum version 1.24)"),
        "{}",
        v.stdout
    );
    let f = b.run(&["version", "--format", "{{.Server.Os}}"]).ok();
    assert_eq!(f.stdout.trim(), "linux");
}

#[test]
fn a_container_from_create_to_delete_through_the_docker_cli() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::image("busybox");
    s.run_docker(&["pull", &img]).ok();
    let id = s
        .run_docker(&[
            "run",
            "-d",
            "--name",
            "web",
            &img,
            "sh",
            "-c",
            "echo hello; sleep 60",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(id.len(), 64, "{id}");
    // The CLI and the API see the same state.
    assert!(common::is_running(&b, "web"));
    common::wait_until(10, "the log line", || {
        s.run_docker(&["logs", "web"]).stdout.contains("hello")
    });
    let ps = s
        .run_docker(&["ps", "--format", "{{.Names}} {{.State}}"])
        .ok();
    assert_eq!(ps.stdout.trim(), "web running");
    s.run_docker(&["stop", "-t", "1", "web"]).ok();
    assert!(common::status_of(&b, "web").starts_with("Exited"));
    s.run_docker(&["rm", "web"]).ok();
    let gone = s.run_docker(&["inspect", "web"]);
    assert_eq!(gone.code, 1);
    assert!(gone.stderr.contains("No such"), "{}", gone.stderr);
}

/// Creates and starts a container through the CLI and waits for it to exit (`create`, `start`,
/// `wait`: no attach); its exit code as `docker wait` prints it.
fn exited(s: &Service, args: &[&str]) -> String {
    let mut a = vec!["create"];
    a.extend_from_slice(args);
    let id = s.run_docker(&a).ok().stdout.trim().to_string();
    s.run_docker(&["start", &id]).ok();
    s.run_docker(&["wait", &id]).ok().stdout.trim().to_string()
}

/// Starts a container through the CLI with `docker run -d`; its ID.
fn run_d(s: &Service, args: &[&str]) -> String {
    let mut a = vec!["run", "-d"];
    a.extend_from_slice(args);
    s.run_docker(&a).ok().stdout.trim().to_string()
}

#[test]
fn a_published_port_reaches_busybox_httpd_from_the_host() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::busybox(&b);
    let port = network_helpers::free_port();
    let spec = format!("127.0.0.1:{port}:80");
    run_d(
        &s,
        &[
            "--name",
            "web",
            "-p",
            &spec,
            &img,
            "sh",
            "-c",
            "mkdir /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 80 -h /www",
        ],
    );
    let url = format!("http://127.0.0.1:{port}/");
    let mut got = String::new();
    wait_until(20, "httpd answering on the published port", || {
        let o = Command::new("curl")
            .args(["-sS", "--max-time", "2", &url])
            .output()
            .unwrap();
        got = String::from_utf8_lossy(&o.stdout).into_owned();
        o.status.success()
    });
    assert_eq!(got.trim(), "hello-from-httpd");
    let ports = s.run_docker(&["ps", "--format", "{{.Ports}}"]).ok().stdout;
    assert_eq!(ports.trim(), format!("127.0.0.1:{port}->80/tcp"));
    let p = s.run_docker(&["port", "web", "80"]).ok().stdout;
    assert_eq!(p.trim(), format!("127.0.0.1:{port}"));
    s.run_docker(&["rm", "-f", "web"]).ok();
}

#[test]
fn ps_lists_filters_and_formats() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::busybox(&b);
    let up = run_d(
        &s,
        &["--name", "up", "--label", "tier=web", &img, "sleep", "60"],
    );
    exited(&s, &["--name", "done", &img, "true"]);
    let ps = s.run_docker(&["ps", "--format", "{{.Names}}"]).ok();
    assert_eq!(ps.stdout.trim(), "up");
    let mut all: Vec<String> = s
        .run_docker(&["ps", "-a", "--format", "{{.Names}} {{.State}}"])
        .ok()
        .stdout
        .lines()
        .map(str::to_string)
        .collect();
    all.sort();
    assert_eq!(all, ["done exited", "up running"]);
    let q = s.run_docker(&["ps", "-q"]).ok();
    assert_eq!(q.stdout.trim(), &up[..12]);
    let q = s.run_docker(&["ps", "-aq", "--no-trunc"]).ok();
    assert_eq!(q.stdout.lines().count(), 2);
    assert!(q.stdout.lines().any(|l| l == up), "{}", q.stdout);
    let f = s
        .run_docker(&[
            "ps",
            "-a",
            "--filter",
            "status=exited",
            "--format",
            "{{.Names}}",
        ])
        .ok();
    assert_eq!(f.stdout.trim(), "done");
    let f = s
        .run_docker(&[
            "ps",
            "-a",
            "--filter",
            "label=tier=web",
            "--format",
            "{{.Names}}",
        ])
        .ok();
    assert_eq!(f.stdout.trim(), "up");
    let f = s
        .run_docker(&[
            "ps",
            "-a",
            "--filter",
            "name=do",
            "--format",
            "{{.Names}} {{.Image}}",
        ])
        .ok();
    assert_eq!(f.stdout.trim(), format!("done {img}"));
    let f = s
        .run_docker(&["ps", "-a", "--filter", "exited=0", "-q"])
        .ok();
    assert_eq!(f.stdout.lines().count(), 1);
    let f = s
        .run_docker(&["ps", "--format", "{{.Command}} {{.Label \"tier\"}}"])
        .ok();
    assert_eq!(f.stdout.trim(), "\"sleep 60\" web");
    s.run_docker(&["rm", "-f", "up", "done"]).ok();
    assert_eq!(s.run_docker(&["ps", "-aq"]).ok().stdout, "");
}

#[test]
fn logs_follow_tail_timestamps_and_since() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::busybox(&b);
    run_d(
        &s,
        &[
            "--name",
            "talk",
            &img,
            "sh",
            "-c",
            "for i in 1 2 3 4 5; do echo line$i; done; echo err >&2; sleep 60",
        ],
    );
    wait_until(10, "the log lines", || {
        s.run_docker(&["logs", "talk"]).stderr.contains("err")
    });
    let all = s.run_docker(&["logs", "talk"]).ok();
    assert_eq!(all.stdout, "line1\nline2\nline3\nline4\nline5\n");
    assert_eq!(all.stderr, "err\n");
    let tail = s.run_docker(&["logs", "--tail", "2", "talk"]).ok();
    assert_eq!(tail.stdout, "line5\n");
    assert_eq!(tail.stderr, "err\n");
    let ts = s.run_docker(&["logs", "-t", "--tail", "1", "talk"]).ok();
    // 2026-12-03T13:57:33.123456789Z err
    let (stamp, text) = ts.stderr.trim().split_once(' ').unwrap();
    assert_eq!(text, "err");
    assert!(
        stamp.len() > 20 && stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
        "{stamp}"
    );
    let future = s
        .run_docker(&["logs", "--since", "2099-01-01T00:00:00Z", "talk"])
        .ok();
    assert_eq!((future.stdout.as_str(), future.stderr.as_str()), ("", ""));
    let past = s.run_docker(&["logs", "--since", "10m", "talk"]).ok();
    assert_eq!(past.stdout.lines().count(), 5);

    // -f follows until the container stops, then ends by itself.
    let mut follow = s
        .docker()
        .args(["logs", "-f", "talk"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(follow.try_wait().unwrap().is_none());
    s.run_docker(&["stop", "-t", "1", "talk"]).ok();
    assert_eq!(wait_child(&mut follow, 15), 0);
    let mut out = String::new();
    use std::io::Read;
    follow
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(out.lines().count(), 5, "{out}");
    s.run_docker(&["rm", "talk"]).ok();
}

#[test]
fn inspect_formats_containers_images_networks_and_volumes() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::busybox(&b);
    s.run_docker(&["network", "create", "--label", "k=v", "inet"])
        .ok();
    s.run_docker(&["volume", "create", "data"]).ok();
    let id = run_d(
        &s,
        &[
            "--name",
            "c1",
            "--network",
            "inet",
            "-v",
            "data:/data",
            "-e",
            "A=1",
            &img,
            "sleep",
            "60",
        ],
    );
    let f = |args: &[&str]| s.run_docker(args).ok().stdout.trim().to_string();
    assert_eq!(
        f(&[
            "inspect",
            "-f",
            "{{.Id}} {{.Name}} {{.State.Status}} {{.State.Running}}",
            "c1"
        ]),
        format!("{id} /c1 running true")
    );
    assert_eq!(
        f(&[
            "container",
            "inspect",
            "-f",
            "{{.Config.Image}} {{index .Config.Cmd 0}}",
            "c1"
        ]),
        format!("{img} sleep")
    );
    assert_eq!(
        f(&[
            "inspect",
            "-f",
            "{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}",
            "c1"
        ]),
        "data:/data"
    );
    let ip = f(&[
        "inspect",
        "-f",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.IPAddress}}{{end}}",
        "c1",
    ]);
    assert!(ip.starts_with("inet "), "{ip}");
    assert_eq!(
        f(&["image", "inspect", "-f", "{{.Os}} {{.Architecture}}", &img]),
        "linux amd64"
    );
    let tags = f(&["image", "inspect", "-f", "{{json .RepoTags}}", &img]);
    assert_eq!(tags, format!("[\"{img}:latest\"]"));
    assert_eq!(
        f(&[
            "network",
            "inspect",
            "-f",
            "{{.Name}} {{.Driver}} {{.Labels.k}}",
            "inet"
        ]),
        "inet bridge v"
    );
    assert_eq!(
        f(&["volume", "inspect", "-f", "{{.Name}} {{.Driver}}", "data"]),
        "data local"
    );
    // `docker inspect` of a name that is not a container finds the other kinds too.
    assert_eq!(f(&["inspect", "-f", "{{.Name}}", "data"]), "data");
    let none = s.run_docker(&["inspect", "nothing"]);
    assert_eq!(none.code, 1);
    assert!(
        none.stderr.contains("No such object: nothing"),
        "{}",
        none.stderr
    );
    s.run_docker(&["rm", "-f", "c1"]).ok();
}

#[test]
fn lifecycle_commands_and_their_errors_as_docker_prints_them() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::busybox(&b);
    run_d(&s, &["--name", "life", &img, "sleep", "600"]);
    let top = s.run_docker(&["top", "life"]).ok();
    assert!(
        top.stdout.lines().next().unwrap().contains("PID"),
        "{}",
        top.stdout
    );
    assert!(top.stdout.contains("sleep 600"), "{}", top.stdout);

    s.run_docker(&["pause", "life"]).ok();
    let st = || {
        s.run_docker(&["inspect", "-f", "{{.State.Status}}", "life"])
            .ok()
            .stdout
            .trim()
            .to_string()
    };
    assert_eq!(st(), "paused");
    s.run_docker(&["unpause", "life"]).ok();
    assert_eq!(st(), "running");

    // A second start: 304, the CLI prints the name and exits 0.
    let again = s.run_docker(&["start", "life"]).ok();
    assert_eq!(again.stdout.trim(), "life");
    // rm of a running container: conflict.
    let rm = s.run_docker(&["rm", "life"]);
    assert_eq!(rm.code, 1);
    assert!(
        rm.stderr.starts_with("Error response from daemon: ")
            && rm
                .stderr
                .contains("stop the container before removing or force remove"),
        "{}",
        rm.stderr
    );

    s.run_docker(&["restart", "-t", "1", "life"]).ok();
    assert_eq!(st(), "running");
    let k = s.run_docker(&["kill", "life"]).ok();
    assert_eq!(k.stdout.trim(), "life");
    assert_eq!(st(), "exited");
    assert_eq!(
        s.run_docker(&["inspect", "-f", "{{.State.ExitCode}}", "life"])
            .ok()
            .stdout
            .trim(),
        "137"
    );
    // A second stop: 304, name printed, exit 0.
    let again = s.run_docker(&["stop", "life"]).ok();
    assert_eq!(again.stdout.trim(), "life");
    let k = s.run_docker(&["kill", "life"]);
    assert_eq!(k.code, 1);
    assert!(k.stderr.contains("is not running"), "{}", k.stderr);

    s.run_docker(&["rename", "life", "renamed"]).ok();
    assert_eq!(
        s.run_docker(&["ps", "-a", "--format", "{{.Names}}"])
            .ok()
            .stdout
            .trim(),
        "renamed"
    );
    s.run_docker(&["start", "renamed"]).ok();
    let rm = s.run_docker(&["rm", "-f", "renamed"]).ok();
    assert_eq!(rm.stdout.trim(), "renamed");

    for cmd in [
        vec!["stop", "nosuch"],
        vec!["start", "nosuch"],
        vec!["rm", "nosuch"],
        vec!["logs", "nosuch"],
        vec!["top", "nosuch"],
        vec!["kill", "nosuch"],
        vec!["container", "inspect", "nosuch"],
    ] {
        let r = s.run_docker(&cmd);
        assert_eq!(r.code, 1, "{cmd:?}: {r:?}");
        assert!(
            r.stderr
                .contains("Error response from daemon: No such container: nosuch"),
            "{cmd:?}: {}",
            r.stderr
        );
    }

    // prune removes the stopped ones only.
    run_d(&s, &["--name", "keep", &img, "sleep", "600"]);
    exited(&s, &["--name", "gone1", &img, "true"]);
    s.run_docker(&["create", "--name", "gone2", &img, "true"])
        .ok();
    let p = s.run_docker(&["container", "prune", "-f"]).ok();
    assert_eq!(
        p.stdout.lines().filter(|l| l.len() == 64).count(),
        2,
        "{}",
        p.stdout
    );
    assert!(p.stdout.contains("Total reclaimed space"), "{}", p.stdout);
    assert_eq!(
        s.run_docker(&["ps", "-a", "--format", "{{.Names}}"])
            .ok()
            .stdout
            .trim(),
        "keep"
    );
    s.run_docker(&["rm", "-f", "keep"]).ok();
}

#[test]
fn images_through_the_docker_cli() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::image("busybox");
    let pull = s.run_docker(&["pull", &img]).ok();
    assert!(
        pull.stdout.contains("Pull complete") || pull.stdout.contains("Download complete"),
        "{}",
        pull.stdout
    );
    assert!(pull.stdout.contains("Digest: sha256:"), "{}", pull.stdout);
    assert!(
        pull.stdout
            .contains(&format!("Status: Downloaded newer image for {img}:latest")),
        "{}",
        pull.stdout
    );
    let again = s.run_docker(&["pull", &img]).ok();
    assert!(
        again.stdout.contains("Status: Image is up to date"),
        "{}",
        again.stdout
    );

    let missing = format!("{}/no-such-image:1", common::tb("REGISTRY"));
    let r = s.run_docker(&["pull", &missing]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.starts_with("Error response from daemon: "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("not found") || r.stderr.contains("unknown"),
        "{}",
        r.stderr
    );

    let ls = s
        .run_docker(&["images", "--format", "{{.Repository}} {{.Tag}}"])
        .ok();
    assert_eq!(ls.stdout.trim(), format!("{img} latest"));
    let id = s
        .run_docker(&["images", "-q", "--no-trunc"])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert!(id.starts_with("sha256:"), "{id}");
    let h = s.run_docker(&["history", "-q", &img]).ok();
    assert!(h.stdout.lines().count() >= 1, "{}", h.stdout);
    let h = s
        .run_docker(&["image", "history", "--format", "{{.CreatedBy}}", &img])
        .ok();
    assert!(!h.stdout.trim().is_empty());

    s.run_docker(&["tag", &img, "mine:1"]).ok();
    assert_eq!(
        s.run_docker(&["image", "inspect", "-f", "{{.Id}}", "mine:1"])
            .ok()
            .stdout
            .trim(),
        id
    );
    let r = s.run_docker(&["tag", "nothere", "x:1"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("No such image: nothere"), "{}", r.stderr);
    let rmi = s.run_docker(&["rmi", "mine:1"]).ok();
    assert_eq!(rmi.stdout.trim(), "Untagged: mine:1");
    let r = s.run_docker(&["rmi", "mine:1"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("No such image: mine:1"), "{}", r.stderr);
    let r = s.run_docker(&["image", "inspect", "mine:1"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("No such image: mine:1"), "{}", r.stderr);

    // An image in use by a container: conflict; prune -a keeps it.
    s.run_docker(&["create", "--name", "user", &img, "true"])
        .ok();
    let r = s.run_docker(&["rmi", &img]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("conflict"), "{}", r.stderr);
    s.run_docker(&["image", "prune", "-a", "-f"]).ok();
    assert_eq!(
        s.run_docker(&["images", "-q"]).ok().stdout.lines().count(),
        1
    );
    s.run_docker(&["rm", "user"]).ok();
    let p = s.run_docker(&["image", "prune", "-a", "-f"]).ok();
    assert!(p.stdout.contains("Total reclaimed space"), "{}", p.stdout);
    assert_eq!(s.run_docker(&["images", "-q"]).ok().stdout, "");
}

#[test]
fn volumes_through_the_docker_cli() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::busybox(&b);
    let c = s
        .run_docker(&["volume", "create", "--label", "a=b", "v1"])
        .ok();
    assert_eq!(c.stdout.trim(), "v1");
    let anon = s
        .run_docker(&["volume", "create"])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(anon.len(), 64, "{anon}");
    let mut ls: Vec<String> = s
        .run_docker(&["volume", "ls", "-q"])
        .ok()
        .stdout
        .lines()
        .map(str::to_string)
        .collect();
    ls.sort();
    let mut want = vec![anon.clone(), "v1".to_string()];
    want.sort();
    assert_eq!(ls, want);
    let f = s
        .run_docker(&[
            "volume",
            "ls",
            "--filter",
            "label=a=b",
            "--format",
            "{{.Name}} {{.Driver}}",
        ])
        .ok();
    assert_eq!(f.stdout.trim(), "v1 local");
    let mp = s
        .run_docker(&["volume", "inspect", "-f", "{{.Mountpoint}}", "v1"])
        .ok();
    assert!(
        std::path::Path::new(mp.stdout.trim()).is_dir(),
        "{}",
        mp.stdout
    );
    let code = exited(
        &s,
        &[
            "--name",
            "writer",
            "-v",
            "v1:/d",
            &img,
            "sh",
            "-c",
            "echo kept > /d/f",
        ],
    );
    assert_eq!(code, "0");
    assert_eq!(
        exited(
            &s,
            &["--name", "reader", "-v", "v1:/d", &img, "cat", "/d/f"]
        ),
        "0"
    );
    assert_eq!(s.run_docker(&["logs", "reader"]).ok().stdout.trim(), "kept");
    s.run_docker(&["rm", "writer", "reader"]).ok();
    // In use: conflict. (Docker words a missing volume "get NAME: no such volume".)
    s.run_docker(&["create", "--name", "holder", "-v", "v1:/d", &img, "true"])
        .ok();
    let r = s.run_docker(&["volume", "rm", "v1"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("volume is in use"), "{}", r.stderr);
    s.run_docker(&["rm", "holder"]).ok();
    let r = s.run_docker(&["volume", "inspect", "nope"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("get nope: no such volume"),
        "{}",
        r.stderr
    );
    // prune removes anonymous volumes only (without -a).
    let p = s.run_docker(&["volume", "prune", "-f"]).ok();
    assert!(p.stdout.contains(&anon), "{}", p.stdout);
    assert_eq!(
        s.run_docker(&["volume", "ls", "-q"]).ok().stdout.trim(),
        "v1"
    );
    s.run_docker(&["volume", "rm", "v1"]).ok();
    assert_eq!(s.run_docker(&["volume", "ls", "-q"]).ok().stdout, "");
}

#[test]
fn networks_through_the_docker_cli() {
    let b = Berth::new();
    let s = Service::start(&b);
    let img = common::busybox(&b);
    let id = s
        .run_docker(&[
            "network",
            "create",
            "--subnet",
            "10.251.7.0/24",
            "--label",
            "team=a",
            "front",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(id.len(), 64, "{id}");
    s.run_docker(&["network", "create", "--internal", "back"])
        .ok();
    let ls = s
        .run_docker(&["network", "ls", "--format", "{{.Name}} {{.Driver}}"])
        .ok();
    for want in ["host host", "none null", "front bridge", "back bridge"] {
        assert!(
            ls.stdout.lines().any(|l| l == want),
            "{want}: {}",
            ls.stdout
        );
    }
    let f = s
        .run_docker(&[
            "network",
            "ls",
            "-q",
            "--no-trunc",
            "--filter",
            "label=team=a",
        ])
        .ok();
    assert_eq!(f.stdout.trim(), id);
    let i = s
        .run_docker(&[
            "network",
            "inspect",
            "-f",
            "{{(index .IPAM.Config 0).Subnet}} {{.Internal}}",
            "front",
        ])
        .ok();
    assert_eq!(i.stdout.trim(), "10.251.7.0/24 false");
    let i = s
        .run_docker(&["network", "inspect", "-f", "{{.Internal}}", "back"])
        .ok();
    assert_eq!(i.stdout.trim(), "true");

    run_d(
        &s,
        &["--name", "n1", "--network", "front", &img, "sleep", "600"],
    );
    let ip = s
        .run_docker(&[
            "inspect",
            "-f",
            "{{.NetworkSettings.Networks.front.IPAddress}}",
            "n1",
        ])
        .ok();
    assert!(ip.stdout.trim().starts_with("10.251.7."), "{}", ip.stdout);
    s.run_docker(&["network", "connect", "back", "n1"]).ok();
    let nets = || {
        s.run_docker(&[
            "inspect",
            "-f",
            "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
            "n1",
        ])
        .ok()
        .stdout
        .trim()
        .to_string()
    };
    assert_eq!(nets(), "back front");
    let ifs = s.run_docker(&["exec", "n1", "ls", "/sys/class/net"]);
    if ifs.code == 0 {
        assert_eq!(ifs.stdout.split_whitespace().count(), 3, "{}", ifs.stdout);
    }
    let r = s.run_docker(&["network", "rm", "back"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("has active endpoints"), "{}", r.stderr);
    s.run_docker(&["network", "disconnect", "back", "n1"]).ok();
    assert_eq!(nets(), "front");
    let r = s.run_docker(&["network", "inspect", "nonet"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("network nonet not found"), "{}", r.stderr);
    let r = s.run_docker(&["network", "connect", "nonet", "n1"]);
    assert_eq!(r.code, 1);
    s.run_docker(&["rm", "-f", "n1"]).ok();
    s.run_docker(&["network", "rm", "back"]).ok();
    let p = s.run_docker(&["network", "prune", "-f"]).ok();
    assert!(p.stdout.contains("front"), "{}", p.stdout);
    let ls = s
        .run_docker(&["network", "ls", "--format", "{{.Name}}"])
        .ok();
    // (Docker's pre-defined bridge is always listed.)
    let mut names: Vec<&str> = ls.stdout.lines().filter(|n| *n != "bridge").collect();
    names.sort();
    assert_eq!(names, ["host", "none"]);
}

#[test]
fn bad_requests_get_docker_errors_and_the_service_keeps_serving() {
    let b = Berth::new();
    let s = Service::start(&b);
    let json_message = |body: &str| -> String {
        let v: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
        v["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message: {body}"))
            .to_string()
    };
    // Malformed JSON and wrong types: 400 with a message.
    for (path, body) in [
        ("/containers/create", "{not json"),
        ("/containers/create", r#"{"Image": 5}"#),
        (
            "/containers/create",
            r#"{"Image":"x","HostConfig":{"Memory":"lots"}}"#,
        ),
        ("/networks/create", "{"),
        ("/networks/create", r#"{"Name": ["a"]}"#),
        ("/volumes/create", r#"{"Name": 1}"#),
        ("/networks/x/connect", "[]"),
    ] {
        let (code, text) = s.curl("POST", path, Some(body));
        assert_eq!(code, 400, "{path} {body}: {text}");
        assert!(!json_message(&text).is_empty());
    }
    // Bad query parameters: 400 with a JSON message too.
    for path in [
        "/containers/json?filters=notjson",
        "/containers/x/stop?t=soon",
    ] {
        let (code, text) = s.curl("GET", path, None);
        let (code, text) = if path.contains("/stop") {
            s.curl("POST", path, None)
        } else {
            (code, text)
        };
        assert_eq!(code, 400, "{path}: {text}");
        assert!(!json_message(&text).is_empty(), "{path}");
    }
    // Unknown paths: 404 with a message.
    let (code, text) = s.curl("GET", "/v1.50/no/such/thing", None);
    assert_eq!(code, 404, "{text}");
    assert!(json_message(&text).contains("page not found"), "{text}");
    // A build whose context is no tar: the error in the stream, as dockerd's builder sends it.
    let (code, text) = s.curl("POST", "/v1.50/build?t=x", Some("not a tar"));
    assert_eq!(code, 200, "{text}");
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap_or("")).unwrap();
    assert!(
        last["errorDetail"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("tar")),
        "{text}"
    );
    // Too old an API version.
    let (code, text) = s.curl("GET", "/v1.23/version", None);
    assert_eq!(code, 400, "{text}");
    assert!(json_message(&text).contains("is too old"), "{text}");
    // Swarm endpoints: what a dockerd outside a swarm answers.
    for path in [
        "/swarm",
        "/nodes",
        "/services",
        "/tasks",
        "/secrets",
        "/configs",
    ] {
        let (code, text) = s.curl("GET", &format!("/v1.50{path}"), None);
        assert_eq!(code, 503, "{path}: {text}");
        assert!(
            json_message(&text).starts_with("This node is not a swarm manager."),
            "{text}"
        );
    }
    let (code, text) = s.curl("GET", "/plugins", None);
    assert_eq!((code, text.trim()), (200, "[]"));
    // HEAD /_ping: the negotiation headers, no body.
    let (code, head) = s.curl_args(&["-I"], "/_ping");
    assert_eq!(code, 200, "{head}");
    let head = head.to_ascii_lowercase();
    assert!(head.contains("api-version: 1.51"), "{head}");
    assert!(!head.contains("\r\n\r\nok"), "{head}");
    // A body over the limit: refused, and the service goes on.
    let big = b.dir.path().join("big.json");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&big).unwrap();
        f.write_all(b"{\"Image\":\"").unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"}").unwrap();
    }
    let at = format!("@{}", big.display());
    let (code, text) = s.curl_args(
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            &at,
        ],
        "/containers/create",
    );
    assert!(code == 413 || code == 400, "{code}: {text}");
    assert!(!json_message(&text).is_empty());
    let (code, _) = s.curl("GET", "/_ping", None);
    assert_eq!(code, 200);
    let (code, text) = s.curl("GET", "/containers/json", None);
    assert_eq!((code, text.trim()), (200, "[]"));
}

#[test]
fn the_service_times_out_when_idle_but_not_while_a_logs_follow_is_open() {
    let b = Berth::new();
    let img = common::busybox(&b);
    // Without a connection for a second, it exits by itself (0) and removes its socket.
    let mut s = Service::start_with(&b, &["-t", "1"]);
    assert_eq!(wait_child(&mut s.child, 15), 0);
    assert!(!s.socket.exists());

    b.run(&["run", "-d", "--name", "quiet", &img, "sleep", "600"])
        .ok();
    let mut s = Service::start_with(&b, &["-t", "1"]);
    let mut follow = s
        .docker()
        .args(["logs", "-f", "quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // A negative check: the service must still be there well after its idle time.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(!s.exited(), "the service left while a logs -f was open");
    assert!(follow.try_wait().unwrap().is_none());
    // The container stops: logs -f ends, then the service times out.
    b.run(&["stop", "-t", "1", "quiet"]).ok();
    assert_eq!(wait_child(&mut follow, 15), 0);
    assert_eq!(wait_child(&mut s.child, 15), 0);
    b.run(&["rm", "quiet"]).ok();
}

#[test]
fn the_socket_its_mode_group_and_owner() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let b = Berth::new();
    let img = common::busybox(&b);
    let mut s = Service::start(&b);
    let m = std::fs::metadata(&s.socket).unwrap();
    assert_eq!(m.permissions().mode() & 0o777, 0o660);
    assert_eq!((m.uid(), m.gid()), (0, 0));
    // A second service on the same socket is refused while the first runs.
    let second = b
        .command()
        .args(["system", "service", "-t", "0"])
        .arg(s.host())
        .output()
        .unwrap();
    assert_ne!(second.status.code(), Some(0));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("in use"), "{err}");
    assert_eq!(s.curl("GET", "/_ping", None).0, 200);

    // The service's stop stops no container; SIGTERM removes the socket.
    s.run_docker(&["run", "-d", "--name", "stays", &img, "sleep", "600"])
        .ok();
    assert_eq!(s.stop(15), 0);
    assert!(!s.socket.exists());
    assert!(common::is_running(&b, "stays"));
    drop(s);

    // --group: the socket's group.
    let gid = nix::unistd::Group::from_name("daemon")
        .unwrap()
        .expect("a daemon group")
        .gid
        .as_raw();
    let s = Service::start_with(&b, &["-t", "0", "--group", "daemon"]);
    let m = std::fs::metadata(&s.socket).unwrap();
    assert_eq!((m.permissions().mode() & 0o777, m.gid()), (0o660, gid));
    // The container started before is there, through the new service.
    let st = s
        .run_docker(&["inspect", "-f", "{{.State.Running}}", "stays"])
        .ok();
    assert_eq!(st.stdout.trim(), "true");
    s.run_docker(&["rm", "-f", "stays"]).ok();
    let bad = b
        .command()
        .args(["system", "service", "-t", "0", "--group", "no-such-group-x"])
        .arg(format!(
            "unix://{}",
            b.dir.path().join("other.sock").display()
        ))
        .output()
        .unwrap();
    assert_ne!(bad.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no-such-group-x"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn docker_py_runs_logs_waits_and_removes() {
    // Debian's python3-docker (scripts/deps.sh installs it) first, else a `python3` on PATH
    // that has the `docker` package.
    let python = ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import docker"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    let Some(python) = python else {
        common::cannot_run_here(
            "docker_py_runs_logs_waits_and_removes",
            "no python3 can import docker (scripts/deps.sh installs python3-docker)",
        );
        return;
    };
    let b = Berth::new();
    let img = common::busybox(&b);
    let s = Service::start(&b);
    let script = r#"
import sys, docker
c = docker.DockerClient(base_url=sys.argv[1])
img = sys.argv[2]
assert c.ping()
ctr = c.containers.run(img, ["sh", "-c", "echo out; echo err >&2; exit 3"], detach=True, name="py")
res = ctr.wait(timeout=30)
print("exit", res["StatusCode"])
print("logs", ctr.logs(stdout=True, stderr=True).decode().split())
print("state", c.containers.get("py").status)
ctr.remove()
print("left", len(c.containers.list(all=True)))
print("images", [t for i in c.images.list() for t in i.tags])
try:
    c.containers.get("py")
except docker.errors.NotFound as e:
    print("notfound")
"#;
    let out = Command::new(python)
        .args(["-c", script, &s.host(), &img])
        .output()
        .unwrap();
    let r = common::Run::from(out).ok();
    assert_eq!(
        r.stdout,
        format!(
            "exit 3\nlogs ['out', 'err']\nstate exited\nleft 0\nimages ['{img}:latest']\nnotfound\n"
        )
    );
}

#[test]
fn twenty_parallel_runs_and_removes_through_one_service() {
    let b = Berth::new();
    let img = common::busybox(&b);
    let s = Service::start(&b);
    std::thread::scope(|sc| {
        let hs: Vec<_> = (0..20)
            .map(|i| {
                let (s, img) = (&s, &img);
                sc.spawn(move || {
                    let name = format!("par{i}");
                    let r = s.run_docker(&["run", "-d", "--name", &name, img, "sleep", "600"]);
                    assert_eq!(r.code, 0, "{name}: {}", r.stderr);
                    let r = s.run_docker(&["rm", "-f", &name]);
                    assert_eq!(r.code, 0, "{name}: {}", r.stderr);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    });
    assert_eq!(s.run_docker(&["ps", "-aq"]).ok().stdout, "");
    assert_eq!(s.curl("GET", "/_ping", None).0, 200);
}

/// Open file descriptors of process `pid`.
fn fds_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn a_client_that_goes_away_midway_leaves_nothing_in_the_service() {
    let b = Berth::new();
    let img = common::busybox(&b);
    b.run(&["run", "-d", "--name", "quiet", &img, "sleep", "600"])
        .ok();
    let s = Service::start(&b);
    let pid = s.child.id();
    // A request that opens the state database first: the service keeps one connection to it
    // open, and SQLite keeps the descriptors of the ones that closed meanwhile for reuse.
    assert_eq!(s.curl("GET", "/containers/json", None).0, 200);
    let mut idle = 0;
    wait_until(10, "the service's descriptors to settle", || {
        let n = fds_of(pid);
        let settled = n == idle;
        idle = n;
        std::thread::sleep(std::time::Duration::from_millis(200));
        settled && n == fds_of(pid)
    });
    // logs -f of a container that writes nothing, and wait: the client is killed midway.
    for args in [&["logs", "-f", "quiet"][..], &["wait", "quiet"][..]] {
        let mut client = s
            .docker()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_until(10, "the client's connection", || fds_of(pid) > idle);
        assert!(client.try_wait().unwrap().is_none(), "{args:?} ended");
        client.kill().unwrap();
        client.wait().unwrap();
        wait_until(10, &format!("the service to let go of {args:?}"), || {
            fds_of(pid) == idle
        });
    }
    // The service goes on, and the container was not touched.
    let st = s
        .run_docker(&["inspect", "-f", "{{.State.Running}}", "quiet"])
        .ok();
    assert_eq!(st.stdout.trim(), "true");
    s.run_docker(&["rm", "-f", "quiet"]).ok();
}
