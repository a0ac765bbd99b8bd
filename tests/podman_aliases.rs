//! The lifecycle flags scripts use (Docker 28's and podman's): `stop`/`restart` `-s` and `-t`,
//! `--all` and `--ignore`, `rm -t`, `untag`, `… exists`, `run --replace`, `--cidfile`,
//! `--label-file`, `-a`, `--detach-keys`.

mod common;

use common::{Berth, PtyRun, busybox, inspect, is_running, wait_until};

/// Names of the containers `ps -a` lists, sorted.
fn all_names(b: &Berth) -> Vec<String> {
    let mut v: Vec<String> = b
        .run(&["ps", "-a", "--format", "{{.Names}}"])
        .ok()
        .stdout
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn stop_and_restart_take_a_signal_and_a_timeout() {
    let b = Berth::new();
    let img = busybox(&b);
    // The command ignores SIGTERM: -s KILL ends it at once, whatever -t says.
    let script = "trap '' TERM; echo ready; while :; do sleep 1; done";
    b.run(&["run", "-d", "--name", "st", &img, "sh", "-c", script])
        .ok();
    wait_until(10, "ready", || {
        b.run(&["logs", "st"]).stdout.contains("ready")
    });
    let t = std::time::Instant::now();
    b.run(&["stop", "-s", "KILL", "-t", "30", "st"]).ok();
    assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
    assert_eq!(inspect(&b, "st")["State"]["ExitCode"], 137);
    // -t/--timeout (and --time): SIGTERM is ignored, SIGKILL after 1 s.
    for flag in ["-t", "--timeout", "--time"] {
        b.run(&["start", "st"]).ok();
        wait_until(10, "running", || is_running(&b, "st"));
        let t = std::time::Instant::now();
        b.run(&["stop", flag, "1", "st"]).ok();
        assert!(t.elapsed().as_secs() < 8, "{flag}: {:?}", t.elapsed());
        assert_eq!(inspect(&b, "st")["State"]["ExitCode"], 137, "{flag}");
    }
    // restart -s: the container is stopped with that signal and started again.
    b.run(&["start", "st"]).ok();
    b.run(&["restart", "-s", "SIGKILL", "st"]).ok();
    assert!(is_running(&b, "st"));
    let r = b.run(&["stop", "-s", "NOPE", "st"]);
    assert_eq!(r.code, 125);
    assert!(r.stderr.contains("invalid signal"), "{}", r.stderr);
    assert!(is_running(&b, "st"));
    b.run(&["rm", "-f", "st"]).ok();
}

#[test]
fn all_and_ignore_act_on_every_container_or_skip_missing_ones() {
    let b = Berth::new();
    let img = busybox(&b);
    for n in ["ca", "cb"] {
        b.run(&["run", "-d", "--name", n, &img, "sleep", "60"]).ok();
    }
    b.run(&["create", "--name", "cc", &img, "true"]).ok();
    b.run(&["pause", "--all"]).ok();
    assert_eq!(inspect(&b, "ca")["State"]["Status"], "paused");
    assert_eq!(inspect(&b, "cb")["State"]["Status"], "paused");
    b.run(&["unpause", "-a"]).ok();
    assert_eq!(inspect(&b, "ca")["State"]["Status"], "running");
    b.run(&["stop", "-a", "-t", "0"]).ok();
    assert_eq!(inspect(&b, "ca")["State"]["Status"], "exited");
    assert_eq!(inspect(&b, "cc")["State"]["Status"], "created");
    // --ignore: a missing container is no error.
    let r = b.run(&["stop", "nope"]);
    assert_eq!(r.code, 125);
    assert!(r.stderr.contains("nope"), "{}", r.stderr);
    b.run(&["stop", "--ignore", "nope", "ca"]).ok();
    b.run(&["kill", "-i", "nope"]).ok();
    b.run(&["pause", "-i", "nope"]).ok();
    b.run(&["rm", "--ignore", "nope"]).ok();
    // start, then kill --all.
    b.run(&["start", "ca", "cb"]).ok();
    b.run(&["kill", "--all"]).ok();
    wait_until(10, "all stopped", || {
        b.run(&["ps", "-q"]).ok().stdout.trim().is_empty()
    });
    // A name and --all together: refused.
    assert_eq!(b.run(&["rm", "--all", "ca"]).code, 125);
    b.run(&["rm", "-a"]).ok();
    assert!(all_names(&b).is_empty());
}

#[test]
fn rm_t_stops_a_running_container_before_removing_it() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["run", "-d", "--name", "rr", &img, "sleep", "60"])
        .ok();
    let r = b.run(&["rm", "rr"]);
    assert_eq!(r.code, 125, "{r:?}");
    let t = std::time::Instant::now();
    b.run(&["rm", "-t", "0", "rr"]).ok();
    assert!(t.elapsed().as_secs() < 8);
    assert!(all_names(&b).is_empty());
}

