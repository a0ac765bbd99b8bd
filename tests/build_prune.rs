//! `builder prune` as Docker 28: without `-a` the dangling cache only, `-a` all of it,
//! `--filter until=`, `--keep-storage`/`--reserved-space`; `system prune`'s `until` (the
//! cache's times are seconds); `POST /build/prune` with the docker CLI; `system df` after.

mod common;

use std::path::Path;

use common::{Berth, Run, Service, busybox};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn build(b: &Berth, ctx: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--network", "none"];
    args.extend_from_slice(extra);
    let c = ctx.to_string_lossy().into_owned();
    args.push(&c);
    b.run(&args)
}

/// `system df`'s Build Cache row: (entries, size as shown).
fn cache_df(b: &Berth) -> (usize, String) {
    let out = b
        .run(&[
            "system",
            "df",
            "--format",
            "{{.Type}}|{{.TotalCount}}|{{.Size}}",
        ])
        .ok();
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("Build Cache|"))
        .unwrap()
        .to_string();
    let parts: Vec<&str> = line.split('|').collect();
    (parts[1].parse().unwrap(), parts[2].to_string())
}

/// Two builds tagged `p:1`, `p:2` sharing their first step, then `p:1`'s image removed: its
/// own steps are the dangling cache.
fn two_builds(b: &Berth, ctx: &Path, img: &str) {
    write(ctx, "f", "f\n");
    write(
        ctx,
        "Dockerfile",
        &format!("FROM {img}\nCOPY f /f\nRUN echo one > /x\n"),
    );
    build(b, ctx, &["-q", "-t", "p:1"]).ok();
    write(
        ctx,
        "Dockerfile",
        &format!("FROM {img}\nCOPY f /f\nRUN echo two > /x\n"),
    );
    build(b, ctx, &["-q", "-t", "p:2"]).ok();
    b.run(&["rmi", "p:1"]).ok();
}

#[test]
fn builder_prune_dangling_all_until_and_keep_storage() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = tempfile::Builder::new()
        .prefix("berth-build-prune-")
        .tempdir_in("/var/tmp")
        .unwrap();
    two_builds(&b, ctx.path(), &img);
    let (before, _) = cache_df(&b);
    assert!(before >= 3, "{before}");

    // Used just now: `until=1h` and a large --keep-storage keep everything; so does
    // `system prune --filter until=1h` (its `until` once reached the cache in nanoseconds).
    let r = b
        .run(&["builder", "prune", "-af", "--filter", "until=1h"])
        .ok();
    assert!(
        r.stdout.contains("Total reclaimed space: 0B"),
        "{}",
        r.stdout
    );
    let r = b
        .run(&["builder", "prune", "-af", "--keep-storage", "1GB"])
        .ok();
    assert!(
        r.stdout.contains("Total reclaimed space: 0B"),
        "{}",
        r.stdout
    );
    b.run(&["system", "prune", "-af", "--filter", "until=1h"])
        .ok();
    assert_eq!(cache_df(&b).0, before);
    b.run(&["builder", "prune", "-f", "--filter", "colour=red"])
        .fails_with("invalid filter 'colour'");

    // Without -a: the dangling entry (p:1's RUN) goes; p:2 still builds from the cache.
    let r = b.run(&["builder", "prune", "-f"]).ok();
    assert!(
        r.stdout.contains("Deleted build cache objects:"),
        "{}",
        r.stdout
    );
    assert_eq!(cache_df(&b).0, before - 1);
    let again = build(&b, ctx.path(), &["-t", "p:2"]).ok();
    assert_eq!(
        again.stdout.matches("Using cache").count(),
        2,
        "{}",
        again.stdout
    );
    let r = b.run(&["builder", "prune", "-f"]).ok();
    assert!(
        r.stdout.contains("Total reclaimed space: 0B"),
        "{}",
        r.stdout
    );

    // --reserved-space 1: the least recently used entries go until at most 1 byte is left.
    b.run(&["builder", "prune", "-af", "--reserved-space", "1"])
        .ok();
    let (left, size) = cache_df(&b);
    assert!(left < before - 1, "{left}");
    assert!(size == "0B" || size == "1B", "{size}");
    // -a: everything.
    b.run(&["builder", "prune", "-af"]).ok();
    assert_eq!(cache_df(&b), (0, "0B".to_string()));
    let rebuilt = build(&b, ctx.path(), &["-t", "p:2"]).ok();
    assert!(
        !rebuilt.stdout.contains("Using cache"),
        "{}",
        rebuilt.stdout
    );
}

#[test]
fn the_api_prunes_the_build_cache_for_the_docker_cli() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = tempfile::Builder::new()
        .prefix("berth-build-prune-")
        .tempdir_in("/var/tmp")
        .unwrap();
    two_builds(&b, ctx.path(), &img);
    let (before, _) = cache_df(&b);
    let svc = Service::start(&b);
    let (code, body) = svc.curl(
        "POST",
        "/v1.51/build/prune?filters=%7B%22colour%22%3A%7B%22red%22%3Atrue%7D%7D",
        None,
    );
    assert_eq!(code, 400, "{body}");
    let r = svc.run_docker(&["builder", "prune", "-f"]).ok();
    assert!(
        r.stdout.contains("Deleted build cache objects:"),
        "{}",
        r.stdout
    );
    assert_eq!(cache_df(&b).0, before - 1);
    let (code, body) = svc.curl("POST", "/v1.51/build/prune?all=1", None);
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["CachesDeleted"].as_array().unwrap().len(),
        before - 1,
        "{body}"
    );
    assert!(v["SpaceReclaimed"].as_i64().unwrap() > 0, "{body}");
    let r = svc.run_docker(&["builder", "prune", "-a", "-f"]).ok();
    assert!(
        r.stdout.contains("Total reclaimed space: 0B"),
        "{}",
        r.stdout
    );
    assert_eq!(cache_df(&b), (0, "0B".to_string()));
}

