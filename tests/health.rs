//! Health checks: the probe's schedule, results, timeout and start period, `--no-healthcheck`
//! over an image's HEALTHCHECK, ps status and filter, events, inspect, and the Engine API's
//! create with a Healthcheck (the docker CLI through `berth system service`).

mod common;

use common::*;

fn health(b: &Berth, name: &str) -> serde_json::Value {
    inspect(b, name)["State"]["Health"].clone()
}

fn status(b: &Berth, name: &str) -> String {
    health(b, name)["Status"].as_str().unwrap_or("").to_string()
}

#[test]
fn healthy_and_unhealthy_probes_show_in_ps_inspect_and_events() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "good",
        "--health-cmd",
        "echo fine",
        "--health-interval",
        "200ms",
        &img,
        "sleep",
        "300",
    ])
    .ok();
    b.run(&[
        "run",
        "-d",
        "--name",
        "bad",
        "--health-cmd",
        "echo broken; exit 3",
        "--health-interval",
        "200ms",
        "--health-retries",
        "2",
        &img,
        "sleep",
        "300",
    ])
    .ok();
    // Starting until the first probe (one interval after the start).
    wait_until(30, "good is healthy", || status(&b, "good") == "healthy");
    wait_until(30, "bad is unhealthy", || status(&b, "bad") == "unhealthy");
    let h = health(&b, "good");
    assert_eq!(h["FailingStreak"], 0);
    let log = h["Log"].as_array().unwrap();
    assert_eq!(log[0]["ExitCode"], 0);
    assert_eq!(log[0]["Output"], "fine\n");
    let h = health(&b, "bad");
    assert!(h["FailingStreak"].as_i64().unwrap() >= 2, "{h}");
    assert_eq!(h["Log"][0]["ExitCode"], 3);
    assert_eq!(h["Log"][0]["Output"], "broken\n");
    // The log keeps the last five.
    wait_until(30, "five results", || {
        health(&b, "bad")["Log"]
            .as_array()
            .is_some_and(|l| l.len() == 5)
    });
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert_eq!(health(&b, "bad")["Log"].as_array().unwrap().len(), 5);
    let cfg = &inspect(&b, "good")["Config"]["Healthcheck"];
    assert_eq!(cfg["Test"], serde_json::json!(["CMD-SHELL", "echo fine"]));
    assert_eq!(cfg["Interval"], 200_000_000);

    let ps = b.run(&["ps", "--format", "{{.Names}} {{.Status}}"]).ok();
    assert!(
        ps.stdout
            .lines()
            .any(|l| l.starts_with("good Up") && l.ends_with("(healthy)")),
        "{}",
        ps.stdout
    );
    assert!(
        ps.stdout
            .lines()
            .any(|l| l.starts_with("bad Up") && l.ends_with("(unhealthy)")),
        "{}",
        ps.stdout
    );
    let f = |v: &str| {
        b.run(&[
            "ps",
            "-a",
            "--filter",
            &format!("health={v}"),
            "--format",
            "{{.Names}}",
        ])
        .ok()
        .stdout
    };
    assert_eq!(f("healthy").trim(), "good");
    assert_eq!(f("unhealthy").trim(), "bad");
    assert_eq!(f("none").trim(), "");
    b.run(&["ps", "--filter", "health=sick"])
        .fails_with("Unrecognised filter value for health: sick");

    let ev = b
        .run(&[
            "events",
            "--since",
            "5m",
            "--until",
            "0s",
            "--filter",
            "event=health_status",
        ])
        .ok();
    assert!(
        ev.stdout.contains("container health_status: healthy"),
        "{}",
        ev.stdout
    );
    assert!(
        ev.stdout.contains("container health_status: unhealthy"),
        "{}",
        ev.stdout
    );

    // A stop leaves it unhealthy (Docker's); a start begins again at starting.
    b.run(&["stop", "-t", "0", "good"]).ok();
    assert_eq!(status(&b, "good"), "unhealthy");
    b.run(&["rm", "-f", "good", "bad"]).ok();
}

