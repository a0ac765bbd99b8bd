//! Volumes and mounts: named and anonymous volumes, copy-up, bind mounts (read-only,
//! propagation), tmpfs, --volumes-from, confinement of mount targets to the rootfs, the volume
//! commands, system df/prune.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::Path;
use std::process::Command;

use common::{Berth, assert_no_leftovers, busybox, image, inspect};

/// IDs of every container of this berth (running or not).
fn all_ids(b: &Berth) -> Vec<String> {
    b.run(&["ps", "-aq", "--no-trunc"])
        .ok()
        .lines()
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn volume_names(b: &Berth, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["volume", "ls", "-q"];
    args.extend_from_slice(extra);
    let mut v: Vec<String> = b
        .run(&args)
        .ok()
        .lines()
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.sort();
    v
}

fn sh(cmd: &str) {
    let st = Command::new("sh").arg("-c").arg(cmd).status().unwrap();
    assert!(st.success(), "{cmd} failed");
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

#[test]
fn named_volume_persists_is_shared_and_survives_runroot_loss() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "--rm",
        "-v",
        "data1:/data",
        &img,
        "sh",
        "-c",
        "echo one > /data/f",
    ])
    .ok();
    assert_eq!(volume_names(&b, &[]), ["data1"]);
    let r = b
        .run(&["run", "--rm", "-v", "data1:/data", &img, "cat", "/data/f"])
        .ok();
    assert_eq!(r.stdout, "one\n");
    // Two running containers see each other's writes.
    for n in ["sa", "sb"] {
        b.run(&[
            "run",
            "-d",
            "--name",
            n,
            "-v",
            "data1:/shared",
            &img,
            "sleep",
            "300",
        ])
        .ok();
    }
    b.run(&["exec", "sa", "sh", "-c", "echo from-a > /shared/a"])
        .ok();
    assert_eq!(
        b.run(&["exec", "sb", "cat", "/shared/a"]).ok().stdout,
        "from-a\n"
    );
    b.run(&["exec", "sb", "sh", "-c", "echo from-b > /shared/b"])
        .ok();
    assert_eq!(
        b.run(&["exec", "sa", "cat", "/shared/b"]).ok().stdout,
        "from-b\n"
    );
    let ids = all_ids(&b);
    b.run(&["rm", "-f", "sa", "sb"]).ok();
    // A reboot empties the run root: the data is in the root.
    fs::remove_dir_all(b.runroot()).unwrap();
    let r = b
        .run(&[
            "run",
            "--rm",
            "-v",
            "data1:/data",
            &img,
            "cat",
            "/data/f",
            "/data/a",
            "/data/b",
        ])
        .ok();
    assert_eq!(r.stdout, "one\nfrom-a\nfrom-b\n");
    assert_eq!(
        fs::read_to_string(b.root().join("volumes/data1/_data/f")).unwrap(),
        "one\n"
    );
    b.run(&["volume", "rm", "data1"]).ok();
    assert!(!b.root().join("volumes/data1").exists());
    assert_no_leftovers(&b, &ids);
}

