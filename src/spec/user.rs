//! `-u user[:group]` and `--group-add` resolved against the container's own /etc/passwd and
//! /etc/group, with runc's rules (`GetExecUser`), which Docker uses:
//!
//! - a numeric user is always a uid (never a name), and needs no passwd entry (its gid is then 0
//!   and its home `/`); a name must have an entry;
//! - an explicit group (name or number) sets the gid; a number needs no group entry;
//! - without an explicit group, the user's supplementary groups are those of /etc/group that list
//!   the user's name; `--group-add` groups are appended;
//! - ids must be in 0..=2147483647.
//!
//! The files live inside the container's root filesystem, which the image controls: they are
//! read with [`super::inroot::read_in_root`], so a symlinked /etc/passwd never reaches a host
//! file.

use std::path::Path;

use super::SpecError;
use super::inroot::read_in_root;

/// Largest uid/gid accepted (runc's limit).
const MAX_ID: i64 = i32::MAX as i64;

/// The process identity for the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups (not including `gid` unless /etc/group lists it).
    pub additional_gids: Vec<u32>,
    /// Home directory from passwd, `/` when the user has no entry (for `HOME`).
    pub home: String,
    /// The passwd name matched, if any.
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
struct PasswdEntry {
    name: String,
    uid: i64,
    gid: i64,
    home: String,
}

#[derive(Debug, Clone)]
struct GroupEntry {
    name: String,
    gid: i64,
    members: Vec<String>,
}

/// Lines of a colon-separated database; blank lines, comments and NIS `+`/`-` lines skipped.
fn records(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(['#', '+', '-']))
        .map(|l| l.split(':').collect())
}

fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    records(text)
        .filter_map(|f| {
            Some(PasswdEntry {
                name: f.first()?.to_string(),
                uid: f.get(2)?.parse().ok()?,
                gid: f.get(3)?.parse().ok()?,
                home: f.get(5).map(|s| s.to_string()).unwrap_or_default(),
            })
        })
        .collect()
}

