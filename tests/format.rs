//! `--format`: Go templates as Docker's CLI runs them (functions, `table`, missing fields fail
//! with Docker's message and exit 1), on inspect and the list commands.

mod common;

use common::{Berth, busybox};

fn fails_with_template_error(r: common::Run, needle: &str) {
    assert_eq!(
        r.code, 1,
        "Docker's CLI exits 1 on a template error\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
    assert!(r.stdout.is_empty(), "nothing printed: {}", r.stdout);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].starts_with("berth: error: template parsing error: template: :1"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(needle), "want {needle:?}: {}", r.stderr);
}

#[test]
fn inspect_templates() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run", "-d", "--name", "web", "--label", "b=2", "--label", "a=1", &img, "sleep", "100",
    ])
    .ok();
    let f = |t: &str| b.run(&["inspect", "-f", t, "web"]).ok().stdout;
    // The README's classic: the address on each network.
    let ip = f("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
    let ip = ip.trim();
    assert!(
        ip.parse::<std::net::Ipv4Addr>().is_ok(),
        "an IPv4 address: {ip:?}"
    );
    assert_eq!(f("{{json .Config.Labels}}"), "{\"a\":\"1\",\"b\":\"2\"}\n");
    // Maps range in key order, as Go's do.
    assert_eq!(
        f("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}"),
        "a=1;b=2;\n"
    );
    assert_eq!(
        f("{{range $i, $a := .Config.Cmd}}{{$i}}:{{$a}} {{end}}"),
        "0:sleep 1:100 \n"
    );
    // Values print as Go's %v does.
    assert_eq!(f("{{.Config.Cmd}}"), "[sleep 100]\n");
    assert_eq!(f("{{.State.Running}} {{.RestartCount}}"), "true 0\n");
    assert_eq!(
        f("{{if .State.Running}}up{{else}}down{{end}} {{with .State}}{{.Status}}{{end}}"),
        "up running\n"
    );
    assert_eq!(f("{{if eq .State.ExitCode 0}}zero{{end}}"), "zero\n");
    assert_eq!(
        f("{{len .Config.Cmd}} {{index .Config.Cmd 0}} {{index .Config.Labels \"a\"}}"),
        "2 sleep 1\n"
    );
    assert_eq!(f("{{printf \"%s-%d\" .Name 7}}"), "/web-7\n");
    // Docker's functions.
    assert_eq!(f("{{join .Config.Cmd \"+\"}}"), "sleep+100\n");
    assert_eq!(f("{{split \"a:b:c\" \":\"}}"), "[a b c]\n");
    assert_eq!(f("{{upper .Name}} {{lower \"AbC\"}}"), "/WEB abc\n");
    assert_eq!(f("{{title \"hello big world\"}}"), "Hello Big World\n");
    assert_eq!(f("[{{pad .Name 2 1}}]"), "[  /web ]\n");
    assert_eq!(f("{{truncate .Id 12}}").trim().len(), 12);
    assert_eq!(f("{{println .Name}}"), "/web\n\n");
    assert_eq!(f("{{.Name | upper}}"), "/WEB\n");
    let all: serde_json::Value = serde_json::from_str(&f("{{json .}}")).unwrap();
    assert_eq!(all["Name"], "/web");
    // A missing field fails with Docker's message, and prints nothing.
    fails_with_template_error(
        b.run(&["inspect", "-f", "{{.Nope}}", "web"]),
        r#":1:2: executing "" at <.Nope>: map has no entry for key "Nope""#,
    );
    fails_with_template_error(
        b.run(&["inspect", "-f", "x {{.State.Nope}}", "web"]),
        r#"at <.State.Nope>: map has no entry for key "Nope""#,
    );
    fails_with_template_error(
        b.run(&["inspect", "-f", "{{.Name", "web"]),
        "unclosed action",
    );
    fails_with_template_error(
        b.run(&["inspect", "-f", "{{nosuchfunc .Name}}", "web"]),
        "nosuchfunc",
    );
    // Images, networks, volumes and version read templates too.
    let r = b.run(&["image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", &img]);
    assert_eq!(r.ok().stdout, "linux/amd64\n");
    let r = b.run(&[
        "network",
        "inspect",
        "-f",
        "{{.Name}} {{.Driver}}",
        "bridge",
    ]);
    assert_eq!(r.ok().stdout, "bridge bridge\n");
    b.run(&["volume", "create", "v1"]).ok();
    let r = b.run(&["volume", "inspect", "-f", "{{.Name}} {{.Driver}}", "v1"]);
    assert_eq!(r.ok().stdout, "v1 local\n");
    let r = b.run(&["version", "--format", "{{.Client.Os}}"]);
    assert_eq!(r.ok().stdout, "linux\n");
    b.run(&["rm", "-f", "web"]).ok();
}