#[test]
fn read_only_mounts_refuse_writes_recursively() {
    let b = Berth::new();
    let img = busybox(&b);
    let r = b.run(&[
        "run",
        "--rm",
        "-v",
        "rov:/data:ro",
        &img,
        "sh",
        "-c",
        "touch /data/x",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Read-only file system"), "{}", r.stderr);
    // A bind whose source has a submount: the submount is read-only too.
    let src = b.dir.path().join("src");
    fs::create_dir_all(src.join("sub")).unwrap();
    sh(&format!(
        "mount -t tmpfs tmpfs {}",
        src.join("sub").display()
    ));
    let spec = format!("{}:/b:ro", src.display());
    let r = b.run(&[
        "run",
        "--rm",
        "-v",
        &spec,
        &img,
        "sh",
        "-c",
        "touch /b/x 2>&1; touch /b/sub/y 2>&1; true",
    ]);
    sh(&format!("umount {}", src.join("sub").display()));
    let r = r.ok();
    assert_eq!(
        r.stdout.matches("Read-only file system").count(),
        2,
        "{}",
        r.stdout
    );
    // --mount readonly, and rw by default.
    let spec = format!("type=bind,source={},target=/b,readonly", src.display());
    let r = b.run(&["run", "--rm", "--mount", &spec, &img, "touch", "/b/z"]);
    assert!(r.stderr.contains("Read-only file system"), "{}", r.stderr);
    let spec = format!("{}:/b", src.display());
    b.run(&["run", "--rm", "-v", &spec, &img, "touch", "/b/ok"])
        .ok();
    assert!(src.join("ok").exists());
    assert_no_leftovers(&b, &[]);
}

#[test]
fn bind_sources_missing_and_propagation() {
    let b = Berth::new();
    let img = busybox(&b);
    // -v creates a missing host path; --mount type=bind refuses it.
    let missing = b.dir.path().join("made/by/v");
    let spec = format!("{}:/m", missing.display());
    b.run(&["run", "--rm", "-v", &spec, &img, "true"]).ok();
    assert!(missing.is_dir());
    let gone = b.dir.path().join("nope");
    let spec = format!("type=bind,source={},target=/m", gone.display());
    b.run(&["run", "--rm", "--mount", &spec, &img, "true"])
        .fails_with("bind source path does not exist");
    assert!(!gone.exists());
    assert!(all_ids(&b).is_empty(), "a failed run leaves no container");

    // rshared needs a shared mount on the host.
    let src = b.dir.path().join("prop");
    fs::create_dir_all(&src).unwrap();
    let spec = format!("{}:/p:rshared", src.display());
    b.run(&["run", "--rm", "-v", &spec, &img, "true"])
        .fails_with("not a shared mount");
    sh(&format!(
        "mount --bind {0} {0} && mount --make-shared {0}",
        src.display()
    ));
    // rshared and rslave binds receive the host's later mounts; the default (rprivate) does not.
    for (name, mode) in [("prop", ":rshared"), ("slv", ":rslave"), ("priv", "")] {
        let spec = format!("{}:/p{mode}", src.display());
        b.run(&[
            "run", "-d", "--name", name, "-v", &spec, &img, "sleep", "300",
        ])
        .ok();
    }
    let ids = all_ids(&b);
    fs::create_dir_all(src.join("late")).unwrap();
    sh(&format!(
        "mount -t tmpfs tmpfs {}",
        src.join("late").display()
    ));
    fs::write(src.join("late/hello"), "late mount\n").unwrap();
    let seen: Vec<String> = ["prop", "slv", "priv"]
        .iter()
        .map(|n| b.run(&["exec", n, "cat", "/p/late/hello"]).stdout)
        .collect();
    let inspect_prop = inspect(&b, "prop");
    b.run(&["rm", "-f", "prop", "slv", "priv"]).ok();
    sh(&format!("umount {}", src.join("late").display()));
    sh(&format!("umount {}", src.display()));
    assert_eq!(seen, ["late mount\n", "late mount\n", ""]);
    let m = &inspect_prop["Mounts"][0];
    assert_eq!(m["Type"], "bind");
    assert_eq!(m["Propagation"], "rshared");
    assert_eq!(m["Destination"], "/p");
    assert_no_leftovers(&b, &ids);
}

#[test]
fn tmpfs_size_limits_are_enforced() {
    let b = Berth::new();
    let img = busybox(&b);
    for flags in [
        vec![
            "--mount",
            "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777",
        ],
        vec!["--tmpfs", "/t:size=1m,mode=1777"],
    ] {
        let mut args = vec!["run", "--rm"];
        args.extend(flags);
        args.extend([
            img.as_str(),
            "sh",
            "-c",
            "stat -c %a /t; dd if=/dev/zero of=/t/big bs=1k count=2048 2>&1; true",
        ]);
        let r = b.run(&args).ok();
        assert!(r.stdout.starts_with("1777\n"), "{}", r.stdout);
        assert!(r.stdout.contains("No space left on device"), "{}", r.stdout);
    }
    assert_no_leftovers(&b, &[]);
}

#[test]
fn copy_up_keeps_content_owners_modes_links_and_xattrs() {
    let b = Berth::new();
    let img = busybox(&b);
    b.pull("tricky:latest");
    let tricky = image("tricky");
    // The tricky image has no program to run: the start fails, after the copy-up.
    b.run(&[
        "create",
        "--name",
        "tc",
        "-v",
        "own:/owners",
        "-v",
        "hl:/hl",
        "-v",
        "modes:/modes",
        "-v",
        "xa:/xattr",
        "--mount",
        "source=nocopy,target=/names,volume-nocopy",
        &tricky,
        "/none",
    ])
    .ok();
    let r = b.run(&["start", "tc"]);
    assert_ne!(r.code, 0);
    let data = |v: &str| b.root().join("volumes").join(v).join("_data");
    let meta = |p: &Path| fs::symlink_metadata(p).unwrap();
    let f = meta(&data("own").join("f1234"));
    assert_eq!((f.uid(), f.gid(), f.mode() & 0o7777), (1234, 5678, 0o640));
    let d = meta(&data("own").join("d99"));
    assert_eq!((d.uid(), d.gid(), d.mode() & 0o7777), (99, 99, 0o750));
    let l = meta(&data("own").join("link"));
    assert!(l.file_type().is_symlink());
    assert_eq!((l.uid(), l.gid()), (1234, 5678));
    assert_eq!(meta(&data("own").join("huge")).uid(), 3000000);
    assert_eq!(
        fs::read_to_string(data("own").join("f1234")).unwrap(),
        "owned by 1234:5678\n"
    );
    let o = meta(&data("hl").join("orig.txt"));
    assert_eq!(o.ino(), meta(&data("hl").join("link1.txt")).ino());
    assert_eq!(o.nlink(), meta(&data("hl").join("link1.txt")).nlink());
    assert!(o.nlink() >= 2);
    for (name, mode) in [
        ("setuid", 0o4755),
        ("setgid", 0o2755),
        ("sticky-dir", 0o1777),
        ("none", 0),
        ("private", 0o700),
    ] {
        assert_eq!(
            meta(&data("modes").join(name)).mode() & 0o7777,
            mode,
            "{name}"
        );
    }
    // The tricky image carries user.berth=hello on xattr/file (the unpacker keeps it).
    let path = std::ffi::CString::new(data("xa").join("file").to_str().unwrap()).unwrap();
    let name = std::ffi::CString::new("user.berth").unwrap();
    let mut buf = [0u8; 64];
    // SAFETY: NUL-terminated strings and a buffer of the given length.
    let n = unsafe {
        libc::lgetxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    assert_eq!(n, 5, "xattr user.berth copied");
    assert_eq!(&buf[..5], b"hello");
    assert!(fs::read_dir(data("nocopy")).unwrap().next().is_none());
    // A second mount of a filled volume copies nothing; the content is seen as is.
    let r = b
        .run(&[
            "run",
            "--rm",
            "-v",
            "own:/owners",
            &img,
            "stat",
            "-c",
            "%u:%g %a",
            "/owners/f1234",
        ])
        .ok();
    assert_eq!(r.stdout, "1234:5678 640\n");
    let ids = all_ids(&b);
    b.run(&["rm", "tc"]).ok();
    assert_no_leftovers(&b, &ids);
}

#[test]
fn anonymous_volumes_from_the_image_and_rm_v() {
    let b = Berth::new();
    b.pull("redis:latest");
    let redis = image("redis");
    b.run(&["create", "--name", "r1", &redis]).ok();
    let j = inspect(&b, "r1");
    let m = &j["Mounts"][0];
    assert_eq!(m["Type"], "volume");
    assert_eq!(m["Destination"], "/data");
    assert_eq!(m["Driver"], "local");
    assert_eq!(m["RW"], true);
    let name = m["Name"].as_str().unwrap().to_string();
    assert!(is_hex64(&name), "{name}");
    assert_eq!(
        m["Source"].as_str().unwrap(),
        b.root()
            .join("volumes")
            .join(&name)
            .join("_data")
            .to_str()
            .unwrap()
    );
    assert_eq!(j["Config"]["Volumes"]["/data"], serde_json::json!({}));
    let vi = b.run(&["volume", "inspect", &name]).ok();
    let vi: serde_json::Value = serde_json::from_str(&vi.stdout).unwrap();
    assert!(vi[0]["Labels"]["com.docker.volume.anonymous"].is_string());
    // Plain rm keeps the anonymous volume; rm -v removes it.
    b.run(&["rm", "r1"]).ok();
    assert_eq!(volume_names(&b, &[]), std::slice::from_ref(&name));
    b.run(&[
        "create",
        "--name",
        "r2",
        "-v",
        "named:/x",
        "-v",
        "/anon",
        "--mount",
        "type=volume,target=/m2",
        &redis,
    ])
    .ok();
    let j = inspect(&b, "r2");
    assert_eq!(j["Mounts"].as_array().unwrap().len(), 4);
    assert_eq!(j["HostConfig"]["Binds"], serde_json::json!(["named:/x"]));
    assert_eq!(
        j["HostConfig"]["Mounts"],
        serde_json::json!([{"Type": "volume", "Target": "/m2"}])
    );
    assert_eq!(volume_names(&b, &[]).len(), 5);
    b.run(&["rm", "-v", "r2"]).ok();
    let mut want = vec![name.clone(), "named".to_string()];
    want.sort();
    assert_eq!(volume_names(&b, &[]), want, "named volumes stay with rm -v");
    // A failed run keeps its container as Created, as Docker does, and with it its anonymous
    // volume; `rm -v` removes both.
    let img = busybox(&b);
    let r = b.run(&[
        "run",
        "--name",
        "failed",
        "-v",
        "/scratch",
        &img,
        "/no/such/program",
    ]);
    assert_eq!(r.code, 127);
    assert_eq!(volume_names(&b, &[]).len(), want.len() + 1);
    assert_eq!(inspect(&b, "failed")["State"]["Status"], "created");
    b.run(&["rm", "-v", "failed"]).ok();
    assert_eq!(volume_names(&b, &[]), want);
    // run --rm removes its anonymous volumes.
    b.run(&["run", "--rm", "-v", "/scratch", &img, "true"]).ok();
    assert_eq!(volume_names(&b, &[]), want);
    assert_no_leftovers(&b, &[]);
}

#[test]
fn volume_commands_prune_and_in_use() {
    let b = Berth::new();
    let img = busybox(&b);
    assert_eq!(
        b.run(&["volume", "create", "--label", "k=v", "v1"])
            .ok()
            .stdout,
        "v1\n"
    );
    // Creating an existing volume is fine (Docker).
    b.run(&["volume", "create", "v1"]).ok();
    let anon = b.run(&["volume", "create"]).ok().stdout.trim().to_string();
    assert!(is_hex64(&anon));
    b.run(&["volume", "create", "_bad"])
        .fails_with("invalid characters");
    b.run(&["volume", "create", "a/b"])
        .fails_with("invalid characters");
    b.run(&["run", "-v", "./rel:/x", &img, "true"])
        .fails_with("invalid characters");
    let v = b.run(&[
        "volume",
        "inspect",
        "--format",
        "{{.Name}} {{.Driver}} {{.Scope}}",
        "v1",
    ]);
    assert_eq!(v.ok().stdout, "v1 local local\n");
    let v: serde_json::Value =
        serde_json::from_str(&b.run(&["volume", "inspect", "v1"]).ok().stdout).unwrap();
    assert_eq!(v[0]["Labels"]["k"], "v");
    assert_eq!(
        v[0]["Mountpoint"].as_str().unwrap(),
        b.root().join("volumes/v1/_data").to_str().unwrap()
    );
    assert!(v[0]["CreatedAt"].as_str().unwrap().ends_with('Z'));
    // The generic inspect finds volumes too.
    let g = b
        .run(&["inspect", "--format", "{{.Mountpoint}}", "v1"])
        .ok();
    assert!(
        g.stdout.trim().ends_with("volumes/v1/_data"),
        "{}",
        g.stdout
    );
    b.run(&["inspect", "--type", "volume", "v1"]).ok();
    b.run(&["inspect", "--type", "image", "v1"])
        .fails_with("No such object");
    b.run(&["volume", "inspect", "nope"])
        .fails_with("no such volume");
    assert_eq!(volume_names(&b, &["--filter", "label=k=v"]), ["v1"]);
    assert_eq!(
        volume_names(&b, &["--filter", "label=com.docker.volume.anonymous"]),
        std::slice::from_ref(&anon)
    );
    let ls = b.run(&["volume", "ls", "--format", "json"]).ok();
    assert_eq!(ls.lines().len(), 2);
    let ls = b.run(&["volume", "ls"]).ok();
    assert!(ls.stdout.starts_with("DRIVER"), "{}", ls.stdout);

    // In use by a stopped container: refused, even with -f.
    b.run(&["create", "--name", "user", "-v", "v1:/d", &img, "true"])
        .ok();
    b.run(&["volume", "rm", "v1"])
        .fails_with("volume is in use");
    b.run(&["volume", "rm", "-f", "v1"])
        .fails_with("volume is in use");
    let mut both = [anon.clone(), "v1".to_string()];
    both.sort();
    assert_eq!(volume_names(&b, &[]), both);
    assert_eq!(volume_names(&b, &["--filter", "dangling=false"]), ["v1"]);
    assert_eq!(
        volume_names(&b, &["--filter", "dangling=true"]),
        std::slice::from_ref(&anon)
    );
    b.run(&["volume", "rm", "nope"])
        .fails_with("no such volume");
    b.run(&["volume", "rm", "-f", "nope"]).ok();

    // prune: anonymous unused volumes only; -a: every unused one.
    b.run(&["volume", "create", "named-unused"]).ok();
    let p = b.run(&["volume", "prune", "-f"]).ok();
    assert!(p.stdout.contains(&anon), "{}", p.stdout);
    assert_eq!(volume_names(&b, &[]), ["named-unused", "v1"]);
    b.run(&["volume", "prune", "-a", "-f"]).ok();
    assert_eq!(volume_names(&b, &[]), ["v1"]);
    b.run(&["rm", "user"]).ok();
    b.run(&["volume", "rm", "v1"]).ok();
    assert!(volume_names(&b, &[]).is_empty());
    assert_no_leftovers(&b, &[]);
}

#[test]
fn volumes_from_and_inspect_shapes() {
    let b = Berth::new();
    let img = busybox(&b);
    let host = b.dir.path().join("h");
    fs::create_dir_all(&host).unwrap();
    let bind = format!("{}:/h:ro", host.display());
    b.run(&[
        "create",
        "--name",
        "src",
        "-v",
        "vf:/data",
        "-v",
        &bind,
        "--mount",
        "type=tmpfs,target=/tm,tmpfs-size=1m",
        &img,
        "true",
    ])
    .ok();
    let j = inspect(&b, "src");
    let mounts = j["Mounts"].as_array().unwrap();
    let find = |d: &str| {
        mounts
            .iter()
            .find(|m| m["Destination"] == d)
            .unwrap()
            .clone()
    };
    let h = find("/h");
    assert_eq!(h["Type"], "bind");
    assert_eq!(h["RW"], false);
    assert_eq!(h["Mode"], "ro");
    assert_eq!(h["Propagation"], "rprivate");
    assert_eq!(find("/tm")["Type"], "tmpfs");
    assert_eq!(find("/data")["Name"], "vf");
    assert_eq!(
        j["HostConfig"]["Mounts"][0]["TmpfsOptions"]["SizeBytes"],
        1 << 20
    );
    // A user mount replaces berth's generated /etc/hosts.
    fs::write(host.join("hosts"), "10.1.2.3 mine\n").unwrap();
    let hosts = format!("{}:/etc/hosts:ro", host.join("hosts").display());
    let r = b
        .run(&["run", "--rm", "-v", &hosts, &img, "cat", "/etc/hosts"])
        .ok();
    assert_eq!(r.stdout, "10.1.2.3 mine\n");
    b.run(&[
        "run",
        "--rm",
        "-v",
        "vf:/data",
        &img,
        "sh",
        "-c",
        "echo shared > /data/f",
    ])
    .ok();
    let r = b.run(&[
        "run",
        "--rm",
        "--volumes-from",
        "src:ro",
        &img,
        "sh",
        "-c",
        "cat /data/f; ls -d /h; touch /data/g",
    ]);
    assert_eq!(r.stdout, "shared\n/h\n");
    assert!(r.stderr.contains("Read-only file system"), "{}", r.stderr);
    b.run(&["run", "--rm", "--volumes-from", "nosuch", &img, "true"])
        .fails_with("No such container");
    let ids = all_ids(&b);
    b.run(&["rm", "src"]).ok();
    assert_no_leftovers(&b, &ids);
}

#[test]
fn symlinks_in_the_image_never_lead_mounts_out_of_the_rootfs() {
    let b = Berth::new();
    let img = busybox(&b);
    let outside = b.dir.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    let depth = "../".repeat(30);
    // Symlinks as an image could carry them, placed in the container's writable layer before
    // its first start.
    let cases: [(&str, String); 3] = [
        ("abs", outside.display().to_string()),
        ("rel", format!("{depth}{}", outside.display())),
        ("data", "/etc".to_string()),
    ];
    for (name, target) in &cases {
        let dest = format!("/{name}");
        let vol = format!("esc-{name}:{dest}");
        let id = b
            .run(&[
                "create",
                "-v",
                &vol,
                &img,
                "sh",
                "-c",
                &format!("echo inside > {dest}/marker; cat /proc/self/mountinfo"),
            ])
            .ok()
            .stdout
            .trim()
            .to_string();
        symlink(
            target,
            b.root()
                .join("containers")
                .join(&id)
                .join("upper")
                .join(name),
        )
        .unwrap();
        let r = b.run(&["start", "-a", &id]).ok();
        assert!(
            fs::read_dir(&outside).unwrap().next().is_none(),
            "{name}: something landed outside the rootfs"
        );
        assert_eq!(
            fs::read_to_string(b.root().join(format!("volumes/esc-{name}/_data/marker"))).unwrap(),
            "inside\n"
        );
        // The mount landed where the symlink points inside the container.
        let where_ = if *name == "data" {
            " /etc "
        } else {
            format!(" {} ", outside.display()).leak()
        };
        assert!(r.stdout.contains(where_), "{name}: {}", r.stdout);
        b.run(&["rm", &id]).ok();
    }
    // A symlink to the container's root itself is refused.
    let id = b
        .run(&["create", "-v", "esc-root:/up", &img, "true"])
        .ok()
        .stdout
        .trim()
        .to_string();
    symlink(
        &depth,
        b.root().join("containers").join(&id).join("upper/up"),
    )
    .unwrap();
    b.run(&["start", &id]).fails_with("root directory");
    b.run(&["rm", &id]).ok();
    assert!(fs::read_dir(&outside).unwrap().next().is_none());
    assert_no_leftovers(&b, &[]);
}

#[test]
fn system_df_and_prune() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "--name",
        "stopped",
        "-v",
        "/anon",
        "-v",
        "keep:/k",
        &img,
        "sh",
        "-c",
        "dd if=/dev/zero of=/big bs=1k count=64 2>/dev/null",
    ])
    .ok();
    let df = b.run(&["system", "df"]).ok();
    let lines = df.lines();
    assert!(lines[0].starts_with("TYPE"), "{}", df.stdout);
    for (i, t) in ["Images", "Containers", "Local Volumes", "Build Cache"]
        .iter()
        .enumerate()
    {
        assert!(lines[i + 1].starts_with(t), "{}", df.stdout);
    }
    let cols: Vec<&str> = lines[3].split_whitespace().collect();
    assert_eq!(&cols[2..4], ["2", "2"], "{}", df.stdout);
    let json = b.run(&["system", "df", "--format", "json"]).ok();
    let c: serde_json::Value = serde_json::from_str(json.lines()[1]).unwrap();
    assert_eq!(c["Type"], "Containers");
    assert_eq!(c["TotalCount"], "1");
    assert!(c["Reclaimable"].as_str().unwrap().contains("(100%)"), "{c}");
    b.run(&["system", "df", "-v"]).ok();
    // Without --volumes volumes stay; with it, the anonymous one goes, the named one stays.
    let p = b.run(&["system", "prune", "-f"]).ok();
    assert!(p.stdout.contains("Deleted Containers:"), "{}", p.stdout);
    assert_eq!(volume_names(&b, &[]).len(), 2);
    b.run(&["system", "prune", "-f", "--volumes", "-a"]).ok();
    assert_eq!(volume_names(&b, &[]), ["keep"]);
    assert!(b.image_ids().is_empty());
    assert_no_leftovers(&b, &[]);
}

