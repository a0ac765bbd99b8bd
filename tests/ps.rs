//! `ps`: filters and formats, and its speed with a thousand containers.

mod common;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Berth, busybox};
use serde_json::Value;

#[test]
fn ps_filters_and_formats() {
    let b = Berth::new();
    let img = busybox(&b);
    let r = b.run(&[
        "run", "--name", "alpha", "--label", "k=v", &img, "sh", "-c", "exit 3",
    ]);
    assert_eq!(r.code, 3);
    let beta = b
        .run(&[
            "create",
            "--name",
            "beta",
            &img,
            "echo",
            "a-rather-long-argument",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    b.run(&[
        "run", "-d", "--name", "gamma", "--label", "k=w", &img, "sleep", "100",
    ])
    .ok();
    let names = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["ps", "--format", "{{.Names}}"];
        a.extend_from_slice(args);
        b.run(&a).ok().stdout.lines().map(str::to_string).collect()
    };
    assert_eq!(names(&[]), ["gamma"], "running only by default");
    assert_eq!(names(&["-a"]), ["gamma", "beta", "alpha"], "newest first");
    assert_eq!(names(&["--filter", "status=exited"]), ["alpha"]);
    assert_eq!(names(&["--filter", "status=created"]), ["beta"]);
    assert_eq!(names(&["--filter", "status=running"]), ["gamma"]);
    assert_eq!(names(&["-a", "--filter", "exited=3"]), ["alpha"]);
    assert_eq!(names(&["-a", "--filter", "name=gam"]), ["gamma"]);
    assert_eq!(names(&["-a", "--filter", "label=k=v"]), ["alpha"]);
    assert_eq!(names(&["-a", "--filter", "label=k"]), ["gamma", "alpha"]);
    assert_eq!(
        names(&["-a", "--filter", &format!("ancestor={img}")]),
        ["gamma", "beta", "alpha"]
    );
    assert!(names(&["-a", "--filter", "ancestor=nosuch:image"]).is_empty());
    assert_eq!(
        names(&["-a", "--filter", &format!("id={}", &beta[..8])]),
        ["beta"]
    );
    assert_eq!(
        names(&["-a", "--filter", "label=k", "--filter", "status=exited"]),
        ["alpha"],
        "filters combine"
    );
    assert_eq!(names(&["-n", "1"]), ["gamma"]);
    assert_eq!(names(&["-n", "2"]), ["gamma", "beta"]);
    assert_eq!(names(&["-l"]), ["gamma"]);
    // IDs: 12 characters, 64 with --no-trunc.
    let q = b.run(&["ps", "-aq"]).ok();
    assert!(q.lines().iter().all(|l| l.len() == 12), "{}", q.stdout);
    let q = b.run(&["ps", "-aq", "--no-trunc"]).ok();
    assert!(q.lines().iter().all(|l| l.len() == 64), "{}", q.stdout);
    assert!(q.stdout.contains(&beta));
    // Commands are cut at 20 characters, kept whole with --no-trunc.
    let cmd = |extra: &[&str]| {
        let mut a = vec![
            "ps",
            "-a",
            "--filter",
            "name=beta",
            "--format",
            "{{.Command}}",
        ];
        a.extend_from_slice(extra);
        b.run(&a).ok().stdout.trim().to_string()
    };
    assert_eq!(cmd(&[]), "\"echo a-rather-long-…\"");
    assert_eq!(cmd(&["--no-trunc"]), "\"echo a-rather-long-argument\"");
    // JSON lines.
    let json = b.run(&["ps", "-a", "--format", "json"]).ok();
    let objs: Vec<Value> = json
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 3);
    assert_eq!(objs[0]["Names"], "gamma");
    assert_eq!(objs[0]["State"], "running");
    assert_eq!(
        objs[2]["Status"].as_str().unwrap().get(..10),
        Some("Exited (3)")
    );
    assert_eq!(objs[2]["Labels"], "k=v");
    // A table template: a header from the field names, tab-aligned columns.
    let t = b
        .run(&["ps", "-a", "--format", "table {{.Names}}\t{{.State}}"])
        .ok();
    let tl = t.lines();
    assert_eq!(tl.len(), 4, "{}", t.stdout);
    assert!(
        tl[0].starts_with("NAMES") && tl[0].contains("STATE"),
        "{}",
        t.stdout
    );
    assert!(
        tl[1].starts_with("gamma") && tl[1].ends_with("running"),
        "{}",
        t.stdout
    );
    assert!(
        tl[3].starts_with("alpha") && tl[3].ends_with("exited"),
        "{}",
        t.stdout
    );
    b.run(&["ps", "--filter", "colour=red"])
        .fails_with("colour");
    b.run(&["rm", "-f", "alpha", "beta", "gamma"]).ok();
}

#[test]
fn ps_with_a_thousand_containers_is_fast() {
    let b = Berth::new();
    let img = busybox(&b);
    // `create` in parallel batches (each is a process with its own write transaction).
    let total = 1000;
    let batch = 16;
    let mut made = 0;
    while made < total {
        let n = batch.min(total - made);
        let children: Vec<Child> = (0..n)
            .map(|_| {
                b.command()
                    .args(["create", &img, "true"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        made += n;
    }
    // One running container too, so a row needs reconciling.
    b.run(&["run", "-d", "--name", "live", &img, "sleep", "100"])
        .ok();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t0 = Instant::now();
        let out = b.run(&["ps", "-a"]).ok();
        best = best.min(t0.elapsed());
        assert_eq!(out.lines().len(), total + 2, "header + rows");
    }
    eprintln!("ps -a with {} containers: {best:?}", total + 1);
    assert!(best < Duration::from_millis(500), "ps -a took {best:?}");
    let t0 = Instant::now();
    let q = b.run(&["ps", "-aq", "--filter", "status=created"]).ok();
    assert_eq!(q.lines().len(), total);
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    b.run(&["rm", "-f", "live"]).ok();
}