#[test]
fn a_hanging_probe_is_killed_at_its_timeout() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "hang",
        "--health-cmd",
        "echo waiting; sleep 600",
        "--health-interval",
        "200ms",
        "--health-timeout",
        "500ms",
        "--health-retries",
        "1",
        &img,
        "sleep",
        "300",
    ])
    .ok();
    wait_until(30, "unhealthy", || status(&b, "hang") == "unhealthy");
    let h = health(&b, "hang");
    assert_eq!(h["Log"][0]["ExitCode"], -1);
    assert_eq!(
        h["Log"][0]["Output"],
        "Health check exceeded timeout (500ms): waiting\n"
    );
    // The probe's processes are gone: at most the one running now is left.
    let top = b.run(&["top", "hang"]).ok();
    let probes = top
        .stdout
        .lines()
        .filter(|l| l.contains("sleep 600"))
        .count();
    assert!(probes <= 1, "{}", top.stdout);
    b.run(&["rm", "-f", "hang"]).ok();
}

#[test]
fn failures_in_the_start_period_do_not_count() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "slow",
        "--health-cmd",
        "test -e /tmp/ready",
        "--health-interval",
        "200ms",
        "--health-start-period",
        "60s",
        "--health-start-interval",
        "100ms",
        "--health-retries",
        "1",
        &img,
        "sleep",
        "300",
    ])
    .ok();
    wait_until(30, "failed probes", || {
        health(&b, "slow")["Log"]
            .as_array()
            .is_some_and(|l| l.len() >= 3)
    });
    let h = health(&b, "slow");
    assert_eq!(h["Status"], "starting", "{h}");
    assert_eq!(h["FailingStreak"], 0);
    b.run(&["exec", "slow", "touch", "/tmp/ready"]).ok();
    wait_until(30, "healthy", || status(&b, "slow") == "healthy");
    b.run(&["rm", "-f", "slow"]).ok();
}

#[test]
fn flags_are_checked_and_no_healthcheck_disables_the_images() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["create", "--no-healthcheck", "--health-cmd", "true", &img])
        .fails_with("--no-healthcheck conflicts with --health-* options");
    b.run(&[
        "create",
        "--health-cmd",
        "true",
        "--health-interval",
        "-1s",
        &img,
    ])
    .fails_with("--health-interval cannot be negative");
    b.run(&[
        "create",
        "--health-cmd",
        "true",
        "--health-interval",
        "10us",
        &img,
    ])
    .fails_with("Interval in Healthcheck cannot be less than 1ms");
    assert_eq!(b.run(&["ps", "-aq"]).ok().stdout, "");
    // An image with a HEALTHCHECK (made by commit --change), overridden by --no-healthcheck.
    b.run(&["create", "--name", "base", &img, "true"]).ok();
    b.run(&[
        "commit",
        "--change",
        "HEALTHCHECK --interval=200ms CMD true",
        "base",
        "withcheck",
    ])
    .ok();
    b.run(&["run", "-d", "--name", "img", "withcheck", "sleep", "300"])
        .ok();
    wait_until(30, "the image's check runs", || {
        status(&b, "img") == "healthy"
    });
    b.run(&[
        "run",
        "-d",
        "--name",
        "off",
        "--no-healthcheck",
        "withcheck",
        "sleep",
        "300",
    ])
    .ok();
    let i = inspect(&b, "off");
    assert_eq!(
        i["Config"]["Healthcheck"]["Test"],
        serde_json::json!(["NONE"])
    );
    assert!(i["State"]["Health"].is_null(), "{}", i["State"]);
    let ps = b
        .run(&["ps", "--filter", "name=off", "--format", "{{.Status}}"])
        .ok();
    assert!(!ps.stdout.contains('('), "{}", ps.stdout);
    b.run(&["rm", "-f", "img", "off", "base"]).ok();
}

#[test]
fn the_docker_cli_runs_a_health_check_through_the_service() {
    let b = Berth::new();
    let img = busybox(&b);
    let s = Service::start(&b);
    s.run_docker(&[
        "run",
        "-d",
        "--name",
        "api",
        "--health-cmd",
        "echo via-api",
        "--health-interval",
        "200ms",
        &img,
        "sleep",
        "300",
    ])
    .ok();
    wait_until(30, "healthy", || {
        s.run_docker(&["inspect", "-f", "{{.State.Health.Status}}", "api"])
            .stdout
            .trim()
            == "healthy"
    });
    let out = s
        .run_docker(&["inspect", "-f", "{{json .Config.Healthcheck.Test}}", "api"])
        .ok();
    assert_eq!(out.stdout.trim(), r#"["CMD-SHELL","echo via-api"]"#);
    let ps = s.run_docker(&["ps", "--format", "{{.Status}}"]).ok();
    assert!(ps.stdout.contains("(healthy)"), "{}", ps.stdout);
    s.run_docker(&["rm", "-f", "api"]).ok();
}
