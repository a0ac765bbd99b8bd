//! Docker's filters: one grammar for the CLI and the Engine API (values of a key OR'ed, keys
//! AND'ed, labels all required, `name` a regular expression, unknown keys refused), on `ps`,
//! `images`, `network ls`, `volume ls` and the prunes.

mod common;

use common::{Berth, Service, busybox};

fn names(b: &Berth, cmd: &[&str], format: &str, filters: &[&str]) -> Vec<String> {
    let mut a: Vec<&str> = cmd.to_vec();
    a.extend(["--format", format]);
    for f in filters {
        a.extend(["--filter", f]);
    }
    b.run(&a).ok().stdout.lines().map(str::to_string).collect()
}

#[test]
fn ps_filters() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["network", "create", "back"]).ok();
    b.run(&[
        "run",
        "-d",
        "--name",
        "web",
        "--label",
        "a=1",
        "--label",
        "b=2",
        "-p",
        "8080:80",
        "--network",
        "back",
        &img,
        "sleep",
        "100",
    ])
    .ok();
    b.run(&[
        "create",
        "--name",
        "web2",
        "-v",
        "vol1:/data",
        "--label",
        "a=3",
        &img,
        "true",
    ])
    .ok();
    let r = b.run(&["run", "--name", "db", &img, "sh", "-c", "exit 2"]);
    assert_eq!(r.code, 2);
    let ps = |filters: &[&str]| names(&b, &["ps", "-a"], "{{.Names}}", filters);
    assert_eq!(ps(&[]), ["db", "web2", "web"]);
    // name: a regular expression, on the name with or without Docker's leading slash.
    assert_eq!(ps(&["name=^web$"]), ["web"]);
    assert_eq!(ps(&["name=^/web"]), ["web2", "web"]);
    assert_eq!(ps(&["name=web"]), ["web2", "web"]);
    // Repeated keys are OR'ed, different keys AND'ed.
    assert_eq!(ps(&["name=^web$", "name=^db$"]), ["db", "web"]);
    assert_eq!(ps(&["name=web", "status=created"]), ["web2"]);
    assert_eq!(ps(&["status=running", "status=exited"]), ["db", "web"]);
    // Labels: every one must be there.
    assert_eq!(ps(&["label=a"]), ["web2", "web"]);
    assert_eq!(ps(&["label=a", "label=b=2"]), ["web"]);
    assert!(ps(&["label=a=3", "label=b"]).is_empty());
    assert_eq!(ps(&["exited=2"]), ["db"]);
    assert_eq!(ps(&["exited=0", "exited=2"]), ["db"]);
    let web_id = b.run(&["inspect", "-f", "{{.Id}}", "web"]).ok().stdout;
    assert_eq!(ps(&[&*format!("id={}", &web_id[..6])]), ["web"]);
    // before/since: by creation, around a named container.
    assert_eq!(ps(&["before=web2"]), ["web"]);
    assert_eq!(ps(&["since=web"]), ["db", "web2"]);
    assert_eq!(ps(&["since=web", "before=db"]), ["web2"]);
    b.run(&["ps", "--filter", "before=nosuch"])
        .fails_with("nosuch");
    // network: by name or ID.
    assert_eq!(ps(&["network=back"]), ["web"]);
    let net = b
        .run(&["network", "inspect", "-f", "{{.Id}}", "back"])
        .ok()
        .stdout;
    assert_eq!(ps(&[&*format!("network={}", &net[..12])]), ["web"]);
    // volume: by name or mount point.
    assert_eq!(ps(&["volume=vol1"]), ["web2"]);
    assert_eq!(ps(&["volume=/data"]), ["web2"]);
    // publish/expose: the container's port.
    assert_eq!(ps(&["publish=80"]), ["web"]);
    assert_eq!(ps(&["publish=80/tcp"]), ["web"]);
    assert!(ps(&["publish=80/udp"]).is_empty());
    assert!(ps(&["publish=8080"]).is_empty());
    assert_eq!(ps(&["publish=79-81"]), ["web"]);
    assert_eq!(ps(&["expose=80"]), ["web"]);
    // ancestor: any name or ID of the image.
    let image_id = b
        .run(&["image", "inspect", "-f", "{{.Id}}", &img])
        .ok()
        .stdout;
    let image_id = image_id.trim();
    let all = ["db", "web2", "web"];
    assert_eq!(ps(&[&*format!("ancestor={img}")]), all);
    assert_eq!(ps(&[&*format!("ancestor={image_id}")]), all);
    assert_eq!(ps(&[&*format!("ancestor={}", &image_id[7..19])]), all);
    assert!(ps(&["ancestor=nosuch:image"]).is_empty());
    // No swarm tasks and no health checks here.
    assert_eq!(ps(&["is-task=false"]), all);
    assert!(ps(&["is-task=true"]).is_empty());
    assert_eq!(ps(&["health=none"]), all);
    assert!(ps(&["health=healthy"]).is_empty());
    // Bad filters: Docker's message, exit 125, nothing listed.
    b.run(&["ps", "--filter", "colour=red"])
        .fails_with("invalid filter 'colour'");
    b.run(&["ps", "--filter", "status=sleepy"])
        .fails_with("invalid filter 'status=sleepy'");
    b.run(&["ps", "--filter", "health=great"])
        .fails_with("Unrecognised filter value for health: great");
    b.run(&["ps", "--filter", "publish=http"])
        .fails_with("invalid filter 'publish=http'");
    b.run(&["ps", "--filter", "nokey"])
        .fails_with("bad format of filter (expected name=value)");
    // The same over the API.
    let svc = Service::start(&b);
    let q = |filters: &str| -> (u16, Vec<String>) {
        let path = format!("/containers/json?all=1&filters={}", urlencode(filters));
        let (code, body) = svc.curl("GET", &path, None);
        if code != 200 {
            return (code, vec![body]);
        }
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let names = v
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                c["Names"][0]
                    .as_str()
                    .unwrap()
                    .trim_start_matches('/')
                    .to_string()
            })
            .collect();
        (code, names)
    };
    assert_eq!(q(r#"{"name":["^web$"]}"#), (200, vec!["web".to_string()]));
    assert_eq!(
        q(r#"{"name":{"^web$":true,"^db$":true}}"#),
        (200, vec!["db".to_string(), "web".to_string()])
    );
    assert_eq!(
        q(r#"{"label":["a"],"status":["created"]}"#),
        (200, vec!["web2".to_string()])
    );
    let (code, body) = q(r#"{"colour":["red"]}"#);
    assert_eq!(code, 400);
    assert!(body[0].contains("invalid filter 'colour'"), "{body:?}");
    // The docker CLI sends its filters the same way.
    let r = svc.run_docker(&[
        "ps",
        "-a",
        "--format",
        "{{.Names}}",
        "-f",
        "name=^web",
        "-f",
        "label=b",
    ]);
    assert_eq!(r.ok().stdout, "web\n");
    drop(svc);
    b.run(&["rm", "-f", "web", "web2", "db"]).ok();
    b.run(&["system", "reset", "-f"]).ok();
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|c| match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (c as char).to_string()
            }
            _ => format!("%{c:02X}"),
        })
        .collect()
}

#[test]
fn image_filters() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["create", "--name", "c1", &img, "true"]).ok();
    // An untagged (dangling) image, then a labelled one.
    b.run(&["commit", "c1"]).ok();
    b.run(&["commit", "--change", "LABEL x=y", "c1", "lab:1"])
        .ok();
    let images = |filters: &[&str]| names(&b, &["images"], "{{.Repository}}:{{.Tag}}", filters);
    assert_eq!(images(&[]).len(), 3);
    assert_eq!(images(&["dangling=true"]), ["<none>:<none>"]);
    let busy = format!("{img}:latest");
    assert_eq!(images(&["dangling=false"]), ["lab:1", busy.as_str()]);
    assert_eq!(images(&["label=x"]), ["lab:1"]);
    assert_eq!(images(&["label=x=y"]), ["lab:1"]);
    assert!(images(&["label=x=z"]).is_empty());
    // reference: a glob on the name, with or without its tag.
    assert_eq!(images(&["reference=lab"]), ["lab:1"]);
    assert_eq!(images(&["reference=la*"]), ["lab:1"]);
    assert_eq!(images(&["reference=*:1"]), ["lab:1"]);
    assert_eq!(
        images(&["reference=lab:1", &*format!("reference={img}")]).len(),
        2
    );
    assert!(images(&["reference=nothing*"]).is_empty());
    // before/since: by the images' creation times (the testbed's busybox is older).
    assert_eq!(images(&["since=lab:1"]).len(), 0);
    assert_eq!(images(&["before=lab:1", "dangling=false"]), [busy.as_str()]);
    assert_eq!(
        images(&[&*format!("since={img}"), "dangling=false"]),
        ["lab:1"]
    );
    b.run(&["images", "--filter", "size=1"])
        .fails_with("invalid filter 'size'");
    b.run(&["images", "--filter", "dangling=maybe"])
        .fails_with("invalid filter 'dangling=maybe'");
    // Over the API.
    let svc = Service::start(&b);
    let (code, body) = svc.curl(
        "GET",
        &format!(
            "/images/json?filters={}",
            urlencode(r#"{"reference":["lab*"]}"#)
        ),
        None,
    );
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["RepoTags"][0], "lab:1");
    let (code, body) = svc.curl(
        "GET",
        &format!(
            "/images/json?filters={}",
            urlencode(r#"{"dangling":["true"]}"#)
        ),
        None,
    );
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (code, body) = svc.curl(
        "GET",
        &format!("/images/json?filters={}", urlencode(r#"{"size":["1"]}"#)),
        None,
    );
    assert_eq!(code, 400);
    assert!(body.contains("invalid filter 'size'"), "{body}");
    drop(svc);
    b.run(&["rm", "-f", "c1"]).ok();
}

#[test]
fn network_and_volume_filters_and_prunes() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["network", "create", "--label", "keep=1", "n1"])
        .ok();
    b.run(&["network", "create", "n2"]).ok();
    b.run(&["network", "create", "other"]).ok();
    b.run(&[
        "run",
        "-d",
        "--name",
        "cc",
        "--network",
        "other",
        &img,
        "sleep",
        "100",
    ])
    .ok();
    // The default bridge network is made on first use.
    b.run(&["run", "-d", "--name", "dd", &img, "sleep", "100"])
        .ok();
    let nets = |filters: &[&str]| names(&b, &["network", "ls"], "{{.Name}}", filters);
    assert_eq!(nets(&["type=custom"]), ["n1", "n2", "other"]);
    assert_eq!(nets(&["type=builtin"]), ["bridge", "host", "none"]);
    assert_eq!(nets(&["name=^n[0-9]$"]), ["n1", "n2"]);
    assert_eq!(nets(&["name=n1", "name=n2"]), ["n1", "n2"]);
    assert_eq!(nets(&["label=keep"]), ["n1"]);
    assert_eq!(nets(&["label=keep=1", "driver=bridge"]), ["n1"]);
    assert_eq!(nets(&["driver=null"]), ["none"]);
    assert_eq!(nets(&["scope=local", "type=custom"]).len(), 3);
    assert!(nets(&["scope=swarm"]).is_empty());
    let id = b
        .run(&["network", "inspect", "-f", "{{.Id}}", "n2"])
        .ok()
        .stdout;
    assert_eq!(nets(&[&*format!("id={}", &id[..10])]), ["n2"]);
    // dangling: user networks no container uses.
    assert_eq!(nets(&["dangling=true"]), ["n1", "n2"]);
    b.run(&["network", "ls", "--filter", "colour=red"])
        .fails_with("invalid filter 'colour'");
    b.run(&["network", "ls", "--filter", "type=fancy"])
        .fails_with("invalid filter 'type=fancy'");
    // Prunes: label!= keeps what it names; until= keeps what is newer.
    b.run(&["network", "prune", "-f", "--filter", "until=1h"])
        .ok();
    assert_eq!(nets(&["type=custom"]), ["n1", "n2", "other"]);
    let r = b
        .run(&["network", "prune", "-f", "--filter", "label!=keep"])
        .ok();
    assert!(
        r.stdout.contains("n2") && !r.stdout.contains("n1"),
        "{}",
        r.stdout
    );
    assert_eq!(nets(&["type=custom"]), ["n1", "other"]);
    b.run(&["network", "prune", "-f", "--filter", "until=soon"])
        .fails_with("invalid filter 'until=soon'");
    b.run(&["network", "prune", "-f", "--filter", "colour=red"])
        .fails_with("invalid filter 'colour'");
    // Volumes: name is a regular expression too.
    for v in ["data-1", "data-2", "logs"] {
        b.run(&["volume", "create", v]).ok();
    }
    let vols = |filters: &[&str]| names(&b, &["volume", "ls"], "{{.Name}}", filters);
    assert_eq!(vols(&["name=^data-[0-9]$"]), ["data-1", "data-2"]);
    assert_eq!(vols(&["name=1$", "name=^logs"]), ["data-1", "logs"]);
    assert_eq!(vols(&["dangling=true", "name=logs"]), ["logs"]);
    assert_eq!(vols(&["driver=local"]).len(), 3);
    b.run(&["volume", "ls", "--filter", "colour=red"])
        .fails_with("invalid filter 'colour'");
    // Over the API.
    let svc = Service::start(&b);
    let (code, body) = svc.curl(
        "GET",
        &format!(
            "/networks?filters={}",
            urlencode(r#"{"type":["custom"],"name":["^n"]}"#)
        ),
        None,
    );
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let got: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["Name"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["n1"]);
    let (code, body) = svc.curl(
        "GET",
        &format!("/networks?filters={}", urlencode(r#"{"colour":["red"]}"#)),
        None,
    );
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("invalid filter 'colour'"), "{body}");
    drop(svc);
    b.run(&["rm", "-f", "cc", "dd"]).ok();
    b.run(&["system", "reset", "-f"]).ok();
}

#[test]
fn prune_filters() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "create", "--name", "keep", "--label", "keep=1", &img, "true",
    ])
    .ok();
    b.run(&["create", "--name", "old", &img, "true"]).ok();
    let ps = || names(&b, &["ps", "-a"], "{{.Names}}", &[]);
    // until: only what was created before; nothing here is an hour old.
    let r = b
        .run(&["container", "prune", "-f", "--filter", "until=1h"])
        .ok();
    assert!(!r.stdout.contains("Deleted Containers"), "{}", r.stdout);
    assert_eq!(ps(), ["old", "keep"]);
    let r = b
        .run(&["container", "prune", "-f", "--filter", "label!=keep"])
        .ok();
    assert!(r.stdout.contains("Deleted Containers"), "{}", r.stdout);
    assert_eq!(ps(), ["keep"]);
    b.run(&["container", "prune", "-f", "--filter", "label=keep=2"])
        .ok();
    assert_eq!(ps(), ["keep"]);
    b.run(&["container", "prune", "-f", "--filter", "colour=red"])
        .fails_with("invalid filter 'colour'");
    b.run(&["container", "prune", "-f", "--filter", "until=later"])
        .fails_with("invalid filter 'until=later'");
    // system prune passes its filters on.
    b.run(&["system", "prune", "-f", "--filter", "label=nothing"])
        .ok();
    assert_eq!(ps(), ["keep"]);
    // Images: label and until select among the unused ones.
    b.run(&["commit", "--change", "LABEL x=y", "keep", "lab:1"])
        .ok();
    b.run(&["commit", "keep", "plain:1"]).ok();
    b.run(&["system", "prune", "-f", "--filter", "label=keep=1"])
        .ok();
    assert!(ps().is_empty());
    let images = || names(&b, &["images"], "{{.Repository}}:{{.Tag}}", &[]);
    b.run(&["image", "prune", "-a", "-f", "--filter", "label=x=y"])
        .ok();
    let busy = format!("{img}:latest");
    assert_eq!(images(), ["plain:1", busy.as_str()]);
    // dangling=false is -a; the testbed's busybox was built long before the last hour.
    b.run(&[
        "image",
        "prune",
        "-f",
        "--filter",
        "dangling=false",
        "--filter",
        "until=1h",
    ])
    .ok();
    assert_eq!(images(), ["plain:1"]);
    b.run(&["image", "prune", "-f", "--filter", "colour=red"])
        .fails_with("invalid filter 'colour'");
    // Over the API.
    let svc = Service::start(&b);
    b.run(&[
        "create", "--name", "c2", "--label", "a=b", "plain:1", "true",
    ])
    .ok();
    let path = |f: &str| format!("/containers/prune?filters={}", urlencode(f));
    let (code, body) = svc.curl("POST", &path(r#"{"label!":["a"]}"#), None);
    assert_eq!(code, 200, "{body}");
    assert_eq!(ps(), ["c2"]);
    let (code, body) = svc.curl("POST", &path(r#"{"colour":["red"]}"#), None);
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("invalid filter 'colour'"), "{body}");
    let (code, body) = svc.curl("POST", &path(r#"{"label":["a=b"]}"#), None);
    assert_eq!(code, 200, "{body}");
    assert!(ps().is_empty());
    drop(svc);
}
