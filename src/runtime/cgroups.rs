//! Cgroups of a container as the runtime sees them: the manager libcontainer uses, whether a
//! pid is still in the container's cgroup, the OOM kill count, and the direct removal of a
//! stopped container's cgroups.

use std::fs;
use std::path::{Path, PathBuf};

use libcontainer::container::Container;

use super::{Result, Runtime, chain, check_id, lc_err};

/// Whether `pid` currently sits in `cgroup_path` (or below it) in some hierarchy.
/// (A relative cgroupsPath is taken from the hierarchy's root, as libcgroups' cgroupfs does.)
pub(super) fn pid_in_cgroup(pid: i32, cgroup_path: &Path) -> bool {
    let Ok(text) = fs::read_to_string(format!("/proc/{pid}/cgroup")) else {
        return false;
    };
    let want = Path::new("/").join(cgroup_path);
    text.lines()
        .filter_map(|l| l.splitn(3, ':').nth(2))
        .any(|p| Path::new(p).starts_with(&want))
}

pub(super) fn cgroup_manager(
    path: &Path,
    id: &str,
) -> std::result::Result<libcgroups::common::AnyCgroupManager, String> {
    libcgroups::common::create_cgroup_manager(libcgroups::common::CgroupConfig {
        cgroup_path: path.to_owned(),
        systemd_cgroup: false,
        container_name: id.to_owned(),
    })
    .map_err(|e| chain(&e))
}

/// Removes a stopped container's cgroups and state directly: libcontainer's delete would read
/// the state again, scan the mount table for resctrl and discover every cgroup controller anew
/// (two dozen /proc reads, ~1 ms on a cgroup v1 host), at the end of every container. Only
/// without poststop hooks (berth sets none); false if anything is in the way (a cgroup still
/// busy or with children), and the caller's full delete deals with it.
pub(super) fn delete_stopped(c: &Container, dir: &Path) -> bool {
    let Ok(cfg) = c.spec() else {
        return false;
    };
    if cfg
        .hooks
        .as_ref()
        .is_some_and(|h| h.poststop().as_ref().is_some_and(|p| !p.is_empty()))
    {
        return false;
    }
    let rel = cfg
        .cgroup_path
        .strip_prefix("/")
        .unwrap_or(&cfg.cgroup_path);
    if rel.as_os_str().is_empty() {
        return false;
    }
    // The cgroup under the unified hierarchy (v2), or under each v1 hierarchy.
    let root = Path::new("/sys/fs/cgroup");
    let Ok(hierarchies) = fs::read_dir(root) else {
        return false;
    };
    let v1 = hierarchies
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path().join(rel));
    for cgroup in std::iter::once(root.join(rel)).chain(v1) {
        match fs::remove_dir(&cgroup) {
            Ok(()) => {}
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT) | Some(libc::ENOTDIR)) => {}
            Err(_) => return false,
        }
    }
    fs::remove_dir_all(dir).is_ok()
}

impl Runtime {
    /// The container's cgroup path as given in the spec (`linux.cgroupsPath`).
    pub fn cgroup_path(&self, id: &str) -> Result<Option<PathBuf>> {
        check_id(id)?;
        match self.load(id)? {
            None => Ok(None),
            Some(c) => Ok(Some(
                c.spec().map_err(|e| lc_err("inspect", id, e))?.cgroup_path,
            )),
        }
    }

    /// How many processes of the container the kernel's OOM killer has killed (v1:
    /// `memory.oom_control` `oom_kill`; v2: `memory.events` `oom_kill`). Read it before
    /// `delete`, which removes the cgroup. `None` if the container or its memory cgroup is
    /// gone. (An exit by SIGKILL alone does not prove an OOM kill.)
    pub fn oom_kills(&self, id: &str) -> Result<Option<u64>> {
        let Some(path) = self.cgroup_path(id)? else {
            return Ok(None);
        };
        let rel = path.strip_prefix("/").unwrap_or(&path);
        let candidates = [
            (
                Path::new("/sys/fs/cgroup/memory")
                    .join(rel)
                    .join("memory.oom_control"),
                "oom_kill",
            ),
            (
                Path::new("/sys/fs/cgroup").join(rel).join("memory.events"),
                "oom_kill",
            ),
        ];
        for (file, key) in candidates {
            if let Ok(text) = fs::read_to_string(&file) {
                let n = text
                    .lines()
                    .filter_map(|l| l.split_once(' '))
                    .find(|(k, _)| *k == key)
                    .and_then(|(_, v)| v.trim().parse().ok());
                return Ok(n.or(Some(0)));
            }
        }
        Ok(None)
    }
}

impl Runtime {
    /// Writes new limits to a running (or paused) container's cgroups, v1 or v2, through
    /// libcgroups' manager (`update`); the freezer state is left as it is.
    pub fn update_resources(
        &self,
        id: &str,
        resources: &oci_spec::runtime::LinuxResources,
    ) -> Result<()> {
        use libcgroups::common::CgroupManager;
        let Some(path) = self.cgroup_path(id)? else {
            return Err(super::RuntimeError::NotFound(id.to_owned()));
        };
        let manager =
            cgroup_manager(&path, id).map_err(|message| super::RuntimeError::Libcontainer {
                op: "update",
                id: id.to_owned(),
                message,
            })?;
        manager
            .apply(&libcgroups::common::ControllerOpt {
                resources,
                disable_oom_killer: false,
                oom_score_adj: None,
                freezer_state: None,
            })
            .map_err(|e| super::RuntimeError::Libcontainer {
                op: "update",
                id: id.to_owned(),
                message: chain(&e),
            })
    }
}
