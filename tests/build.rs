//! `berth build`: the classic builder's output, the image it makes, the cache, the context
//! rules, and what a failed build leaves (nothing).

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use common::{Berth, Run, busybox, inspect};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn context() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("berth-build-ctx-")
        .tempdir_in("/var/tmp")
        .unwrap()
}

fn build(b: &Berth, ctx: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--network", "none"];
    args.extend_from_slice(extra);
    let c = ctx.to_string_lossy().into_owned();
    args.push(&c);
    b.run(&args)
}

fn run_bytes(b: &Berth, args: &[&str], input: &[u8]) -> Run {
    let mut child = b
        .command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(input);
    Run::from(child.wait_with_output().unwrap())
}

fn containers(b: &Berth) -> Vec<String> {
    b.run(&["ps", "-aq"])
        .ok()
        .stdout
        .lines()
        .map(str::to_string)
        .collect()
}

fn mounts_under(b: &Berth) -> usize {
    let base = b.dir.path().to_string_lossy().into_owned();
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| l.contains(&base))
        .count()
}

#[test]
fn multi_stage_build_with_copy_from_runs_and_shows_in_images_and_history() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(ctx.path(), "hello.txt", "hello\n");
    write(ctx.path(), "dir/a", "a\n");
    write(ctx.path(), "dir/sub/b", "b\n");
    std::os::unix::fs::symlink("/etc/shadow", ctx.path().join("dir/out")).unwrap();
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "ARG BASE={img}\n\
             FROM $BASE AS base\n\
             ARG V=1\n\
             ENV GREETING=hi\n\
             RUN echo \"building $V $GREETING\" && mkdir -p /out && echo built > /out/file\n\
             COPY hello.txt /app/\n\
             COPY dir /app/dir\n\
             COPY --chmod=600 hello.txt /app/h2\n\
             WORKDIR /app\n\
             FROM scratch\n\
             COPY --from=base /out/file /file\n\
             COPY --from=base /bin/busybox /bin/busybox\n\
             LABEL a=b\n\
             EXPOSE 80\n\
             ENV X=1\n\
             CMD [\"/bin/busybox\", \"cat\", \"/file\"]\n"
        ),
    );
    let out = build(&b, ctx.path(), &["-t", "app:1", "-t", "app:2"]).ok();
    assert!(
        out.stdout
            .contains(&format!("Step 1/15 : FROM {img} AS base\n")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("building 1 hi"), "{}", out.stdout);
    assert!(out.stdout.contains("Successfully built "), "{}", out.stdout);
    assert!(
        out.stdout.contains("Successfully tagged app:1\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Successfully tagged app:2\n"),
        "{}",
        out.stdout
    );
    assert_eq!(b.run(&["run", "--rm", "app:1"]).ok().stdout, "built\n");
    let i = inspect(&b, "app:2");
    assert_eq!(i["Config"]["Labels"]["a"], "b");
    assert!(i["Config"]["ExposedPorts"]["80/tcp"].is_object());
    assert_eq!(i["Config"]["Cmd"][1], "cat");
    assert_eq!(i["RootFS"]["Layers"].as_array().unwrap().len(), 2);
    // The first stage's files, its rules and the symlink kept as a link.
    let base = build(&b, ctx.path(), &["-q", "--target", "base", "-t", "base"]).ok();
    assert!(base.stdout.starts_with("sha256:"));
    let ls = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "none",
            "base",
            "sh",
            "-c",
            "pwd; cat /app/hello.txt; stat -c '%n %a %F' /app/h2 /app/hello.txt /app/dir/a /app/dir/sub/b; readlink /app/dir/out; echo $GREETING",
        ])
        .ok();
    assert_eq!(
        ls.stdout,
        "/app\nhello\n/app/h2 600 regular file\n/app/hello.txt 644 regular file\n\
         /app/dir/a 644 regular file\n/app/dir/sub/b 644 regular file\n/etc/shadow\nhi\n"
    );
    let h = b.run(&["history", "app:1"]).ok();
    assert!(h.stdout.contains("#(nop)  CMD"), "{}", h.stdout);
    // No intermediate containers, no mounts; the step images stay out of `images`.
    assert!(containers(&b).is_empty());
    assert_eq!(mounts_under(&b), 0);
    let images = b
        .run(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .ok();
    let mut names: Vec<&str> = images.stdout.lines().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "127.0.0.1:5600/busybox:latest",
            "app:1",
            "app:2",
            "base:latest"
        ]
    );
}

