//! `update`: new limits seen from inside a running container, limits kept for a created one,
//! Docker's refusals (which change nothing), the restart policy taken at the next exit, and the
//! same through the Engine API (the docker CLI and `POST /containers/{id}/update`).

mod common;

use common::{Berth, Service, busybox, inspect, wait_until};

/// A cgroup v1 file, or its v2 equivalent, read inside the container.
fn cgroup_cat(v1: &str, v2: &str) -> String {
    format!("cat /sys/fs/cgroup/{v1} 2>/dev/null || cat /sys/fs/cgroup/{v2}")
}

fn exec_out(b: &Berth, name: &str, script: &str) -> String {
    b.run(&["exec", name, "sh", "-c", script])
        .ok()
        .stdout
        .trim()
        .to_string()
}

const MIB: i64 = 1 << 20;

#[test]
fn running_container_gets_new_limits_at_once() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["run", "-d", "--name", "u1", &img, "sleep", "1000"])
        .ok();
    let r = b
        .run(&[
            "update",
            "--memory",
            "64m",
            "--memory-swap",
            "128m",
            "--cpus",
            "0.5",
            "--cpu-shares",
            "512",
            "--pids-limit",
            "30",
            "u1",
        ])
        .ok();
    assert_eq!(r.stdout, "u1\n");
    let mem = exec_out(
        &b,
        "u1",
        &cgroup_cat("memory/memory.limit_in_bytes", "memory.max"),
    );
    assert_eq!(mem, (64 * MIB).to_string());
    let pids = exec_out(&b, "u1", &cgroup_cat("pids/pids.max", "pids.max"));
    assert_eq!(pids, "30");
    let quota = exec_out(
        &b,
        "u1",
        "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/cpu.max",
    );
    assert_eq!(quota, "50000");
    let shares = exec_out(
        &b,
        "u1",
        "cat /sys/fs/cgroup/cpu/cpu.shares 2>/dev/null || cat /sys/fs/cgroup/cpu.weight",
    );
    // v1 shares as given; v2 weight converted (512 shares → weight 20).
    assert!(shares == "512" || shares == "20", "{shares}");
    let hc = &inspect(&b, "u1")["HostConfig"];
    assert_eq!(hc["Memory"], 64 * MIB);
    assert_eq!(hc["MemorySwap"], 128 * MIB);
    assert_eq!(hc["NanoCpus"], 500_000_000);
    assert_eq!(hc["CpuShares"], 512);
    assert_eq!(hc["PidsLimit"], 30);

    // Unlimited again: -1 reaches the cgroup as "max".
    b.run(&["update", "--pids-limit", "-1", "u1"]).ok();
    let pids = exec_out(&b, "u1", &cgroup_cat("pids/pids.max", "pids.max"));
    assert_eq!(pids, "max");

    // A stopped container keeps them for its next start.
    b.run(&["stop", "-t", "0", "u1"]).ok();
    b.run(&["update", "--memory", "32m", "u1"]).ok();
    b.run(&["start", "u1"]).ok();
    let mem = exec_out(
        &b,
        "u1",
        &cgroup_cat("memory/memory.limit_in_bytes", "memory.max"),
    );
    assert_eq!(mem, (32 * MIB).to_string());
    let events = b
        .run(&[
            "events",
            "--since",
            "0",
            "--until",
            "0s",
            "--filter",
            "event=update",
            "--format",
            "{{.Action}} {{.Actor.Attributes.name}}",
        ])
        .ok();
    assert_eq!(events.lines(), ["update u1"; 3], "{}", events.stdout);
    b.run(&["rm", "-f", "u1"]).ok();
}

#[test]
fn created_container_starts_with_updated_limits() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["create", "--name", "u2", &img, "sleep", "1000"])
        .ok();
    b.run(&[
        "container",
        "update",
        "-m",
        "48m",
        "--memory-swap",
        "-1",
        "--cpuset-cpus",
        "0",
        "u2",
    ])
    .ok();
    b.run(&["start", "u2"]).ok();
    let mem = exec_out(
        &b,
        "u2",
        &cgroup_cat("memory/memory.limit_in_bytes", "memory.max"),
    );
    assert_eq!(mem, (48 * MIB).to_string());
    let cpus = exec_out(&b, "u2", &cgroup_cat("cpuset/cpuset.cpus", "cpuset.cpus"));
    assert_eq!(cpus, "0");
    assert_eq!(inspect(&b, "u2")["HostConfig"]["MemorySwap"], -1);
    b.run(&["rm", "-f", "u2"]).ok();
}