/// The build cache's entries in `GET /system/df` (`BuildCache`: type, description, parent,
/// usage count), in `docker system df [-v]` through the service, and in `system df -v`.
#[test]
fn system_df_lists_the_build_cache() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = tempfile::Builder::new()
        .prefix("berth-build-df-")
        .tempdir_in("/var/tmp")
        .unwrap();
    write(ctx.path(), "f", "f\n");
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nCOPY f /f\nRUN echo one > /x\n"),
    );
    build(&b, ctx.path(), &["-q", "-t", "df:1"]).ok();
    // The same build again: every step comes from the cache (a second use of each entry).
    build(&b, ctx.path(), &["-q", "-t", "df:1"]).ok();
    let (count, size) = cache_df(&b);
    assert!(count >= 2, "{count}");
    let svc = Service::start(&b);
    let (code, body) = svc.curl("GET", "/v1.51/system/df", None);
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let cache = v["BuildCache"].as_array().unwrap();
    assert_eq!(cache.len(), count, "{body}");
    let find = |what: &str| {
        cache
            .iter()
            .find(|c| c["Description"] == what)
            .unwrap_or_else(|| panic!("no {what} in {body}"))
    };
    let (copy, run) = (find("COPY"), find("RUN"));
    for c in [copy, run] {
        assert_eq!(c["Type"], "regular", "{c}");
        assert_eq!(c["InUse"], false, "{c}");
        assert_eq!(c["UsageCount"], 2, "{c}");
        assert!(c["CreatedAt"].as_str().unwrap().starts_with("20"), "{c}");
    }
    assert_eq!(run["Parent"], copy["ID"], "{body}");
    assert!(run["Size"].as_i64().unwrap() > 0, "{run}");
    let total: i64 = cache.iter().map(|c| c["Size"].as_i64().unwrap()).sum();
    assert_eq!(v["BuilderSize"].as_i64().unwrap(), total, "{body}");
    // The docker CLI's summary and verbose view of the same entries.
    let df = svc
        .run_docker(&[
            "system",
            "df",
            "--format",
            "{{.Type}}|{{.TotalCount}}|{{.Size}}",
        ])
        .ok();
    assert!(
        df.stdout.contains(&format!("Build Cache|{count}|{size}")),
        "{}",
        df.stdout
    );
    let verbose = svc.run_docker(&["system", "df", "-v"]).ok();
    let short = &run["ID"].as_str().unwrap()[..12];
    assert!(
        verbose.stdout.contains("CACHE ID") && verbose.stdout.contains(short),
        "{}",
        verbose.stdout
    );
    let ours = b.run(&["system", "df", "-v"]).ok();
    let line = ours
        .stdout
        .lines()
        .find(|l| l.starts_with(short))
        .unwrap_or_else(|| panic!("{short} not in {}", ours.stdout));
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cols[1], "regular", "{line}");
    assert_eq!(cols[cols.len() - 2..], ["2", "false"], "{line}");
    assert!(ours.stdout.contains("CACHE ID"), "{}", ours.stdout);
}

/// `--max-used-space` and `--min-free-space` (BuildKit's rule: keep at most the first, remove
/// until the disk has the second free, never below `--reserved-space`), from the CLI and the
/// API's `max-used-space`/`min-free-space`.
#[test]
fn builder_prune_max_used_and_min_free_space() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = tempfile::Builder::new()
        .prefix("berth-build-prune-")
        .tempdir_in("/var/tmp")
        .unwrap();
    two_builds(&b, ctx.path(), &img);
    let (before, size) = cache_df(&b);
    let nothing = |args: &[&str]| {
        let mut a = vec!["builder", "prune", "-af"];
        a.extend_from_slice(args);
        let r = b.run(&a).ok();
        assert!(
            r.stdout.contains("Total reclaimed space: 0B"),
            "{args:?}: {}",
            r.stdout
        );
        assert_eq!(cache_df(&b), (before, size.clone()), "{args:?}");
    };
    // The disk has a byte free; the cache is far below a terabyte.
    nothing(&["--min-free-space", "1"]);
    nothing(&["--max-used-space", "1TB"]);
    // Through the API too.
    let svc = Service::start(&b);
    let (code, body) = svc.curl("POST", "/v1.51/build/prune?all=1&min-free-space=1", None);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"SpaceReclaimed\":0"), "{body}");
    drop(svc);
    // A petabyte free is out of reach: every entry may go, but the reserved space stays.
    let r = b
        .run(&[
            "builder",
            "prune",
            "-af",
            "--min-free-space",
            "1PB",
            "--reserved-space",
            "1TB",
        ])
        .ok();
    assert!(
        r.stdout.contains("Total reclaimed space: 0B"),
        "{}",
        r.stdout
    );
    // At most one byte: the least recently used entries go until the rest fits.
    b.run(&["builder", "prune", "-af", "--max-used-space", "1"])
        .ok();
    let (left, size) = cache_df(&b);
    assert!(left < before, "{left}");
    assert!(size == "0B" || size == "1B", "{size}");
    b.run(&["builder", "prune", "-af", "--min-free-space", "1PB"])
        .ok();
    assert_eq!(cache_df(&b), (0, "0B".to_string()));
}