#[test]
fn a_rebuild_hits_the_cache_unless_a_source_changes_content_or_mode() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(ctx.path(), "f", "one\n");
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nRUN echo ran-1\nCOPY f /f\nRUN echo ran-2\n"),
    );
    // A RUN's own output line (the step line also holds its text).
    let ran = |r: &Run, what: &str| r.stdout.lines().any(|l| l == what);
    let first = build(&b, ctx.path(), &[]).ok();
    assert!(ran(&first, "ran-1") && ran(&first, "ran-2"));
    let id = |r: &Run| r.stdout.lines().last().unwrap().to_string();
    // Nothing changed: every step from the cache, the same image.
    let again = build(&b, ctx.path(), &[]).ok();
    assert!(!ran(&again, "ran-1") && !ran(&again, "ran-2"));
    assert_eq!(again.stdout.matches("Using cache").count(), 3);
    assert_eq!(id(&again), id(&first));
    // Only the mtime changed: still cached.
    let f = ctx.path().join("f");
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(t)
        .unwrap();
    let touched = build(&b, ctx.path(), &[]).ok();
    assert_eq!(touched.stdout.matches("Using cache").count(), 3);
    // The mode changed: the COPY and what follows run again.
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
    let moded = build(&b, ctx.path(), &[]).ok();
    assert_eq!(
        moded.stdout.matches("Using cache").count(),
        1,
        "{}",
        moded.stdout
    );
    assert!(ran(&moded, "ran-2") && !ran(&moded, "ran-1"));
    // The content changed.
    write(ctx.path(), "f", "two\n");
    let changed = build(&b, ctx.path(), &[]).ok();
    assert_eq!(changed.stdout.matches("Using cache").count(), 1);
    // --no-cache runs everything.
    let nc = build(&b, ctx.path(), &["--no-cache"]).ok();
    assert!(ran(&nc, "ran-1") && !nc.stdout.contains("Using cache"));
    // The cache shows in system df and goes with builder prune.
    let df = b.run(&["system", "df"]).ok();
    assert!(df.stdout.contains("Build Cache"), "{}", df.stdout);
    b.run(&["builder", "prune", "-af"]).ok();
    let after = build(&b, ctx.path(), &[]).ok();
    assert!(!after.stdout.contains("Using cache"), "{}", after.stdout);
}

#[test]
fn a_failing_run_prints_its_output_and_leaves_nothing() {
    let b = Berth::new();
    let img = busybox(&b);
    let before = b.image_ids();
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nRUN echo to-out; echo to-err >&2; exit 3\n"),
    );
    let r = build(&b, ctx.path(), &["-t", "broken"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("to-out\n") && r.stdout.contains("to-err\n"));
    assert!(
        r.stderr
            .contains("The command '/bin/sh -c echo to-out; echo to-err >&2; exit 3' returned a non-zero code: 3"),
        "{}",
        r.stderr
    );
    assert!(containers(&b).is_empty());
    assert_eq!(mounts_under(&b), 0);
    assert_eq!(b.image_ids(), before);
    assert!(
        b.store_entries("tmp").is_empty(),
        "{:?}",
        b.store_entries("tmp")
    );
}

