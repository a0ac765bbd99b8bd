//! A container's volumes and bind mounts at start: destinations resolved inside the mounted
//! rootfs (a symlink in the image never leads a mount out of it), mount points created,
//! missing `-v` host paths created, empty volumes filled from the image (copy-up), and the
//! propagation the root must have for `rshared`/`rslave` binds.

use std::fs;
use std::path::{Path, PathBuf};

use super::{MountKind, MountSpec, Result, VolumeError, copy, data_dir, io_err};
use crate::spec::{self, inroot};

fn invalid(m: &MountSpec, why: impl std::fmt::Display) -> VolumeError {
    VolumeError::Invalid(format!("invalid mount {}: {why}", m.target))
}

/// The OCI mount options of a user mount: propagation (rprivate by default), and a read-only
/// mount made read-only recursively (`rro`) where the runtime can.
fn options(m: &MountSpec) -> Vec<String> {
    let mut o = Vec::new();
    if !m.propagation.is_empty() {
        o.push(m.propagation.clone());
    }
    if m.read_only {
        o.push("rro".to_string());
    }
    o
}

/// The mount containing `path` (longest mount point prefix) and its optional fields
/// (`shared:N`, `master:N`) from /proc/self/mountinfo.
fn mount_of(path: &Path) -> Option<(String, Vec<String>)> {
    let info = fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mut best: Option<(String, Vec<String>)> = None;
    for line in info.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        if f.len() < 7 {
            continue;
        }
        let point = f[4].replace("\\040", " ");
        if !path.starts_with(&point) {
            continue;
        }
        let opt: Vec<String> = f[6..]
            .iter()
            .take_while(|x| **x != "-")
            .map(|s| s.to_string())
            .collect();
        if best.as_ref().is_none_or(|(p, _)| point.len() >= p.len()) {
            best = Some((point, opt));
        }
    }
    best
}

/// Docker's check: propagation into the container needs a shared (rshared) or a shared or
/// slave (rslave) mount on the host.
fn check_propagation(m: &MountSpec, source: &Path) -> Result<()> {
    let need_shared = matches!(m.propagation.as_str(), "shared" | "rshared");
    let need_slave = matches!(m.propagation.as_str(), "slave" | "rslave");
    if !need_shared && !need_slave {
        return Ok(());
    }
    let Some((point, opts)) = mount_of(source) else {
        return Ok(());
    };
    let shared = opts.iter().any(|o| o.starts_with("shared:"));
    let slave = opts.iter().any(|o| o.starts_with("master:"));
    if need_shared && !shared {
        return Err(invalid(
            m,
            format!(
                "path {} is mounted on {point} but it is not a shared mount",
                source.display()
            ),
        ));
    }
    if need_slave && !shared && !slave {
        return Err(invalid(
            m,
            format!(
                "path {} is mounted on {point} but it is not a shared or slave mount",
                source.display()
            ),
        ));
    }
    Ok(())
}