#[test]
fn refusals_change_nothing() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "u3",
        "--cpu-quota",
        "50000",
        &img,
        "sleep",
        "1000",
    ])
    .ok();
    let before = inspect(&b, "u3")["HostConfig"].clone();
    // Docker: memory above the stored swap (none here) needs a new swap.
    b.run(&["update", "--memory", "64m", "u3"]).fails_with(
        "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time",
    );
    b.run(&["update", "--cpus", "1", "u3"])
        .fails_with("Nano CPUs cannot be updated as CPU Quota has already been set");
    b.run(&["update", "--memory", "1m", "--memory-swap", "2m", "u3"])
        .fails_with("Minimum memory limit allowed is 6MB");
    b.run(&["update", "--cpu-period", "100", "u3"])
        .fails_with("CPU cfs period can not be less than 1ms");
    b.run(&["update", "--restart", "sometimes", "u3"])
        .fails_with("invalid restart policy");
    b.run(&["update", "u3"])
        .fails_with("you must provide one or more flags when using this command");
    b.run(&["update", "--pids-limit", "5", "nosuch"])
        .fails_with("No such container: nosuch");
    assert_eq!(inspect(&b, "u3")["HostConfig"], before);
    let quota = exec_out(
        &b,
        "u3",
        "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/cpu.max",
    );
    assert_eq!(quota, "50000");

    // --rm and a restart policy exclude each other, as at create.
    b.run(&["run", "-d", "--rm", "--name", "u4", &img, "sleep", "1000"])
        .ok();
    b.run(&["update", "--restart", "always", "u4"]).fails_with(
        "Restart policy cannot be updated because AutoRemove is enabled for the container",
    );
    b.run(&["update", "--restart", "no", "u4"]).ok();
    b.run(&["rm", "-f", "u3", "u4"]).ok();
}

#[test]
fn restart_policy_applies_at_the_next_exit() {
    let b = Berth::new();
    let img = busybox(&b);
    // Exits 3 once /tmp/go exists; the file stays in its writable layer across restarts.
    b.run(&[
        "run",
        "-d",
        "--name",
        "u5",
        &img,
        "sh",
        "-c",
        "while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 3",
    ])
    .ok();
    b.run(&["update", "--restart", "on-failure:2", "u5"]).ok();
    assert_eq!(
        inspect(&b, "u5")["HostConfig"]["RestartPolicy"],
        serde_json::json!({"Name": "on-failure", "MaximumRetryCount": 2})
    );
    b.run(&["exec", "u5", "touch", "/tmp/go"]).ok();
    wait_until(30, "two restarts and the final exit", || {
        let s = &inspect(&b, "u5");
        s["RestartCount"] == 2 && s["State"]["Status"] == "exited"
    });
    assert_eq!(inspect(&b, "u5")["State"]["ExitCode"], 3);
    b.run(&["rm", "-f", "u5"]).ok();
}

#[test]
fn update_through_the_engine_api() {
    let b = Berth::new();
    let img = busybox(&b);
    let svc = Service::start(&b);
    b.run(&["run", "-d", "--name", "u6", &img, "sleep", "1000"])
        .ok();
    let r = svc.run_docker(&["update", "--cpus", "0.25", "--pids-limit", "40", "u6"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "u6\n");
    let quota = exec_out(
        &b,
        "u6",
        "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/cpu.max",
    );
    assert_eq!(quota, "25000");
    let (code, body) = svc.curl(
        "POST",
        "/v1.47/containers/u6/update",
        Some(r#"{"Memory": 67108864, "MemorySwap": -1, "RestartPolicy": {"Name": "unless-stopped"}}"#),
    );
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v, serde_json::json!({"Warnings": []}));
    let hc = &inspect(&b, "u6")["HostConfig"];
    assert_eq!(hc["Memory"], 64 * MIB);
    assert_eq!(hc["RestartPolicy"]["Name"], "unless-stopped");
    assert_eq!(hc["PidsLimit"], 40);
    // Docker's refusal: a 409 with its message; a missing container: 404.
    let (code, body) = svc.curl(
        "POST",
        "/containers/u6/update",
        Some(r#"{"CpuPeriod": 50000}"#),
    );
    assert_eq!(code, 409, "{body}");
    assert!(
        body.contains("CPU Period cannot be updated as NanoCPUs has already been set"),
        "{body}"
    );
    let (code, _) = svc.curl("POST", "/containers/nosuch/update", Some("{}"));
    assert_eq!(code, 404);
    let (code, body) = svc.curl("POST", "/containers/u6/update", Some("{\"Memory\": \"x\"}"));
    assert_eq!(code, 400, "{body}");
    b.run(&["rm", "-f", "u6"]).ok();
}