#[test]
fn exists_answers_with_its_exit_code() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["create", "--name", "here", &img]).ok();
    b.run(&["volume", "create", "vol"]).ok();
    for (args, code) in [
        (vec!["container", "exists", "here"], 0),
        (vec!["container", "exists", "nothere"], 1),
        (vec!["image", "exists", &img], 0),
        (vec!["image", "exists", "nosuchimage:latest"], 1),
        (vec!["volume", "exists", "vol"], 0),
        (vec!["volume", "exists", "novol"], 1),
        (vec!["network", "exists", "bridge"], 0),
        (vec!["network", "exists", "nonet"], 1),
    ] {
        let r = b.run(&args);
        assert_eq!(r.code, code, "{args:?}: {r:?}");
        assert!(
            r.stdout.is_empty() && r.stderr.is_empty(),
            "{args:?}: {r:?}"
        );
    }
    b.run(&["rm", "here"]).ok();
    b.run(&["volume", "rm", "vol"]).ok();
}

#[test]
fn untag_removes_names_but_keeps_the_image() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["tag", &img, "one:1"]).ok();
    b.run(&["tag", &img, "two:2"]).ok();
    b.run(&["untag", &img, "one:1"]).ok();
    assert_eq!(b.run(&["image", "exists", "one:1"]).code, 1);
    assert_eq!(b.run(&["image", "exists", "two:2"]).code, 0);
    let r = b.run(&["untag", &img, "never:1"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.stderr.contains("never:1"), "{}", r.stderr);
    // Without names, every name goes; the image stays, by ID.
    let id = b.image_ids()[0].clone();
    b.run(&["image", "untag", &id]).ok();
    assert_eq!(b.run(&["image", "exists", "two:2"]).code, 1);
    assert_eq!(b.run(&["image", "exists", &id]).code, 0);
    let names = b
        .run(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .ok();
    // (The repository stays: the image keeps its repo digest, as Docker shows it.)
    assert!(names.stdout.trim().ends_with(":<none>"), "{}", names.stdout);
    assert_eq!(names.stdout.lines().count(), 1, "{}", names.stdout);
}

#[test]
fn replace_cidfile_and_label_file() {
    let b = Berth::new();
    let img = busybox(&b);
    let cid = b.dir.path().join("cid");
    let first = b
        .run(&[
            "run",
            "-d",
            "--name",
            "web",
            "--cidfile",
            cid.to_str().unwrap(),
            &img,
            "sleep",
            "60",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(std::fs::read_to_string(&cid).unwrap(), first);
    // An existing file is refused before anything is made.
    let r = b.run(&["create", "--cidfile", cid.to_str().unwrap(), &img]);
    assert_eq!(r.code, 125);
    assert!(r.stderr.contains("Container ID file found"), "{}", r.stderr);
    assert_eq!(all_names(&b), ["web"]);
    // The name is taken: refused, unless --replace.
    let r = b.run(&["run", "-d", "--name", "web", &img, "sleep", "60"]);
    assert_eq!(r.code, 125);
    let labels = b.dir.path().join("labels");
    std::fs::write(&labels, "# comment\n\nteam=a\ntier=web\n").unwrap();
    let second = b
        .run(&[
            "run",
            "-d",
            "--replace",
            "--name",
            "web",
            "--label-file",
            labels.to_str().unwrap(),
            "-l",
            "tier=db",
            &img,
            "sleep",
            "60",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_ne!(first, second);
    assert_eq!(all_names(&b), ["web"]);
    let i = inspect(&b, "web");
    assert_eq!(i["Id"], second.as_str());
    assert_eq!(i["Config"]["Labels"]["team"], "a");
    assert_eq!(i["Config"]["Labels"]["tier"], "db");
    // --replace of a name nobody has just creates.
    b.run(&["create", "--replace", "--name", "other", &img])
        .ok();
    b.run(&["rm", "-f", "web", "other"]).ok();
}

#[test]
fn attach_picks_the_streams() {
    let b = Berth::new();
    let img = busybox(&b);
    let r = b
        .run(&[
            "run",
            "--rm",
            "-a",
            "stderr",
            &img,
            "sh",
            "-c",
            "echo out; echo err >&2",
        ])
        .ok();
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", "err\n"));
    let r = b
        .run(&[
            "run",
            "--rm",
            "-a",
            "stdout",
            &img,
            "sh",
            "-c",
            "echo out; echo err >&2",
        ])
        .ok();
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("out\n", ""));
    // -a stdin attaches (and opens) the container's stdin.
    let r = b
        .run_stdin(
            &["run", "--rm", "-a", "stdin", "-a", "stdout", &img, "cat"],
            "piped\n",
        )
        .ok();
    assert_eq!(r.stdout, "piped\n");
    let r = b.run(&["run", "-d", "-a", "stdout", &img, "true"]);
    assert_eq!(r.code, 125);
    assert!(
        r.stderr.contains("Conflicting options: -a and -d"),
        "{}",
        r.stderr
    );
    let r = b.run(&["run", "--rm", "-a", "stdnope", &img, "true"]);
    assert_eq!(r.code, 125, "{r:?}");
}

/// ctrl-p ctrl-q (or `--detach-keys`) typed while attached to a container with a terminal
/// ends the attachment: the CLI exits 0 and the container runs on.
#[test]
fn detach_keys_leave_the_container_running() {
    let b = Berth::new();
    let img = busybox(&b);
    let args = ["run", "-it", "--name", "d1", &img, "sh"];
    let mut p = PtyRun::spawn(b.command(), &args, 24, 80);
    let at = p.expect(0, "#");
    p.type_text("echo hel''lo\r");
    let at = p.expect(at, "hello");
    p.type_text("\x10\x11");
    assert_eq!(common::wait_child(&mut p.child, 15), 0, "{}", p.output());
    let _ = at;
    assert!(is_running(&b, "d1"));
    // Custom keys; a key that only starts the sequence is input.
    let args = [
        "run",
        "-it",
        "--detach-keys",
        "q,q",
        "--name",
        "d2",
        &img,
        "sh",
    ];
    let mut p = PtyRun::spawn(b.command(), &args, 24, 80);
    let at = p.expect(0, "#");
    p.type_text("echo aqzb\r");
    let _ = p.expect(at, "aqzb\r\n");
    p.type_text("qq");
    assert_eq!(common::wait_child(&mut p.child, 15), 0, "{}", p.output());
    assert!(is_running(&b, "d2"));
    let r = b.run(&["run", "--rm", "--detach-keys", "ctrl-", &img, "true"]);
    assert_eq!(r.code, 125);
    assert!(
        r.stderr.contains("Invalid detach keys (ctrl-) provided"),
        "{}",
        r.stderr
    );
    b.run(&["rm", "-f", "d1", "d2"]).ok();
}