fn parse_group(text: &str) -> Vec<GroupEntry> {
    records(text)
        .filter_map(|f| {
            Some(GroupEntry {
                name: f.first()?.to_string(),
                gid: f.get(2)?.parse().ok()?,
                members: f
                    .get(3)
                    .map(|m| {
                        m.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

fn to_id(n: i64) -> Result<u32, SpecError> {
    if (0..=MAX_ID).contains(&n) {
        Ok(n as u32)
    } else {
        Err(SpecError::IdRange)
    }
}

/// Resolves `spec` (`user`, `uid`, `user:group`, `uid:gid`, empty for root) and `group_add`
/// against the passwd and group files of `rootfs`.
pub fn resolve(rootfs: &Path, spec: &str, group_add: &[String]) -> Result<ExecUser, SpecError> {
    let read = |p: &str| -> Result<String, SpecError> {
        let bytes = read_in_root(rootfs, p).map_err(|source| SpecError::RootfsFile {
            path: p.to_string(),
            source,
        })?;
        Ok(bytes
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default())
    };
    let passwd = parse_passwd(&read("/etc/passwd")?);
    // /etc/group is read only when needed, as runc does.
    let needs_group = spec.contains(':') || !group_add.is_empty() || !passwd.is_empty();
    let groups = if needs_group {
        parse_group(&read("/etc/group")?)
    } else {
        Vec::new()
    };
    resolve_with(&passwd, &groups, spec, group_add)
}

fn resolve_with(
    passwd: &[PasswdEntry],
    groups: &[GroupEntry],
    spec: &str,
    group_add: &[String],
) -> Result<ExecUser, SpecError> {
    let (user_arg, group_arg) = match spec.split_once(':') {
        Some((u, g)) => (u.trim(), g.trim()),
        None => (spec.trim(), ""),
    };
    let uid_num = user_arg.parse::<i64>().ok();
    let gid_num = group_arg.parse::<i64>().ok();

    let mut user = ExecUser {
        uid: 0,
        gid: 0,
        additional_gids: Vec::new(),
        home: "/".to_string(),
        name: None,
    };

    // The user: an empty spec means uid 0; a number is always a uid; otherwise a name.
    let found = passwd
        .iter()
        .find(|p| match (user_arg.is_empty(), uid_num) {
            (true, _) => p.uid == 0,
            (false, Some(n)) => p.uid == n,
            (false, None) => p.name == user_arg,
        });
    match found {
        Some(p) => {
            user.uid = to_id(p.uid)?;
            user.gid = to_id(p.gid)?;
            if !p.home.is_empty() {
                user.home = p.home.clone();
            }
            user.name = Some(p.name.clone());
        }
        None if user_arg.is_empty() => {}
        None => match uid_num {
            Some(n) => user.uid = to_id(n)?,
            None => return Err(SpecError::UserNotFound(user_arg.to_string())),
        },
    }

    // The group: explicit, or the user's memberships.
    if !group_arg.is_empty() {
        let g = groups.iter().find(|g| match gid_num {
            Some(n) => g.gid == n,
            None => g.name == group_arg,
        });
        user.gid = match (g, gid_num) {
            (Some(g), _) => to_id(g.gid)?,
            (None, Some(n)) => to_id(n)?,
            (None, None) => return Err(SpecError::GroupNotFound(group_arg.to_string())),
        };
    } else if let Some(name) = &user.name {
        for g in groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == name))
        {
            user.additional_gids.push(to_id(g.gid)?);
        }
    }

    // --group-add: a group name or gid from /etc/group, or any number.
    for ag in group_add {
        let ag = ag.trim();
        let g = groups
            .iter()
            .find(|g| g.name == ag || g.gid.to_string() == ag);
        let gid = match (g, ag.parse::<i64>()) {
            (Some(g), _) => to_id(g.gid)?,
            (None, Ok(n)) => to_id(n)?,
            (None, Err(_)) => return Err(SpecError::GroupNotFound(ag.to_string())),
        };
        user.additional_gids.push(gid);
    }
    let mut seen = std::collections::HashSet::new();
    user.additional_gids.retain(|g| seen.insert(*g));
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::super::inroot::resolve_in_root_manually;
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n\
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
        # a comment\n\
        \n\
        alice:x:1000:1000:Alice:/home/alice:/bin/bash\n\
        bob:x:1001:100::/home/bob:/bin/sh\n\
        broken:x:notanumber:1::/:/bin/sh\n";
    const GROUP: &str = "root:x:0:\n\
        wheel:x:10:root,alice\n\
        users:x:100:alice\n\
        alice:x:1000:\n\
        docker:x:999:bob,alice\n";

    fn rootfs() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("etc")).unwrap();
        fs::write(d.path().join("etc/passwd"), PASSWD).unwrap();
        fs::write(d.path().join("etc/group"), GROUP).unwrap();
        d
    }

    fn r(root: &Path, spec: &str) -> Result<ExecUser, SpecError> {
        resolve(root, spec, &[])
    }

    #[test]
    fn default_is_root_with_its_groups() {
        let d = rootfs();
        let u = r(d.path(), "").unwrap();
        assert_eq!((u.uid, u.gid), (0, 0));
        assert_eq!(u.home, "/root");
        assert_eq!(u.additional_gids, vec![10]);
        assert_eq!(u.name.as_deref(), Some("root"));
    }

    #[test]
    fn by_name_and_number() {
        let d = rootfs();
        let u = r(d.path(), "alice").unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (1000, 1000, "/home/alice"));
        assert_eq!(u.additional_gids, vec![10, 100, 999]);
        let u = r(d.path(), "1001").unwrap();
        assert_eq!((u.uid, u.gid), (1001, 100));
        assert_eq!(u.additional_gids, vec![999]);
        // A number without an entry: gid 0, home /, no groups.
        let u = r(d.path(), "4242").unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (4242, 0, "/"));
        assert!(u.additional_gids.is_empty() && u.name.is_none());
    }

    #[test]
    fn explicit_group_replaces_memberships() {
        let d = rootfs();
        let u = r(d.path(), "alice:docker").unwrap();
        assert_eq!((u.uid, u.gid), (1000, 999));
        assert!(u.additional_gids.is_empty());
        let u = r(d.path(), "alice:5555").unwrap();
        assert_eq!(u.gid, 5555);
        let u = r(d.path(), "77:10").unwrap();
        assert_eq!((u.uid, u.gid), (77, 10));
        // "user:" is the implicit form.
        assert_eq!(r(d.path(), "alice:").unwrap().additional_gids.len(), 3);
    }

    #[test]
    fn group_add() {
        let d = rootfs();
        let u = resolve(
            d.path(),
            "bob",
            &["wheel".into(), "1234".into(), "999".into()],
        )
        .unwrap();
        assert_eq!(u.additional_gids, vec![999, 10, 1234]);
        let e = resolve(d.path(), "bob", &["nogroup".into()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unable to find group nogroup: no matching entries in group file"
        );
    }

    #[test]
    fn errors() {
        let d = rootfs();
        let e = r(d.path(), "mallory").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unable to find user mallory: no matching entries in passwd file"
        );
        let e = r(d.path(), "alice:nogroup").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unable to find group nogroup: no matching entries in group file"
        );
        assert!(matches!(r(d.path(), "-1"), Err(SpecError::IdRange)));
        assert!(matches!(r(d.path(), "2147483648"), Err(SpecError::IdRange)));
        assert!(matches!(r(d.path(), "1:-5"), Err(SpecError::IdRange)));
        // A malformed entry matches nothing.
        assert!(r(d.path(), "broken").is_err());
    }

    #[test]
    fn no_files_means_numbers_only() {
        let d = tempfile::tempdir().unwrap();
        let u = r(d.path(), "").unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (0, 0, "/"));
        assert_eq!(r(d.path(), "12:34").unwrap().gid, 34);
        assert!(r(d.path(), "root").is_err());
    }

    /// /etc/passwd symlinked to a host file (absolute and relative escapes): the host file must
    /// not be read, whichever resolution is used.
    #[test]
    fn symlinked_passwd_outside_root_is_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let host_passwd = outside.path().join("passwd");
        fs::write(&host_passwd, "evil:x:0:0::/evil:/bin/sh\n").unwrap();

        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("etc")).unwrap();
        symlink(&host_passwd, d.path().join("etc/passwd")).unwrap();
        let e = r(d.path(), "evil").unwrap_err();
        assert!(matches!(e, SpecError::UserNotFound(_)), "{e}");
        assert_eq!(r(d.path(), "").unwrap().home, "/");

        // A relative target climbing out with "..": clamped at the root.
        let depth = d.path().components().count() + 3;
        let rel = format!("{}{}", "../".repeat(depth), host_passwd.display());
        fs::remove_file(d.path().join("etc/passwd")).unwrap();
        symlink(&rel, d.path().join("etc/passwd")).unwrap();
        assert!(matches!(
            r(d.path(), "evil"),
            Err(SpecError::UserNotFound(_))
        ));

        // The same escapes with the user-space resolution.
        let p = resolve_in_root_manually(d.path(), "/etc/passwd");
        assert!(p.is_err(), "{p:?}");
        fs::remove_file(d.path().join("etc/passwd")).unwrap();
        symlink(&host_passwd, d.path().join("etc/passwd")).unwrap();
        let p = resolve_in_root_manually(d.path(), "/etc/passwd");
        assert!(p.is_err(), "{p:?}");
    }

    /// Symlinks that stay inside the root are followed, relative to the root.
    #[test]
    fn symlinks_inside_root_are_resolved_in_root() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc")).unwrap();
        fs::create_dir_all(d.path().join("real")).unwrap();
        fs::write(d.path().join("real/passwd"), PASSWD).unwrap();
        // Absolute target, meant as the container's /real/passwd.
        symlink("/real/passwd", d.path().join("etc/passwd")).unwrap();
        assert_eq!(r(d.path(), "alice").unwrap().uid, 1000);
        assert_eq!(
            resolve_in_root_manually(d.path(), "/etc/passwd").unwrap(),
            d.path().join("real/passwd")
        );
        // A symlinked directory with a ".." escape attempt inside it.
        fs::remove_file(d.path().join("etc/passwd")).unwrap();
        symlink("../../../../real/passwd", d.path().join("etc/passwd")).unwrap();
        assert_eq!(r(d.path(), "alice").unwrap().uid, 1000);
        assert_eq!(
            resolve_in_root_manually(d.path(), "/etc/passwd").unwrap(),
            d.path().join("real/passwd")
        );
        // A loop fails cleanly.
        symlink("/loop2", d.path().join("loop1")).unwrap();
        symlink("/loop1", d.path().join("loop2")).unwrap();
        assert!(read_in_root(d.path(), "/loop1").is_err());
        assert!(resolve_in_root_manually(d.path(), "/loop1").is_err());
    }

    #[test]
    fn special_files_are_refused() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("etc")).unwrap();
        nix::unistd::mkfifo(
            &d.path().join("etc/passwd"),
            nix::sys::stat::Mode::from_bits_truncate(0o644),
        )
        .unwrap();
        let e = r(d.path(), "").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        fs::remove_file(d.path().join("etc/passwd")).unwrap();
        fs::create_dir(d.path().join("etc/passwd")).unwrap();
        assert!(r(d.path(), "").is_err());
    }
}
