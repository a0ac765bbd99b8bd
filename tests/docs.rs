//! The committed completions and man pages must match what the CLI generates now.
//! Regenerate them with `scripts/gen-docs`.

use std::path::Path;
use std::process::Command;

fn berth(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(args)
        .output()
        .expect("run berth");
    assert!(out.status.success(), "berth {args:?} failed");
    out.stdout
}

#[test]
fn completions_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "berth.bash"),
        ("zsh", "_berth"),
        ("fish", "berth.fish"),
    ] {
        let committed = std::fs::read(dir.join(file)).unwrap_or_default();
        assert!(
            committed == berth(&["completion", shell]),
            "completions/{file} is out of date: run scripts/gen-docs"
        );
    }
}

#[test]
fn man_pages_are_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    berth(&["generate-man", tmp.path().to_str().unwrap()]);
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let list = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let fresh = list(tmp.path());
    assert!(fresh.contains(&"berth-pull.1".to_string()));
    assert!(fresh.contains(&"berth-image-mount.1".to_string()));
    assert_eq!(
        list(&committed),
        fresh,
        "man/ is out of date: run scripts/gen-docs"
    );
    for f in fresh {
        assert!(
            std::fs::read(committed.join(&f)).unwrap()
                == std::fs::read(tmp.path().join(&f)).unwrap(),
            "man/{f} is out of date: run scripts/gen-docs"
        );
    }
}

#[test]
fn bad_flags_give_one_line_and_exit_125() {
    let out = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["images", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("berth: error: "), "{err}");
    assert!(err.contains("--no-such-flag"), "{err}");
}
