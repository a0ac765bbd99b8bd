//! A container's root filesystem and bundle: the overlay of its image's layers plus its own
//! upper/work directories, the generated /etc files, and the runtime spec (config.json).

use std::fs;
use std::path::{Path, PathBuf};

use super::{ContainerError, Paths, Result, Settings, io_err};
use crate::images::mount::lowerdirs;
use crate::mountinfo::is_mount_point;
use crate::network::Attached;
use crate::overlay::{VOLATILE_MARK, Writable, mount_overlay};
use crate::state::containers as rows;
use crate::store::Store;

/// Mounts the rootfs (if not mounted), writes /etc/hosts, /etc/hostname, /etc/resolv.conf and
/// the bundle's config.json.
pub fn prepare(
    store: &Store,
    id: &str,
    paths: &Paths,
    settings: &Settings,
    net: &Attached,
) -> Result<()> {
    let row =
        rows::get(&store.db.conn, id)?.ok_or_else(|| ContainerError::NotFound(id.to_string()))?;
    let rootfs = paths.rootfs();
    fs::create_dir_all(&rootfs).map_err(io_err(&rootfs))?;
    if !is_mount_point(&rootfs) {
        let (upper, work) = (paths.upper(), paths.work());
        if work.join(VOLATILE_MARK).exists() {
            return Err(ContainerError::Invalid(format!(
                "container {}: its writable layer (--rm: never synced) was never unmounted \
                 (did the host go down?) and may have lost writes: remove the container",
                &row.id[..12]
            )));
        }
        let lower = lowerdirs(store, &row.image_id, false)?;
        // A `--rm` container's layer goes with the container: never synced (as Podman).
        let writable = Writable {
            upper: &upper,
            work: &work,
            volatile: settings.auto_remove,
        };
        mount_overlay(&lower, Some(writable), &rootfs)?;
    }
    let result = write_bundle(store, &row, paths, settings, net);
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
    net: &Attached,
) -> Result<()> {
    let host_net = settings.network.is_host() || settings.uts == "host";
    if let Some(other) = settings.network.container() {
        // The network's files are the other container's.
        let o = super::resolve(store, other)?;
        let odir = Paths::new(store, &o.id).dir;
        for f in ["hostname", "hosts", "resolv.conf"] {
            let text = fs::read_to_string(odir.join(f)).unwrap_or_default();
            write_file(&paths.dir.join(f), &text)?;
        }
    } else {
        let hostname = if host_net {
            nix::unistd::gethostname()
                .map(|h| h.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            settings
                .hostname
                .clone()
                .unwrap_or_else(|| row.id[..12].to_string())
        };
        write_file(&paths.dir.join("hostname"), &format!("{hostname}\n"))?;
        write_file(
            &paths.dir.join("hosts"),
            &hosts(store, row, settings, net, &hostname)?,
        )?;
        write_file(
            &paths.dir.join("resolv.conf"),
            &resolv_conf(settings, net.dns.is_some()),
        )?;
    }
    let image_config = crate::images::config(store, &row.image_id)?;
    let volume_mounts = crate::volumes::mounts::prepare(
        &store.root,
        &store.runroot,
        &row.id,
        &settings.mounts,
        &paths.rootfs(),
        &paths.run.join("binds"),
    )?;
    let peer = |mode: &str, what: &str| -> Result<Option<i64>> {
        let Some(name) = Settings::ns_peer(mode) else {
            return Ok(None);
        };
        let o = super::resolve(store, name)?;
        if !o.status.is_active() || o.pid <= 0 || !super::pid_alive(o.pid) {
            return Err(ContainerError::Invalid(format!(
                "cannot join {what} of a non running container: {name}"
            )));
        }
        Ok(Some(o.pid))
    };
    let mut peers = super::runspec::NsPeers {
        ipc: peer(&settings.ipc, "IPC")?,
        pid: peer(&settings.pid, "PID")?,
        shm: None,
    };
    if let Some(name) = Settings::ns_peer(&settings.ipc) {
        // Docker's: the donor's /dev/shm is shared, so the donor must have made it shareable.
        let o = super::resolve(store, name)?;
        let shm = Paths::new(store, &o.id).shm();
        if Settings::of(&o)?.ipc != "shareable" || !is_mount_point(&shm) {
            return Err(ContainerError::Invalid(format!(
                "container {name}: non-shareable IPC (hint: use IpcMode:shareable for the donor \
                 container)"
            )));
        }
        peers.shm = Some(shm);
    } else if settings.ipc == "shareable" {
        peers.shm = Some(mount_shm(paths, settings.shm_size)?);
    }
    let start_net = super::runspec::StartNetwork {
        netns: net.netns.as_deref(),
        link_env: super::links::start_env(store, row, settings, net)?,
    };
    let spec = super::runspec::build(
        settings,
        &image_config,
        &row.id,
        paths,
        start_net,
        volume_mounts,
        peers,
    )?;
    let to_json = |spec: &oci_spec::runtime::Spec| {
        serde_json::to_vec_pretty(spec)
            .map_err(|e| ContainerError::Invalid(format!("serializing the runtime spec: {e}")))
    };
    write_file_bytes(&paths.spec(), &to_json(&spec)?)?;
    let rb = paths.runtime_bundle();
    fs::create_dir_all(&rb).map_err(io_err(&rb))?;
    crate::runtime::Runtime::new(store.runroot.join("runtime"))
        .and_then(|rt| rt.write_bundle(&spec, &rb))
        .map_err(|e| ContainerError::Runtime(e.to_string()))
}

/// /etc/hosts: the host's with `--network host`, else the usual local names and the container's
/// own address; then `--add-host` entries and `--link`s.
fn hosts(
    store: &Store,
    row: &rows::ContainerRow,
    settings: &Settings,
    net: &Attached,
    hostname: &str,
) -> Result<String> {
    let mut out = if settings.network.is_host() {
        fs::read_to_string("/etc/hosts").unwrap_or_default()
    } else {
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\
         fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n\
         ff02::2\tip6-allrouters\n"
            .to_string()
    };
    for h in &settings.add_hosts {
        let (name, ip) = super::settings::parse_add_host(h)?;
        let ip = if ip == "host-gateway" {
            host_gateway(store, net)
        } else {
            ip
        };
        out.push_str(&format!("{ip}\t{name}\n"));
    }
    if let Some(j) = net.primary() {
        out.push_str(&format!("{}\t{hostname}\n", j.ip));
        if let Some(ip6) = j.ip6 {
            out.push_str(&format!("{ip6}\t{hostname}\n"));
        }
    }
    for l in &settings.links {
        out.push_str(&link_entry(store, row, net, l)?);
    }
    Ok(out)
}

/// The /etc/hosts lines of a legacy link (`ID:ALIAS`): the linked container's address on a
/// network both are on, with the alias, its host name and its name, as Docker writes them.
/// The linked container must be running (Docker's check at start).
fn link_entry(
    store: &Store,
    row: &rows::ContainerRow,
    net: &Attached,
    link: &str,
) -> Result<String> {
    let (id, alias) = link.split_once(':').unwrap_or((link, link));
    let child = rows::get(&store.db.conn, id)?.ok_or_else(|| {
        ContainerError::Invalid(format!(
            "could not get container for {alias}: it was removed"
        ))
    })?;
    if !child.status.is_active() {
        return Err(ContainerError::Invalid(format!(
            "Cannot link to a non running container: /{} AS /{}/{alias}",
            child.name, row.name
        )));
    }
    let eps = crate::state::networks::endpoints_of(&store.db.conn, &child.id)?;
    let Some(ep) = eps
        .iter()
        .find(|e| e.ip.is_some() && net.joined.iter().any(|j| j.network.id == e.network_id))
    else {
        return Err(ContainerError::Invalid(format!(
            "Cannot link to /{}, as it does not belong to the default network",
            child.name
        )));
    };
    let child_hostname = Settings::of(&child)?
        .hostname
        .unwrap_or_else(|| child.id[..12].to_string());
    let mut names = format!("{alias} {child_hostname}");
    if alias != child.name {
        names.push_str(&format!(" {}", child.name));
    }
    let mut out = format!("{}\t{names}\n", ep.ip.as_deref().unwrap_or_default());
    if let Some(ip6) = &ep.ip6 {
        out.push_str(&format!("{ip6}\t{names}\n"));
    }
    Ok(out)
}

/// The host's address as containers see it (`--add-host NAME:host-gateway`): the gateway of the
/// container's first network, else of the default network.
fn host_gateway(store: &Store, net: &Attached) -> String {
    if let Some(j) = net.primary() {
        return j.network.gateway.clone();
    }
    crate::state::networks::network_by_name(&store.db.conn, crate::network::DEFAULT_NETWORK)
        .ok()
        .flatten()
        .map(|n| n.gateway)
        .unwrap_or_else(|| "127.0.0.1".into())
}

/// /etc/resolv.conf. With `--network host`, the host's. With berth's DNS server in the
/// container (bridge networks), `nameserver 127.0.0.11` — it answers the names of containers
/// on user-defined networks and relays the rest to `--dns` or the host's resolvers, even ones
/// on 127.x that the container could not reach itself. Otherwise the host's resolvers without
/// loopback ones. `--dns`, `--dns-search` and `--dns-option` replace the host's lines.
pub fn resolv_conf(settings: &Settings, relay: bool) -> String {
    let host = fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let host_net = settings.network.is_host();
    let mut servers: Vec<String> = Vec::new();
    let mut search: Vec<String> = Vec::new();
    let mut options: Vec<String> = Vec::new();
    for line in host.lines() {
        let mut w = line.split_whitespace();
        match w.next() {
            Some("nameserver") => servers.extend(w.next().map(str::to_string)),
            Some("search") | Some("domain") => search = w.map(str::to_string).collect(),
            Some("options") => options.extend(w.map(str::to_string)),
            _ => {}
        }
    }
    if !settings.dns.is_empty() {
        servers = settings.dns.clone();
    }
    if !settings.dns_search.is_empty() {
        search = settings.dns_search.clone();
        search.retain(|s| s != ".");
    }
    if !settings.dns_options.is_empty() {
        options = settings.dns_options.clone();
    }
    if relay {
        servers = vec![crate::network::dns::ADDRESS.to_string()];
        if !options.iter().any(|o| o.starts_with("ndots:")) {
            options.push("ndots:0".into());
        }
    } else if !host_net {
        servers.retain(|ip| !ip.starts_with("127.") && ip != "::1");
        if servers.is_empty() {
            servers = vec!["8.8.8.8".into(), "8.8.4.4".into()];
        }
    }
    let mut out = String::new();
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    for s in &servers {
        out.push_str(&format!("nameserver {s}\n"));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
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

/// Mounts an `--ipc shareable` container's /dev/shm tmpfs on the host (Docker's mode, size
/// and flags), if not mounted; its path.
fn mount_shm(paths: &Paths, size: Option<u64>) -> Result<PathBuf> {
    use nix::mount::{MsFlags, mount};
    let shm = paths.shm();
    fs::create_dir_all(&shm).map_err(io_err(&shm))?;
    if !is_mount_point(&shm) {
        let size = size
            .filter(|n| *n > 0)
            .unwrap_or(crate::spec::DEFAULT_SHM_SIZE);
        mount(
            Some("shm"),
            &shm,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            Some(format!("mode=1777,size={size}").as_str()),
        )
        .map_err(|e| ContainerError::Runtime(format!("mounting {}: {e}", shm.display())))?;
    }
    Ok(shm)
}

/// Unmounts the rootfs (if mounted) and removes its mount point, the private stages of bind
/// sources (`volumes::mounts`) and an `--ipc shareable` container's /dev/shm.
pub fn unmount(paths: &Paths) -> Result<()> {
    crate::volumes::mounts::unmount_stages(&paths.run.join("binds"));
    let shm = paths.shm();
    if is_mount_point(&shm) {
        nix::mount::umount2(&shm, nix::mount::MntFlags::MNT_DETACH)
            .map_err(|e| ContainerError::Runtime(format!("unmounting {}: {e}", shm.display())))?;
    }
    let _ = fs::remove_dir(&shm);
    let rootfs = paths.rootfs();
    if is_mount_point(&rootfs) {
        nix::mount::umount2(&rootfs, nix::mount::MntFlags::MNT_DETACH).map_err(|e| {
            ContainerError::Runtime(format!("unmounting {}: {e}", rootfs.display()))
        })?;
        // Unmounted with the host up: nothing the volatile mount wrote is lost, the layer
        // may be mounted again (`restart`).
        let mark = paths.work().join(VOLATILE_MARK);
        match fs::remove_dir_all(&mark) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_err(&mark)(e)),
            _ => {}
        }
    }
    match fs::remove_dir(&rootfs) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(&rootfs)(e)),
        _ => Ok(()),
    }
}
