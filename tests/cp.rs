//! `berth cp`, `export` and `diff` as a user runs them: both directions, Docker's path rules,
//! `-` tar streams, stopped and running containers, owners, symlinks that must not lead out
//! of the container, and what `diff` and `export` show.

mod common;

use std::fs;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{Berth, Run};

/// A host directory with `hello.txt` ("hi"), `d/a` ("a"), `d/sub/b` ("b").
fn host_tree(b: &Berth) -> PathBuf {
    let h = b.dir.path().join("host");
    fs::create_dir_all(h.join("d/sub")).unwrap();
    fs::write(h.join("hello.txt"), "hi\n").unwrap();
    fs::write(h.join("d/a"), "a\n").unwrap();
    fs::write(h.join("d/sub/b"), "b\n").unwrap();
    h
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs berth with `input` (bytes) on stdin.
fn run_with_stdin(b: &Berth, args: &[&str], input: &[u8]) -> Run {
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

/// The names in a tar stream.
fn tar_names(bytes: &[u8]) -> Vec<String> {
    let mut a = tar::Archive::new(bytes);
    a.entries()
        .unwrap()
        .map(|e| {
            let name = e.unwrap().path().unwrap().to_string_lossy().into_owned();
            name.trim_end_matches('/').to_string()
        })
        .collect()
}

/// A tar header with every numeric field set.
fn header() -> tar::Header {
    let mut hd = tar::Header::new_gnu();
    hd.set_uid(0);
    hd.set_gid(0);
    hd.set_mtime(0);
    hd
}

/// `berth cp` output as bytes (`-` destination).
fn cp_out_bytes(b: &Berth, src: &str) -> Vec<u8> {
    let out = b.command().args(["cp", src, "-"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn cp_follows_dockers_path_rules_in_both_directions() {
    let b = Berth::new();
    let img = common::busybox(&b);
    let h = host_tree(&b);
    b.run(&["create", "--name", "c1", &img, "sleep", "60"]).ok();

    // Into a created (never started) container.
    b.run(&["cp", p(&h.join("hello.txt")), "c1:/"]).ok();
    b.run(&["cp", p(&h.join("hello.txt")), "c1:/renamed.txt"])
        .ok();
    b.run(&["cp", p(&h.join("d")), "c1:/"]).ok(); // /d/a
    b.run(&["cp", p(&h.join("d")), "c1:/newd"]).ok(); // /newd/a
    b.run(&["cp", &format!("{}/.", p(&h.join("d"))), "c1:/d"])
        .ok(); // contents: /d/a again
    b.run(&["container", "cp", p(&h.join("d/a")), "c1:/d/sub/"])
        .ok();

    // And back out.
    let out = b.dir.path().join("out");
    fs::create_dir(&out).unwrap();
    b.run(&["cp", "c1:/renamed.txt", p(&out)]).ok();
    assert_eq!(fs::read_to_string(out.join("renamed.txt")).unwrap(), "hi\n");
    b.run(&["cp", "c1:/hello.txt", p(&out.join("x.txt"))]).ok();
    assert_eq!(fs::read_to_string(out.join("x.txt")).unwrap(), "hi\n");
    b.run(&["cp", "c1:/newd", p(&out)]).ok();
    assert_eq!(fs::read_to_string(out.join("newd/sub/b")).unwrap(), "b\n");
    b.run(&["cp", "c1:/d/.", p(&out.join("contents"))]).ok();
    assert_eq!(fs::read_to_string(out.join("contents/a")).unwrap(), "a\n");
    assert_eq!(
        fs::read_to_string(out.join("contents/sub/a")).unwrap(),
        "a\n"
    );
    b.run(&["cp", "c1:/d/", p(&out.join("copy"))]).ok();
    assert_eq!(fs::read_to_string(out.join("copy/sub/b")).unwrap(), "b\n");

    // Docker's errors.
    b.run(&["cp", p(&h.join("hello.txt")), "c1:/nonexist/"])
        .fails_with("no such directory");
    b.run(&["cp", p(&h.join("d")), "c1:/hello.txt"])
        .fails_with("cannot copy directory");
    b.run(&["cp", "c1:/nope", p(&out)])
        .fails_with("Could not find the file /nope in container c1");
    b.run(&["cp", p(&h.join("hello.txt")), "c1:/nodir/x"])
        .fails_with("Could not find the file /nodir in container c1");
    b.run(&["cp", "c1:/hello.txt/", p(&out)])
        .fails_with("not a directory");
    b.run(&["cp", p(&h.join("hello.txt")), p(&out)])
        .fails_with("must specify at least one container source");
    b.run(&["cp", "c1:/hello.txt", "c1:/x"])
        .fails_with("copying between containers is not supported");
    b.run(&["cp", "nosuch:/x", p(&out)])
        .fails_with("No such container: nosuch");

    // A tar stream out (`-`): entries named after the source.
    let names = tar_names(&cp_out_bytes(&b, "c1:/newd"));
    assert!(names.contains(&"newd".to_string()), "{names:?}");
    assert!(names.contains(&"newd/sub/b".to_string()), "{names:?}");

    // Into the running container: its processes see the file at once.
    b.run(&["start", "c1"]).ok();
    b.run(&["cp", p(&h.join("hello.txt")), "c1:/running.txt"])
        .ok();
    let cat = b.run(&["exec", "c1", "cat", "/running.txt"]).ok();
    assert_eq!(cat.stdout, "hi\n");
    b.run(&["exec", "c1", "sh", "-c", "echo made inside > /inside.txt"])
        .ok();
    b.run(&["cp", "c1:/inside.txt", p(&out)]).ok();
    assert_eq!(
        fs::read_to_string(out.join("inside.txt")).unwrap(),
        "made inside\n"
    );

    // A tar stream in (`-`): into a directory only.
    let mut tarball = tar::Builder::new(Vec::new());
    let mut hd = tar::Header::new_gnu();
    hd.set_size(6);
    hd.set_mode(0o640);
    hd.set_uid(4321);
    hd.set_gid(4321);
    hd.set_cksum();
    tarball
        .append_data(&mut hd, "streamed.txt", &b"piped\n"[..])
        .unwrap();
    let tarball = tarball.into_inner().unwrap();
    run_with_stdin(&b, &["cp", "-", "c1:/"], &tarball).ok();
    let cat = b.run(&["exec", "c1", "cat", "/streamed.txt"]).ok();
    assert_eq!(cat.stdout, "piped\n");
    // Without -a the container's root owns what is copied in; with -a the archive's owners.
    let ls = b
        .run(&["exec", "c1", "stat", "-c", "%u:%g %a", "/streamed.txt"])
        .ok();
    assert_eq!(ls.stdout.trim(), "0:0 640");
    run_with_stdin(&b, &["cp", "-a", "-", "c1:/d"], &tarball).ok();
    let ls = b
        .run(&["exec", "c1", "stat", "-c", "%u:%g", "/d/streamed.txt"])
        .ok();
    assert_eq!(ls.stdout.trim(), "4321:4321");
    run_with_stdin(&b, &["cp", "-", "c1:/hello.txt"], &tarball).fails_with("must be a directory");
    // Out with -a keeps the container's owners; without, the caller owns the copy.
    b.run(&["cp", "-a", "c1:/d/streamed.txt", p(&out.join("kept"))])
        .ok();
    assert_eq!(fs::metadata(out.join("kept")).unwrap().uid(), 4321);
    b.run(&["cp", "c1:/d/streamed.txt", p(&out.join("mine"))])
        .ok();
    assert_eq!(fs::metadata(out.join("mine")).unwrap().uid(), 0);

    // A corrupt (truncated) stream is refused.
    run_with_stdin(&b, &["cp", "-", "c1:/"], &tarball[..1024]).fails_with("truncated");
    b.run(&["rm", "-f", "c1"]).ok();
    common::assert_no_leftovers(&b, &[]);
}

#[test]
fn symlinks_in_the_container_never_lead_out_of_it() {
    let b = Berth::new();
    let img = common::busybox(&b);
    let h = host_tree(&b);
    // A host file the container must never reach, and a host directory it must never write.
    let secret_dir = b.dir.path().join("secret");
    fs::create_dir(&secret_dir).unwrap();
    fs::write(secret_dir.join("key"), "HOST SECRET\n").unwrap();
    b.run(&["create", "--name", "c2", &img, "sleep", "60"]).ok();
    // Symlinks made in the container: to `/`, up past the root, and to the host's path.
    let links = b.dir.path().join("links");
    fs::create_dir(&links).unwrap();
    std::os::unix::fs::symlink("/", links.join("toroot")).unwrap();
    std::os::unix::fs::symlink("../../../../../../..", links.join("up")).unwrap();
    std::os::unix::fs::symlink(&secret_dir, links.join("secret")).unwrap();
    b.run(&["cp", &format!("{}/.", p(&links)), "c2:/"]).ok();

    let out = b.dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let secret_in = |via: &str| format!("c2:/{via}{}/key", p(&secret_dir));
    for via in ["toroot", "up"] {
        b.run(&["cp", &secret_in(via), p(&out)])
            .fails_with("Could not find the file");
    }
    b.run(&["cp", "c2:/secret/key", p(&out)])
        .fails_with("Could not find the file");
    b.run(&["cp", "-L", "c2:/secret", p(&out)])
        .fails_with("Could not find the file");
    assert!(!out.join("key").exists());
    // The link itself is what is copied out.
    b.run(&["cp", "c2:/secret", p(&out)]).ok();
    assert!(
        fs::symlink_metadata(out.join("secret"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // Writes through the links land inside the container, never on the host.
    b.run(&["cp", p(&h.join("hello.txt")), "c2:/secret/"])
        .fails_with("no such directory");
    b.run(&["cp", p(&h.join("hello.txt")), "c2:/toroot/via-root.txt"])
        .ok();
    b.run(&["cp", p(&h.join("hello.txt")), "c2:/up/via-up.txt"])
        .ok();
    assert!(!Path::new("/via-root.txt").exists());
    assert!(!Path::new("/via-up.txt").exists());
    assert_eq!(
        fs::read_dir(&secret_dir).unwrap().count(),
        1,
        "the host directory got files"
    );
    b.run(&["cp", "c2:/via-root.txt", p(&out)]).ok();
    b.run(&["cp", "c2:/via-up.txt", p(&out)]).ok();

    // Tar streams with escapes are refused and change nothing.
    let mut evil = tar::Builder::new(Vec::new());
    let mut hd = header();
    hd.set_entry_type(tar::EntryType::Symlink);
    hd.set_size(0);
    hd.set_mode(0o777);
    evil.append_link(&mut hd, "hop", &secret_dir).unwrap();
    let mut hd = header();
    hd.set_size(5);
    hd.set_mode(0o644);
    // A file below the symlink just made: written by name, the unpacker refuses it.
    {
        let name = b"hop/planted";
        let gnu = hd.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name);
    }
    hd.set_cksum();
    evil.append(&hd, &b"evil\n"[..]).unwrap();
    let evil = evil.into_inner().unwrap();
    run_with_stdin(&b, &["cp", "-", "c2:/"], &evil).fails_with("symbolic link");
    assert!(!secret_dir.join("planted").exists());

    let mut dotdot = tar::Builder::new(Vec::new());
    let mut hd = header();
    hd.set_size(5);
    hd.set_mode(0o644);
    {
        let name = b"../../../../../../../tmp/berth-cp-escape";
        let gnu = hd.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name);
    }
    hd.set_cksum();
    dotdot.append(&hd, &b"evil\n"[..]).unwrap();
    let dotdot = dotdot.into_inner().unwrap();
    run_with_stdin(&b, &["cp", "-", "c2:/"], &dotdot).fails_with("escape");
    assert!(!Path::new("/tmp/berth-cp-escape").exists());

    // Copying out of a container whose tree holds such links: the links stay links on the host.
    b.run(&["cp", "c2:/", p(&out.join("whole"))]).ok();
    assert!(
        fs::symlink_metadata(out.join("whole/toroot"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    b.run(&["rm", "-f", "c2"]).ok();
}

#[test]
fn diff_and_export_show_the_containers_filesystem() {
    let b = Berth::new();
    let img = common::busybox(&b);
    // A created container has no changes.
    b.run(&["create", "--name", "fresh", &img, "true"]).ok();
    assert_eq!(b.run(&["diff", "fresh"]).ok().stdout, "");

    b.run(&[
        "run",
        "--name",
        "c3",
        &img,
        "sh",
        "-c",
        "mkdir /newdir && echo hi > /newdir/f && rm /bin/ls && echo x > /bin/new",
    ])
    .ok();
    let diff = b.run(&["diff", "c3"]).ok();
    assert_eq!(
        diff.lines(),
        vec![
            "C /bin",
            "D /bin/ls",
            "A /bin/new",
            "A /newdir",
            "A /newdir/f"
        ],
        "{}",
        diff.stdout
    );
    let diff2 = b.run(&["container", "diff", "c3"]).ok();
    assert_eq!(diff.stdout, diff2.stdout);
    b.run(&["diff", "nosuch"])
        .fails_with("No such container: nosuch");

    // export: the merged tree of the stopped container.
    let file = b.dir.path().join("c3.tar");
    b.run(&["export", "-o", p(&file), "c3"]).ok();
    let names = tar_names(&fs::read(&file).unwrap());
    for want in ["newdir", "newdir/f", "bin/new", "bin/busybox"] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    assert!(!names.iter().any(|n| n == "bin/ls"), "{names:?}");
    let out = b
        .command()
        .args(["container", "export", "c3"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(tar_names(&out.stdout), names);
    b.run(&["export", "-o", p(&file), "nosuch"])
        .fails_with("No such container: nosuch");
    // The failed export left the earlier file as it was, and no temp file.
    assert_eq!(tar_names(&fs::read(&file).unwrap()), names);
    assert_eq!(
        fs::read_dir(b.dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".berth-export")
            })
            .count(),
        0
    );
    b.run(&["rm", "c3", "fresh"]).ok();
    common::assert_no_leftovers(&b, &[]);
}