/// The runtime clones a bind's source as it is, with the source's propagation: a bind of a
/// shared (or slave) host mount would receive the host's later mounts even when private
/// propagation is asked for. Such a source is first bound at `stage`, made private there, and
/// the stage is mounted instead. Returns the path to give the runtime.
fn private_source(m: &MountSpec, source: &Path, stage: &Path) -> Result<PathBuf> {
    if !matches!(m.propagation.as_str(), "" | "private" | "rprivate") {
        return Ok(source.to_path_buf());
    }
    let Some((_, opts)) = mount_of(source) else {
        return Ok(source.to_path_buf());
    };
    if !opts
        .iter()
        .any(|o| o.starts_with("shared:") || o.starts_with("master:"))
    {
        return Ok(source.to_path_buf());
    }
    if source.is_dir() {
        fs::create_dir_all(stage).map_err(io_err(stage))?;
    } else {
        if let Some(p) = stage.parent() {
            fs::create_dir_all(p).map_err(io_err(p))?;
        }
        fs::write(stage, b"").map_err(io_err(stage))?;
    }
    use nix::mount::{MsFlags, mount};
    let fail = |e: nix::Error| invalid(m, format!("binding {}: {e}", source.display()));
    mount(
        Some(source),
        stage,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(fail)?;
    mount(
        None::<&str>,
        stage,
        None::<&str>,
        MsFlags::MS_PRIVATE | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(fail)?;
    Ok(stage.to_path_buf())
}

/// Unmounts the private stages of bind sources under `dir` (see `private_source`) and removes
/// them.
pub fn unmount_stages(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let _ = nix::mount::umount2(&p, nix::mount::MntFlags::MNT_DETACH);
        let _ = crate::tmp::remove_any(&p);
    }
    let _ = fs::remove_dir(dir);
}

/// `RUNROOT/volume-users/<name>/<container id>`: who holds a volume with mount options mounted.
fn users_dir(runroot: &Path, name: &str) -> PathBuf {
    runroot.join("volume-users").join(name)
}

/// Takes the per-volume lock (on its directory) until the returned file is dropped.
fn lock_volume(root: &Path, name: &str) -> Result<crate::lock::Lock> {
    let dir = super::volumes_dir(root).join(name);
    crate::lock::Lock::existing(&dir, crate::lock::Mode::Exclusive).map_err(io_err(&dir))
}

/// The local driver's `o` option: mount flags, and the rest as filesystem data.
fn mount_flags(o: &str) -> (nix::mount::MsFlags, String) {
    use nix::mount::MsFlags as F;
    let mut flags = F::empty();
    let mut data = Vec::new();
    for opt in o.split(',').filter(|s| !s.is_empty()) {
        match opt {
            "ro" => flags |= F::MS_RDONLY,
            "rw" => {}
            "nosuid" => flags |= F::MS_NOSUID,
            "nodev" => flags |= F::MS_NODEV,
            "noexec" => flags |= F::MS_NOEXEC,
            "sync" => flags |= F::MS_SYNCHRONOUS,
            "noatime" => flags |= F::MS_NOATIME,
            "nodiratime" => flags |= F::MS_NODIRATIME,
            "relatime" => flags |= F::MS_RELATIME,
            "strictatime" => flags |= F::MS_STRICTATIME,
            "bind" => flags |= F::MS_BIND,
            "rbind" => flags |= F::MS_BIND | F::MS_REC,
            other => data.push(other),
        }
    }
    (flags, data.join(","))
}

/// A volume created with driver options (`--opt type=tmpfs --opt device=tmpfs --opt o=size=1m`)
/// is mounted on its `_data` while containers use it, as Docker's local driver does: container
/// `id` becomes a holder, and the first holder mounts it.
fn hold_mounted(root: &Path, runroot: &Path, name: &str, id: &str) -> Result<()> {
    let opts_file = super::volumes_dir(root).join(name).join(super::OPTS_FILE);
    let Ok(text) = fs::read(&opts_file) else {
        return Ok(());
    };
    let opts: std::collections::BTreeMap<String, String> = serde_json::from_slice(&text)
        .map_err(|e| VolumeError::Invalid(format!("{}: {e}", opts_file.display())))?;
    let _lock = lock_volume(root, name)?;
    let users = users_dir(runroot, name);
    fs::create_dir_all(&users).map_err(io_err(&users))?;
    let data = data_dir(root, name);
    if !crate::mountinfo::is_mount_point(&data) {
        let (flags, extra) = mount_flags(opts.get("o").map(String::as_str).unwrap_or(""));
        let typ = opts
            .get("type")
            .map(String::as_str)
            .filter(|t| *t != "none");
        let device = opts.get("device").map(String::as_str).unwrap_or("none");
        nix::mount::mount(
            Some(device),
            &data,
            typ,
            flags,
            (!extra.is_empty()).then_some(extra.as_str()),
        )
        .map_err(|e| VolumeError::Invalid(format!("mounting volume {name}: {e}")))?;
    }
    let holder = users.join(id);
    fs::write(&holder, b"").map_err(io_err(&holder))
}

/// Container `id` no longer uses its volumes: the last holder of a volume with mount options
/// unmounts it. Best effort (called from cleanup paths).
pub fn release(root: &Path, runroot: &Path, id: &str) {
    let Ok(rd) = fs::read_dir(runroot.join("volume-users")) else {
        return;
    };
    for e in rd.flatten() {
        if !e.path().join(id).exists() {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(_lock) = lock_volume(root, &name) else {
            continue;
        };
        let _ = fs::remove_file(e.path().join(id));
        if is_empty_dir(&e.path()) {
            let data = data_dir(root, &name);
            if crate::mountinfo::is_mount_point(&data)
                && let Err(err) = nix::mount::umount2(&data, nix::mount::MntFlags::MNT_DETACH)
            {
                tracing::warn!("unmounting volume {name}: {err}");
            }
            let _ = fs::remove_dir(e.path());
        }
    }
}

/// Is directory `p` empty (or missing)?
fn is_empty_dir(p: &Path) -> bool {
    fs::read_dir(p)
        .map(|mut r| r.next().is_none())
        .unwrap_or(true)
}

/// Copies the image's content at `dest` (already resolved inside `rootfs`) into the volume's
/// `data` directory if the volume is empty: in a staging directory beside it first, then moved
/// in entry by entry (a container already using the volume keeps seeing the same directory).
fn copy_up(root: &Path, name: &str, rootfs: &Path, dest: &str) -> Result<()> {
    let data = &data_dir(root, name);
    let src = rootfs.join(dest.trim_start_matches('/'));
    let Ok(meta) = fs::symlink_metadata(&src) else {
        return Ok(());
    };
    if !meta.is_dir() || !is_empty_dir(data) {
        return Ok(());
    }
    // One copy-up at a time per volume: concurrent first starts fill it once.
    let _lock = lock_volume(root, name)?;
    if !is_empty_dir(data) {
        return Ok(());
    }
    // Staged in berth's temp area (same filesystem; swept if this process dies).
    let tmp = crate::tmp::TempArea::new(root).map_err(io_err(root))?;
    let stage = tmp.new_dir("copyup").map_err(io_err(tmp.dir()))?;
    let r = copy::copy_tree(&src, &stage)
        .map_err(|e| {
            VolumeError::Invalid(format!(
                "copying the image's content at {dest} into the volume: {e}"
            ))
        })
        .and_then(|_| {
            for e in fs::read_dir(&stage).map_err(io_err(&stage))?.flatten() {
                let to = data.join(e.file_name());
                fs::rename(e.path(), &to).map_err(io_err(&to))?;
            }
            // The mount point takes the image directory's owner and mode.
            let m = fs::symlink_metadata(&stage).map_err(io_err(&stage))?;
            std::os::unix::fs::lchown(
                data,
                Some(std::os::unix::fs::MetadataExt::uid(&m)),
                Some(std::os::unix::fs::MetadataExt::gid(&m)),
            )
            .map_err(io_err(data))?;
            fs::set_permissions(data, m.permissions()).map_err(io_err(data))
        });
    let _ = crate::tmp::remove_any(&stage);
    r
}

/// Everything the start of a container needs for its bind and volume mounts (tmpfs mounts go
/// through the spec's `--tmpfs` path). `root` is berth's root (volumes live there), `rootfs`
/// the container's mounted root filesystem, `stages` a directory for private stages of bind
/// sources (see `private_source`; the caller unmounts them with [`unmount_stages`]).
/// `runroot` and `id`: volumes with mount options are held mounted for container `id` (see
/// [`release`]).
pub fn prepare(
    root: &Path,
    runroot: &Path,
    id: &str,
    user: &[MountSpec],
    rootfs: &Path,
    stages: &Path,
) -> Result<Vec<spec::Mount>> {
    let mut out = Vec::new();
    for (i, m) in user.iter().enumerate() {
        let source: PathBuf = match m.kind {
            MountKind::Tmpfs => continue,
            MountKind::Bind => {
                let s = PathBuf::from(&m.source);
                if !s.exists() {
                    if !m.create_host_path {
                        return Err(invalid(
                            m,
                            format!("bind source path does not exist: {}", m.source),
                        ));
                    }
                    fs::create_dir_all(&s).map_err(io_err(&s))?;
                }
                check_propagation(m, &s)?;
                private_source(m, &s, &stages.join(i.to_string()))?
            }
            MountKind::Volume => {
                let d = data_dir(root, &m.source);
                if !d.is_dir() {
                    return Err(VolumeError::NotFound(m.source.clone()));
                }
                hold_mounted(root, runroot, &m.source, id)?;
                d
            }
        };
        let dest = inroot::secure_join(rootfs, &m.target)
            .map_err(|e| invalid(m, format!("resolving it in the container: {e}")))?;
        if dest == "/" {
            return Err(invalid(m, "it resolves to the container's root directory"));
        }
        // Copy-up first: only what the image has at the destination counts, not the mount
        // point made below.
        if m.kind == MountKind::Volume && !m.nocopy {
            copy_up(root, &m.source, rootfs, &dest)?;
        }
        if source.is_dir() {
            inroot::mkdir_all_in_root(rootfs, &dest)
                .map_err(|e| invalid(m, format!("creating the mount point {dest}: {e}")))?;
        }
        out.push(spec::Mount {
            source,
            destination: dest,
            read_only: m.read_only,
            options: options(m),
        });
    }
    Ok(out)
}

/// The root propagation a container needs (`linux.rootfsPropagation`): shared if a bind is
/// rshared, slave if one is rslave, else the runtime's default.
pub fn rootfs_propagation(user: &[MountSpec]) -> Option<&'static str> {
    let has = |ps: &[&str]| user.iter().any(|m| ps.contains(&m.propagation.as_str()));
    if has(&["shared", "rshared"]) {
        Some("shared")
    } else if has(&["slave", "rslave"]) {
        Some("slave")
    } else {
        None
    }
}