#[test]
fn volumes_with_mount_options_are_mounted_while_used() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["volume", "create", "--opt", "type=tmpfs", "bad"])
        .fails_with("need both type and device");
    b.run(&["volume", "create", "--opt", "bogus=1", "bad"])
        .fails_with("invalid option key");
    assert!(volume_names(&b, &[]).is_empty());
    b.run(&[
        "volume",
        "create",
        "--opt",
        "type=tmpfs",
        "--opt",
        "device=tmpfs",
        "--opt",
        "o=size=1m,mode=1777",
        "tv",
    ])
    .ok();
    let v: serde_json::Value =
        serde_json::from_str(&b.run(&["volume", "inspect", "tv"]).ok().stdout).unwrap();
    assert_eq!(v[0]["Options"]["type"], "tmpfs");
    assert_eq!(v[0]["Options"]["o"], "size=1m,mode=1777");
    let data = b.root().join("volumes/tv/_data");
    for n in ["t1", "t2"] {
        b.run(&[
            "run", "-d", "--name", n, "-v", "tv:/t", &img, "sleep", "300",
        ])
        .ok();
    }
    b.run(&["exec", "t1", "sh", "-c", "echo shared > /t/f"])
        .ok();
    assert_eq!(
        b.run(&["exec", "t2", "cat", "/t/f"]).ok().stdout,
        "shared\n"
    );
    let r = b
        .run(&[
            "exec",
            "t1",
            "sh",
            "-c",
            "dd if=/dev/zero of=/t/big bs=1k count=2048 2>&1; stat -c %a /t",
        ])
        .ok();
    assert!(r.stdout.contains("No space left on device"), "{}", r.stdout);
    assert!(r.stdout.ends_with("1777\n"), "{}", r.stdout);
    let ids = all_ids(&b);
    // Mounted until the last user stops.
    b.run(&["rm", "-f", "t1"]).ok();
    assert_eq!(fs::read_to_string(data.join("f")).unwrap(), "shared\n");
    b.run(&["rm", "-f", "t2"]).ok();
    assert!(
        !data.join("f").exists(),
        "a tmpfs volume is empty once unused"
    );
    b.run(&["volume", "rm", "tv"]).ok();
    // --mount creates a volume with labels and options.
    let r = b
        .run(&[
            "run", "--rm", "--mount",
            "source=mv,target=/m,volume-label=team=db,volume-opt=type=tmpfs,volume-opt=device=tmpfs",
            &img, "grep", " /m ", "/proc/mounts",
        ])
        .ok();
    assert!(r.stdout.contains("tmpfs"), "{}", r.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&b.run(&["volume", "inspect", "mv"]).ok().stdout).unwrap();
    assert_eq!(v[0]["Labels"]["team"], "db");
    assert_eq!(v[0]["Options"]["device"], "tmpfs");
    assert_no_leftovers(&b, &ids);
}
