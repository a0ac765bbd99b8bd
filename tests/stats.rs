//! `stats`: memory, pids, CPU and the output's shape, a stopped container's zeros, and
//! `docker stats --no-stream` through `berth system service`.

mod common;

use common::*;

/// `stats --no-stream --format json NAME`, parsed.
fn stats_json(b: &Berth, name: &str) -> serde_json::Value {
    let out = b
        .run(&["stats", "--no-stream", "--format", "json", name])
        .ok();
    serde_json::from_str(out.stdout.trim()).unwrap()
}

/// "20.5MiB / 64MiB" → bytes of the first figure.
fn mib(usage: &str) -> f64 {
    let first = usage.split(" / ").next().unwrap();
    let (num, unit) = first.split_at(first.find(|c: char| c.is_ascii_alphabetic()).unwrap());
    let n: f64 = num.parse().unwrap();
    n * match unit {
        "B" => 1.0 / 1048576.0,
        "KiB" => 1.0 / 1024.0,
        "MiB" => 1.0,
        "GiB" => 1024.0,
        u => panic!("unit {u}"),
    }
}

#[test]
fn memory_pids_and_cpu_of_running_containers() {
    let b = Berth::new();
    let img = busybox(&b);
    // 32 MiB in a tmpfs (shared memory counts as the container's memory, not as cache).
    b.run(&[
        "run", "-d", "--name", "mem", "-m", "256m", &img, "sh", "-c",
        "dd if=/dev/zero of=/dev/shm/x bs=1M count=32 && echo ready && sleep 300 & sleep 300 & wait",
    ])
    .ok();
    b.run(&[
        "run",
        "-d",
        "--name",
        "busy",
        &img,
        "sh",
        "-c",
        "while :; do :; done",
    ])
    .ok();
    wait_until(30, "mem wrote its file", || {
        b.run(&["logs", "mem"]).stdout.contains("ready")
    });
    let m = stats_json(&b, "mem");
    assert!(m["MemUsage"].as_str().unwrap().ends_with("/ 256MiB"), "{m}");
    assert!(mib(m["MemUsage"].as_str().unwrap()) >= 32.0, "{m}");
    let pids: u32 = m["PIDs"].as_str().unwrap().parse().unwrap();
    assert!(pids >= 3, "{m}");
    wait_until(30, "busy uses CPU", || {
        let c = stats_json(&b, "busy");
        c["CPUPerc"]
            .as_str()
            .unwrap()
            .trim_end_matches('%')
            .parse::<f64>()
            .unwrap()
            > 0.0
    });
    // The default table's shape.
    let t = b.run(&["stats", "--no-stream"]).ok();
    let lines: Vec<&str> = t.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", t.stdout);
    for h in [
        "CONTAINER ID",
        "NAME",
        "CPU %",
        "MEM USAGE / LIMIT",
        "MEM %",
        "NET I/O",
        "BLOCK I/O",
        "PIDS",
    ] {
        assert!(lines[0].contains(h), "{}", lines[0]);
    }
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains(" / ") && l.contains('%'))
    );
    let nt = b
        .run(&[
            "stats",
            "--no-stream",
            "--no-trunc",
            "--format",
            "{{.ID}}",
            "mem",
        ])
        .ok();
    assert_eq!(nt.stdout.trim().len(), 64);
    b.run(&["stats", "--no-stream", "nosuch"])
        .fails_with("nosuch");
    b.run(&["rm", "-f", "mem", "busy"]).ok();
}

#[test]
fn a_stopped_container_shows_zeros() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["create", "--name", "idle", &img, "true"]).ok();
    assert_eq!(
        b.run(&["stats", "--no-stream"]).ok().stdout.lines().count(),
        1
    );
    let out = b
        .run(&[
            "stats",
            "--no-stream",
            "-a",
            "--format",
            "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}",
        ])
        .ok();
    assert_eq!(out.stdout.trim(), "idle 0.00% 0B / 0B 0");
    b.run(&["rm", "idle"]).ok();
}

#[test]
fn docker_stats_through_the_service() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run", "-d", "--name", "svc", "-m", "128m", &img, "sleep", "300",
    ])
    .ok();
    let s = Service::start(&b);
    let out = s
        .run_docker(&[
            "stats",
            "--no-stream",
            "--format",
            "{{.Name}}|{{.MemUsage}}|{{.PIDs}}|{{.CPUPerc}}",
        ])
        .ok();
    let f: Vec<&str> = out.stdout.trim().split('|').collect();
    assert_eq!(f[0], "svc", "{}", out.stdout);
    assert!(f[1].ends_with("/ 128MiB"), "{}", out.stdout);
    assert_eq!(f[2], "1");
    assert!(f[3].ends_with('%'));
    // One-shot JSON as the API gives it.
    let (code, body) = s.curl(
        "GET",
        "/containers/svc/stats?stream=false&one-shot=true",
        None,
    );
    assert_eq!(code, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["name"], "/svc");
    assert!(v["memory_stats"]["usage"].as_u64().unwrap() > 0);
    assert!(v["cpu_stats"]["system_cpu_usage"].as_u64().unwrap() > 0);
    assert_eq!(v["pids_stats"]["current"], 1);
    let (code, _) = s.curl("GET", "/containers/nosuch/stats?stream=false", None);
    assert_eq!(code, 404);
    b.run(&["rm", "-f", "svc"]).ok();
}