#[test]
fn a_syntax_error_exits_1_with_its_line_and_creates_nothing() {
    let b = Berth::new();
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        "FROM busybox\nRUN true\nFOO bar\n",
    );
    let r = build(&b, ctx.path(), &["-t", "x"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);
    assert!(
        r.stderr.contains("unknown instruction: FOO"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    assert!(b.image_ids().is_empty());
}

#[test]
fn dockerignore_and_copy_directory_and_slash_rules() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(ctx.path(), ".dockerignore", "secret*\n*.log\n!keep.log\n");
    write(ctx.path(), "secret.txt", "no\n");
    write(ctx.path(), "a.log", "no\n");
    write(ctx.path(), "keep.log", "yes\n");
    write(ctx.path(), "src/x.c", "x\n");
    write(ctx.path(), "src/y.c", "y\n");
    write(ctx.path(), "src/z.h", "z\n");
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img}\n\
             COPY . /ctx/\n\
             COPY src/*.c /c/\n\
             COPY keep.log /file-named-dest\n\
             COPY src /srcdir\n\
             WORKDIR /w\n\
             COPY keep.log rel/\n"
        ),
    );
    build(&b, ctx.path(), &["-t", "rules"]).ok();
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "none",
            "rules",
            "sh",
            "-c",
            "cd /ctx && ls -A | sort | tr '\\n' ' '; echo; ls /c | tr '\\n' ' '; echo; \
             stat -c %F /file-named-dest; ls /srcdir | tr '\\n' ' '; echo; cat /w/rel/keep.log",
        ])
        .ok();
    assert_eq!(
        out.stdout,
        ".dockerignore Dockerfile keep.log src \nx.c y.c \nregular file\nx.c y.c z.h \nyes\n"
    );
    // Several sources need a directory destination.
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nCOPY src/x.c src/y.c /dest\n"),
    );
    let r = build(&b, ctx.path(), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("must be a directory and end with a /"),
        "{}",
        r.stderr
    );
    // An excluded file is not there to copy.
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nCOPY secret.txt /\n"),
    );
    let r = build(&b, ctx.path(), &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("secret.txt"), "{}", r.stderr);
}

#[test]
fn arg_and_env_scoping_and_build_args() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "ARG G=global\n\
             FROM {img}\n\
             ARG G\n\
             ARG A=default\n\
             ENV E=$A-env\n\
             RUN echo \"G=$G A=$A E=$E\" > /vars\n\
             ENV A=from-env\n\
             RUN echo \"A=$A\" >> /vars\n"
        ),
    );
    build(&b, ctx.path(), &["-t", "vars", "--build-arg", "A=given"]).ok();
    let out = b
        .run(&["run", "--rm", "--network", "none", "vars", "cat", "/vars"])
        .ok();
    assert_eq!(out.stdout, "G=global A=given E=given-env\nA=from-env\n");
    let env = inspect(&b, "vars")["Config"]["Env"].clone();
    let env: Vec<&str> = env
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        env.contains(&"E=given-env") && env.contains(&"A=from-env"),
        "{env:?}"
    );
    assert!(!env.iter().any(|e| e.starts_with("G=")), "{env:?}");
}

#[test]
fn dockerfile_from_stdin_and_context_as_a_tar_on_stdin() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(ctx.path(), "data", "from-context\n");
    let df = format!("FROM {img}\nCOPY data /data\n");
    let c = ctx.path().to_string_lossy().into_owned();
    run_bytes(&b, &["build", "-t", "one", "-f", "-", &c], df.as_bytes()).ok();
    let out = b
        .run(&["run", "--rm", "--network", "none", "one", "cat", "/data"])
        .ok();
    assert_eq!(out.stdout, "from-context\n");
    // The context as a tar on stdin.
    write(ctx.path(), "Dockerfile", &df);
    let mut t = tar::Builder::new(Vec::new());
    t.append_dir_all(".", ctx.path()).unwrap();
    let tarball = t.into_inner().unwrap();
    run_bytes(&b, &["build", "-t", "two", "-"], &tarball).ok();
    let out = b
        .run(&["run", "--rm", "--network", "none", "two", "cat", "/data"])
        .ok();
    assert_eq!(out.stdout, "from-context\n");
    // A Dockerfile alone on stdin: no context.
    let alone = format!("FROM {img}\nRUN echo alone > /a\n");
    run_bytes(
        &b,
        &["build", "--network", "none", "-t", "three", "-"],
        alone.as_bytes(),
    )
    .ok();
    let out = b
        .run(&["run", "--rm", "--network", "none", "three", "cat", "/a"])
        .ok();
    assert_eq!(out.stdout, "alone\n");
}

#[test]
fn source_date_epoch_gives_the_same_image_id() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(ctx.path(), "f", "x\n");
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nCOPY f /f\nCMD [\"cat\", \"/f\"]\n"),
    );
    let one = build(
        &b,
        ctx.path(),
        &[
            "-q",
            "--no-cache",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
        ],
    )
    .ok();
    let two = build(
        &b,
        ctx.path(),
        &[
            "-q",
            "--no-cache",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
        ],
    )
    .ok();
    assert_eq!(one.stdout, two.stdout);
    let created = inspect(&b, one.stdout.trim())["Created"].clone();
    assert_eq!(created, "2023-11-14T22:13:20Z");
}

#[test]
fn source_date_epoch_clamps_the_mtimes_of_every_layer() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    let epoch = 1_700_000_000u64;
    write(ctx.path(), "new", "n\n");
    write(ctx.path(), "old", "o\n");
    let set = |rel: &str, secs: u64| {
        std::fs::File::options()
            .write(true)
            .open(ctx.path().join(rel))
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap()
    };
    set("old", 1_000_000_000);
    // The RUN writes a file with a time after the epoch that differs from build to build, and
    // one now; COPY takes a context file touched between the builds.
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img}\nCOPY new old /c/\n\
             RUN touch -d @$((1800000000 + RANDOM * 1000 + $(date +%s) % 1000)) /r && echo x > /now\n"
        ),
    );
    let args = [
        "-q",
        "--no-cache",
        "--build-arg",
        "SOURCE_DATE_EPOCH=1700000000",
    ];
    set("new", epoch + 100);
    let one = build(&b, ctx.path(), &args).ok();
    set("new", epoch + 200);
    let two = build(&b, ctx.path(), &args).ok();
    assert_eq!(one.stdout, two.stdout);
    let stat = b
        .run(&[
            "run",
            "--rm",
            one.stdout.trim(),
            "stat",
            "-c",
            "%n %Y",
            "/c",
            "/c/new",
            "/c/old",
            "/r",
            "/now",
        ])
        .ok();
    assert_eq!(
        stat.lines(),
        [
            "/c 1700000000",
            "/c/new 1700000000",
            "/c/old 1000000000",
            "/r 1700000000",
            "/now 1700000000",
        ]
    );
    // Without the epoch, the times are kept.
    let plain = build(&b, ctx.path(), &["-q", "--no-cache"]).ok();
    let r = b
        .run(&["run", "--rm", plain.stdout.trim(), "stat", "-c", "%Y", "/r"])
        .ok();
    assert!(
        r.stdout.trim().parse::<u64>().unwrap() >= 1_800_000_000,
        "{}",
        r.stdout
    );
}

#[test]
fn independent_stages_build_together_in_order_and_unneeded_stages_not_at_all() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img} AS a\n\
             RUN mkdir /out && echo a > /out/a && echo made-a\n\
             FROM {img} AS unused\n\
             RUN echo never-built; exit 9\n\
             FROM {img} AS b\n\
             RUN mkdir /out && echo b > /out/b && echo made-b\n\
             FROM {img}\n\
             COPY --from=a /out/a /a\n\
             COPY --from=b /out/b /b\n\
             CMD [\"cat\", \"/a\", \"/b\"]\n"
        ),
    );
    let out = build(&b, ctx.path(), &["-t", "both"]).ok();
    assert!(!out.stdout.contains("never-built"), "{}", out.stdout);
    assert!(!out.stdout.contains("AS unused"), "{}", out.stdout);
    // The two stages' output one after the other, numbered in that order.
    let at = |s: &str| {
        out.stdout
            .find(s)
            .unwrap_or_else(|| panic!("{s:?} not in {}", out.stdout))
    };
    let order = [
        at(&format!("Step 1/8 : FROM {img} AS a\n")),
        at("Step 2/8 : RUN mkdir /out && echo a"),
        at("made-a\n"),
        at(&format!("Step 3/8 : FROM {img} AS b\n")),
        at("Step 4/8 : RUN mkdir /out && echo b"),
        at("made-b\n"),
        at(&format!("Step 5/8 : FROM {img}\n")),
        at("Successfully tagged both:latest\n"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", out.stdout);
    assert_eq!(
        b.run(&["run", "--rm", "--network", "none", "both"])
            .ok()
            .stdout,
        "a\nb\n"
    );
    assert!(containers(&b).is_empty());
    assert_eq!(mounts_under(&b), 0);
}

#[test]
fn a_failing_stage_stops_the_stage_building_beside_it_and_leaves_nothing() {
    let b = Berth::new();
    let img = busybox(&b);
    let before = b.image_ids();
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM {img} AS slow\n\
             RUN echo slow-started; sleep 60; echo slow-finished\n\
             FROM {img} AS broken\n\
             RUN echo broken-ran; exit 4\n\
             FROM {img}\n\
             COPY --from=slow /etc/hostname /a\n\
             COPY --from=broken /etc/hostname /b\n"
        ),
    );
    let r = build(&b, ctx.path(), &["-t", "never"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "The command '/bin/sh -c echo broken-ran; exit 4' returned a non-zero code: 4"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("broken-ran\n"), "{}", r.stdout);
    assert!(
        !r.stdout.lines().any(|l| l == "slow-finished"),
        "{}",
        r.stdout
    );
    assert!(containers(&b).is_empty());
    assert_eq!(mounts_under(&b), 0);
    assert_eq!(b.image_ids(), before);
    assert!(
        b.store_entries("tmp").is_empty(),
        "{:?}",
        b.store_entries("tmp")
    );
}

#[test]
fn every_step_shows_its_image_and_a_rebuild_its_cache_as_the_classic_builder() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nENV A=1\nLABEL l=v\nRUN echo x > /x\nCMD [\"cat\", \"/x\"]\n"),
    );
    let first = build(&b, ctx.path(), &["-t", "classic:1"]).ok();
    // After each "Step N/5" line, the step's image before the next step begins.
    let is_id_line = |l: &str| {
        l.strip_prefix(" ---> ")
            .is_some_and(|id| id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit()))
    };
    let steps: Vec<&str> = first.stdout.split("Step ").skip(1).collect();
    assert_eq!(steps.len(), 5, "{}", first.stdout);
    for (i, s) in steps.iter().enumerate() {
        assert!(
            s.starts_with(&format!("{}/5 : ", i + 1)),
            "{}",
            first.stdout
        );
        assert!(
            s.lines().any(is_id_line),
            "step {}: {}",
            i + 1,
            first.stdout
        );
    }
    assert!(
        first.stdout.contains(" ---> Running in "),
        "{}",
        first.stdout
    );
    let again = build(&b, ctx.path(), &["-t", "classic:1"]).ok();
    assert_eq!(
        again.stdout.matches(" ---> Using cache\n").count(),
        4,
        "{}",
        again.stdout
    );
    let built = |r: &Run| {
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix("Successfully built ").map(str::to_string))
            .unwrap()
    };
    assert_eq!(built(&again), built(&first));
    assert!(again.stdout.ends_with("Successfully tagged classic:1\n"));
    // --progress quiet: nothing; plain: the same text.
    let quiet = build(&b, ctx.path(), &["--progress", "quiet"]).ok();
    assert_eq!(quiet.stdout, "");
    let plain = build(&b, ctx.path(), &["--progress", "plain", "-t", "classic:1"]).ok();
    assert_eq!(plain.stdout, again.stdout);
}

#[test]
fn on_a_terminal_the_progress_is_a_live_view_per_step() {
    let b = Berth::new();
    let img = busybox(&b);
    let ctx = context();
    write(
        ctx.path(),
        "Dockerfile",
        &format!("FROM {img}\nENV A=1\nRUN echo made-on-tty\n"),
    );
    // `script` gives the command a terminal.
    let cmd = format!(
        "{} --root {} --runroot {} build --network none {}",
        env!("CARGO_BIN_EXE_berth"),
        b.root().display(),
        b.runroot().display(),
        ctx.path().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env(
            "BERTH_REGISTRIES_CONF",
            b.dir.path().join("registries.json"),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("[1/3] FROM "), "{text}");
    assert!(text.contains("✔ [3/3] RUN echo made-on-tty"), "{text}");
    assert!(!text.contains("Step 1/3"), "{text}");
    assert!(text.contains("Successfully built "), "{text}");
}
