//! A container's root filesystem and bundle: the overlay of its image's layers plus its own
//! upper/work directories, the generated /etc files, and the runtime spec (config.json).

use std::fs;
use std::path::Path;

use super::{ContainerError, Paths, Result, Settings, io_err};
use crate::rootfs::{image_lowerdirs, is_mount_point, mount_overlay};
use crate::state::containers as rows;
use crate::store::Store;

/// Mounts the rootfs (if not mounted), writes /etc/hosts, /etc/hostname, /etc/resolv.conf and
/// the bundle's config.json.
pub fn prepare(store: &Store, id: &str, paths: &Paths, settings: &Settings) -> Result<()> {
    let row =
        rows::get(&store.db.conn, id)?.ok_or_else(|| ContainerError::NotFound(id.to_string()))?;
    let rootfs = paths.rootfs();
    fs::create_dir_all(&rootfs).map_err(io_err(&rootfs))?;
    if !is_mount_point(&rootfs) {
        let lower = image_lowerdirs(store, &row.image_id, false)?;
        mount_overlay(&lower, Some((&paths.upper(), &paths.work())), &rootfs)?;
    }
    let result = write_bundle(store, &row, paths, settings);
    if result.is_err() {
        let _ = unmount(paths);
    }
    result
}

fn write_bundle(
    store: &Store,
    row: &rows::ContainerRow,
    paths: &Paths,
    settings: &Settings,
) -> Result<()> {
    let hostname = settings
        .hostname
        .clone()
        .unwrap_or_else(|| row.id[..12].to_string());
    let host_net = settings.network == "host";
    let hostname = if host_net {
        nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or(hostname)
    } else {
        hostname
    };
    write_file(&paths.dir.join("hostname"), &format!("{hostname}\n"))?;
    let hosts = if host_net {
        fs::read_to_string("/etc/hosts").unwrap_or_default()
    } else {
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\
         fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n\
         ff02::2\tip6-allrouters\n"
            .to_string()
    };
    write_file(&paths.dir.join("hosts"), &hosts)?;
    write_file(&paths.dir.join("resolv.conf"), &resolv_conf(host_net))?;

    let image_config = crate::images::config(store, &row.image_id)?;
    let volume_mounts = crate::volumes::mounts::prepare(
        &store.root,
        &store.runroot,
        &row.id,
        &settings.mounts,
        &paths.rootfs(),
        &paths.run.join("binds"),
    )?;
    let mut spec = super::runspec::build(
        settings,
        &image_config,
        &row.id,
        paths,
        &hostname,
        volume_mounts,
    )?;
    let to_json = |spec: &oci_spec::runtime::Spec| {
        serde_json::to_vec_pretty(spec)
            .map_err(|e| ContainerError::Invalid(format!("serializing the runtime spec: {e}")))
    };
    write_file_bytes(&paths.spec(), &to_json(&spec)?)?;
    crate::spec::adapt_for_libcontainer(&mut spec);
    let rb = paths.runtime_bundle();
    fs::create_dir_all(&rb).map_err(io_err(&rb))?;
    write_file_bytes(&rb.join("config.json"), &to_json(&spec)?)
}

/// The host's resolv.conf, without loopback name servers (unreachable from a container's own
/// network namespace); Docker's fallback servers when none are left.
pub fn resolv_conf(host_net: bool) -> String {
    let host = fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    if host_net {
        return host;
    }
    let mut out = String::new();
    let mut servers = 0;
    for line in host.lines() {
        let t = line.trim();
        if let Some(ip) = t.strip_prefix("nameserver") {
            let ip = ip.trim();
            if ip.starts_with("127.") || ip == "::1" {
                continue;
            }
            servers += 1;
        }
        out.push_str(line);
        out.push('\n');
    }
    if servers == 0 {
        out.push_str("nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    }
    out
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    write_file_bytes(path, text.as_bytes())
}

/// Writes through a temp file and a rename.
fn write_file_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// Unmounts the rootfs (if mounted) and removes its mount point, and the private stages of bind
/// sources (`volumes::mounts`).
pub fn unmount(paths: &Paths) -> Result<()> {
    crate::volumes::mounts::unmount_stages(&paths.run.join("binds"));
    let rootfs = paths.rootfs();
    if is_mount_point(&rootfs) {
        nix::mount::umount2(&rootfs, nix::mount::MntFlags::MNT_DETACH).map_err(|e| {
            ContainerError::Runtime(format!("unmounting {}: {e}", rootfs.display()))
        })?;
    }
    match fs::remove_dir(&rootfs) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(&rootfs)(e)),
        _ => Ok(()),
    }
}