#[test]
fn list_templates_tables_and_flags() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "create",
        "--name",
        "bb",
        "--label",
        "com.example.tier=db",
        &img,
        "true",
    ])
    .ok();
    b.run(&[
        "create",
        "--name",
        "aa",
        &img,
        "sh",
        "-c",
        "echo hello > /f",
    ])
    .ok();
    let ps = |args: &[&str]| {
        let mut a = vec!["ps", "-a"];
        a.extend_from_slice(args);
        b.run(&a).ok().stdout
    };
    // `.Label` is a method with an argument; its column header is the key's last part.
    assert_eq!(
        ps(&["--format", "{{.Names}}={{.Label \"com.example.tier\"}}"]),
        "aa=\nbb=db\n"
    );
    // `table`: headers as Docker names them, columns aligned by Go's tabwriter (minimum width
    // 10, padding 3); the last column is not padded.
    let t = ps(&[
        "--format",
        "table {{.Names}}\\t{{.Label \"com.example.tier\"}}\\t{{.State}}",
    ]);
    assert_eq!(
        t,
        "NAMES     TIER      STATE\naa                  created\nbb        db        created\n"
    );
    let t = ps(&["--format", "table {{.ID}}\\t{{upper .Names}}"]);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "CONTAINER ID   NAMES");
    assert_eq!(lines[1].len(), 12 + 3 + 2, "{t}");
    // Without `table`, `\t` is a tab and there is no header.
    assert_eq!(
        ps(&["--format", "{{.Names}}\\t{{.State}}"]),
        "aa\tcreated\nbb\tcreated\n"
    );
    // --noheading (podman's) on tables and templates.
    assert_eq!(
        ps(&["--noheading", "--format", "table {{.Names}}"]),
        "aa\nbb\n"
    );
    let plain = ps(&["--noheading"]);
    assert_eq!(plain.lines().count(), 2, "{plain}");
    assert!(!plain.contains("CONTAINER ID"));
    // --sort (podman's).
    assert_eq!(
        ps(&["--sort", "names", "--format", "{{.Names}}"]),
        "aa\nbb\n"
    );
    assert_eq!(
        ps(&["--sort", "created", "--format", "{{.Names}}"]),
        "bb\naa\n"
    );
    assert_eq!(ps(&["--format", "{{.Names}}"]), "aa\nbb\n", "newest first");
    // -s: SIZE as Docker prints it, the writable layer then the whole.
    b.run(&["start", "-a", "aa"]).ok();
    let sized = ps(&["-s", "--filter", "name=aa"]);
    let head = sized.lines().next().unwrap();
    assert!(head.ends_with("NAMES     SIZE"), "{sized}");
    let row = sized.lines().nth(1).unwrap();
    let size = row.rsplit("   ").next().unwrap();
    assert!(
        size.ends_with("B)")
            && size.contains("B (virtual ")
            && size.chars().next().unwrap().is_ascii_digit(),
        "{row}"
    );
    assert_eq!(
        ps(&["--filter", "name=bb", "--format", "{{.Size}}"])
            .lines()
            .count(),
        1
    );
    // A missing field of a list's row: Docker's typed message, exit 1.
    fails_with_template_error(
        b.run(&["ps", "-a", "--format", "{{.Nope}}"]),
        "can't evaluate field Nope in type *formatter.ContainerContext",
    );
    fails_with_template_error(
        b.run(&["images", "--format", "{{.Nope}}"]),
        "can't evaluate field Nope in type *formatter.ImageContext",
    );
    fails_with_template_error(b.run(&["ps", "--format", "{{.Names"]), "unclosed action");
    // The other lists: json lines, templates, --noheading.
    let imgs = b
        .run(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .ok()
        .stdout;
    assert_eq!(imgs.trim(), format!("{img}:latest"));
    let j = b.run(&["images", "--format", "json"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(j.lines().next().unwrap()).unwrap();
    assert_eq!(v["Repository"].as_str().unwrap(), img);
    let imgs = b.run(&["images", "--noheading"]).ok().stdout;
    assert_eq!(imgs.lines().count(), 1, "{imgs}");
    let nets = b
        .run(&[
            "network",
            "ls",
            "--noheading",
            "--format",
            "table {{.Name}}\\t{{.Driver}}",
        ])
        .ok()
        .stdout;
    assert_eq!(nets, "bridge    bridge\nhost      host\nnone      null\n");
    let j = b.run(&["network", "ls", "--format", "json"]).ok().stdout;
    assert_eq!(j.lines().count(), 3);
    b.run(&["volume", "create", "vol-a"]).ok();
    let vols = b
        .run(&["volume", "ls", "--format", "table {{.Name}}"])
        .ok()
        .stdout;
    assert_eq!(vols, "VOLUME NAME\nvol-a\n");
    assert_eq!(
        b.run(&["volume", "ls", "--noheading"]).ok().stdout,
        "local     vol-a\n"
    );
    let j = b.run(&["volume", "ls", "--format", "json"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(j.trim()).unwrap();
    assert_eq!(v["Name"], "vol-a");
    b.run(&["rm", "-f", "aa", "bb"]).ok();
}
