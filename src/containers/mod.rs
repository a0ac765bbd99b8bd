//! Containers as records and directories: create, find by name/ID/prefix, remove, list, and the
//! data `ps` and `inspect` show. Running a container is the monitor's job (`crate::monitor`).
//!
//! ```text
//! ROOT/containers/<id>/config.json     OCI bundle (runtime spec), root.path = RUNROOT/…/rootfs
//! ROOT/containers/<id>/upper, work     the writable overlay layer
//! ROOT/containers/<id>/hosts, hostname, resolv.conf   generated, bind-mounted into the container
//! ROOT/containers/<id>/<id>-json.log   logs (Docker's json-file format; `local`: local-logs/)
//! RUNROOT/containers/<id16>/rootfs     overlay mount point (while running)
//! RUNROOT/containers/<id16>/attach.sock  the monitor's socket
//! ```

pub mod archive;
pub mod attach;
pub mod events;
pub mod exec;
pub mod filesystem;
pub mod health;
pub mod lifecycle;
pub mod links;
pub mod pause;
pub mod runspec;
pub mod settings;
pub mod stats;
pub mod top;
pub mod update;
pub mod volumes;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use settings::{NetworkAttachment, RestartPolicy, Settings};

use crate::clock::now_nanos;
use crate::images::{self, ImageError};
use crate::names;
use crate::state::StateError;
use crate::state::containers::{self as rows, ContainerRow, Status};
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    #[error("No such container: {0}")]
    NotFound(String),
    #[error("container ID prefix {0:?} is ambiguous: it matches several containers")]
    Ambiguous(String),
    #[error(
        "Conflict. The container name \"/{name}\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name."
    )]
    NameTaken { name: String, id: String },
    #[error("Invalid container name ({0}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")]
    BadName(String),
    #[error(
        "cannot remove container \"/{0}\": container is running: stop the container before removing or force remove"
    )]
    Running(String),
    #[error("container {0} is not running")]
    NotRunning(String),
    #[error("container {0} is already running")]
    AlreadyRunning(String),
    #[error("{0}")]
    Invalid(String),
    /// `update` refused: the new values conflict with the stored ones (Docker: 409).
    #[error("{0}")]
    UpdateConflict(String),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Overlay(#[from] crate::overlay::OverlayError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Volume(#[from] crate::volumes::VolumeError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0}")]
    Runtime(String),
    #[error(transparent)]
    Monitor(#[from] crate::monitor::client::ClientError),
    /// Bad input the spec generator refused (a capability, a ulimit, a size…).
    #[error(transparent)]
    Spec(#[from] crate::spec::SpecError),
    /// The container's networks or ports refused (a static address outside the subnet, a
    /// port already published…).
    #[error(transparent)]
    Network(#[from] crate::network::NetworkError),
    #[error(transparent)]
    Port(#[from] crate::network::ports::PortError),
    #[error("container {id}: its stored settings cannot be read: {source}")]
    BadSettings {
        id: String,
        #[source]
        source: serde_json::Error,
    },
}

impl From<rusqlite::Error> for ContainerError {
    fn from(e: rusqlite::Error) -> Self {
        ContainerError::State(StateError::Sql(e))
    }
}

pub type Result<T> = std::result::Result<T, ContainerError>;

pub fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ContainerError + '_ {
    move |source| ContainerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where a container's files live.
#[derive(Debug, Clone)]
pub struct Paths {
    pub dir: PathBuf,
    pub run: PathBuf,
}

impl Paths {
    pub fn new(store: &Store, id: &str) -> Paths {
        Paths::at(&store.root, &store.runroot, id)
    }
    /// [`Paths::new`] for a store's `root` and `runroot` before the store is opened.
    pub fn at(root: &Path, runroot: &Path, id: &str) -> Paths {
        Paths {
            dir: root.join("containers").join(id),
            run: runroot.join("containers").join(&id[..16]),
        }
    }
    pub fn upper(&self) -> PathBuf {
        self.dir.join("upper")
    }
    pub fn work(&self) -> PathBuf {
        self.dir.join("work")
    }
    /// The standard OCI bundle (any OCI runtime could run it).
    pub fn bundle(&self) -> &Path {
        &self.dir
    }
    /// The bundle handed to the embedded runtime: the same spec with its seccomp profile
    /// compiled (see `runtime::seccomp`).
    pub fn runtime_bundle(&self) -> PathBuf {
        self.dir.join("runtime-bundle")
    }
    pub fn spec(&self) -> PathBuf {
        self.dir.join("config.json")
    }
    pub fn log(&self) -> PathBuf {
        let id = self
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.dir.join(format!("{id}-json.log"))
    }
    /// The current log file of a driver that writes one (json-file: [`Paths::log`], local:
    /// `local-logs/container.log`, as Docker's).
    pub fn log_file(&self, driver: crate::monitor::logs::Driver) -> Option<PathBuf> {
        use crate::monitor::logs::Driver;
        match driver {
            Driver::JsonFile => Some(self.log()),
            Driver::Local => Some(self.dir.join("local-logs").join("container.log")),
            Driver::None => None,
        }
    }
    pub fn rootfs(&self) -> PathBuf {
        self.run.join("rootfs")
    }
    /// The /dev/shm tmpfs of an `--ipc shareable` container while it runs (on the host, so
    /// that `--ipc container:` joiners bind the same one).
    pub fn shm(&self) -> PathBuf {
        self.run.join("shm")
    }
    pub fn socket(&self) -> PathBuf {
        self.run.join("attach.sock")
    }
}

/// Finds a container by full ID, name, or unique ID prefix.
pub fn resolve(store: &Store, name: &str) -> Result<ContainerRow> {
    let conn = &store.db.conn;
    let name = name.strip_prefix('/').unwrap_or(name);
    if name.len() == 64
        && let Some(c) = rows::get(conn, name)?
    {
        return Ok(c);
    }
    if let Some(c) = rows::by_name(conn, name)? {
        return Ok(c);
    }
    if !name.is_empty() && name.bytes().all(|c| c.is_ascii_hexdigit()) {
        let ids = rows::ids_with_prefix(conn, &name.to_ascii_lowercase())?;
        match ids.len() {
            1 => {
                return rows::get(conn, &ids[0])?
                    .ok_or_else(|| ContainerError::NotFound(name.to_string()));
            }
            n if n > 1 => return Err(ContainerError::Ambiguous(name.to_string())),
            _ => {}
        }
    }
    Err(ContainerError::NotFound(name.to_string()))
}

/// Is process `pid` alive (and not a zombie)?
pub fn pid_alive(pid: i64) -> bool {
    if pid <= 0 {
        return false;
    }
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// Is `pid` this container's monitor? (After a reboot the pid may belong to anything.)
pub fn monitor_alive(pid: i64, id: &str) -> bool {
    pid_alive(pid)
        && fs::read(format!("/proc/{pid}/cmdline"))
            .map(|c| {
                let c = String::from_utf8_lossy(&c);
                c.contains("container-monitor") && c.contains(id)
            })
            .unwrap_or(false)
}

/// Containers recorded as active whose monitor is gone (SIGKILLed, or a reboot emptied the run
/// root) are marked exited, and their leftovers are cleaned. Returns the row as it is now.
pub fn reconcile(store: &mut Store, c: ContainerRow) -> Result<ContainerRow> {
    if !c.status.is_active() || monitor_alive(c.monitor_pid, &c.id) {
        return Ok(c);
    }
    tracing::info!("container {} lost its monitor: marking it exited", c.id);
    let paths = Paths::new(store, &c.id);
    // The container process may have outlived its monitor: kill it.
    if pid_alive(c.pid) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(c.pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    cleanup_runtime(store, &c.id, &paths);
    let tx = store.db.write()?;
    rows::set_exited(
        &tx,
        &c.id,
        255,
        false,
        now_nanos(),
        "the container's monitor died",
    )?;
    tx.commit().map_err(StateError::from)?;
    Ok(rows::get(&store.db.conn, &c.id)?.unwrap_or(c))
}

/// All containers, reconciled, newest first.
pub fn list(store: &mut Store) -> Result<Vec<ContainerRow>> {
    let all = rows::list(&store.db.conn)?;
    let mut out = Vec::with_capacity(all.len());
    for c in all {
        out.push(reconcile(store, c)?);
    }
    Ok(out)
}

/// Gives `upper` the mode and owner of `top` (the image's top layer directory).
fn image_root_attributes(top: Option<&Path>, upper: &Path) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(top) = top else { return Ok(()) };
    let m = fs::metadata(top).map_err(io_err(top))?;
    std::os::unix::fs::chown(upper, Some(m.uid()), Some(m.gid())).map_err(io_err(upper))?;
    fs::set_permissions(upper, fs::Permissions::from_mode(m.mode() & 0o7777))
        .map_err(io_err(upper))?;
    Ok(())
}

/// Creates the container's record and directories. The image must be present.
pub fn create(store: &mut Store, settings: &Settings, name: Option<&str>) -> Result<ContainerRow> {
    create_with_id(store, settings, name, names::new_id())
}

/// [`create`] with the ID chosen beforehand ([`names::new_id`]): `run` spawns the container's
/// monitor with it first, so that the monitor starts up while the container is created.
pub fn create_with_id(
    store: &mut Store,
    settings: &Settings,
    name: Option<&str>,
    id: String,
) -> Result<ContainerRow> {
    let (image_id, _) = images::resolve(store, &settings.image)?;
    if let Some(n) = name
        && !names::is_valid(n)
    {
        return Err(ContainerError::BadName(n.to_string()));
    }
    // Validate everything the spec will need now, so a bad flag leaves nothing behind.
    let image_config = images::config(store, &image_id)?;
    if let Some(h) = &settings.healthcheck {
        health::validate(h)?;
    }
    let mut settings = settings.clone();
    settings.mounts = volumes::resolve_mounts(store, &settings, &image_config)?;
    settings::validate(&settings, &image_config)?;
    settings.links = resolve_links(store, &settings.links)?;
    let settings = &settings;
    for other in settings.peers() {
        resolve(store, other)?;
    }
    let net = crate::network::bridge_network_of(store, &settings.network)?;
    let static_ip = match (&net, &settings.ip) {
        (Some(n), Some(ip)) => Some(crate::network::check_static_ip(n, ip)?),
        _ => None,
    };
    let static_ip6 = match (&net, &settings.ip6) {
        (Some(n), Some(ip)) => Some(crate::network::check_static_ip6(n, ip)?),
        _ => None,
    };
    let static_mac = match (&net, &settings.mac_address) {
        (Some(_), Some(m)) => Some(crate::network::check_static_mac(m)?),
        _ => None,
    };
    // The other networks (only user-defined ones: `settings::validate`), resolved and checked.
    let mut extra: Vec<crate::state::networks::EndpointRow> = Vec::new();
    for (i, a) in settings.extra_networks.iter().enumerate() {
        let n = crate::network::resolve(store, &a.name)?;
        if net.as_ref().is_some_and(|f| f.id == n.id) || extra.iter().any(|e| e.network_id == n.id)
        {
            return Err(ContainerError::Invalid(format!(
                "network {:?} is specified multiple times",
                a.name
            )));
        }
        extra.push(crate::state::networks::EndpointRow {
            container_id: id.clone(),
            network_id: n.id.clone(),
            idx: i as i64 + 1,
            aliases: a.aliases.clone(),
            static_ip: a
                .ip
                .as_deref()
                .map(|ip| crate::network::check_static_ip(&n, ip))
                .transpose()?,
            static_ip6: a
                .ip6
                .as_deref()
                .map(|ip| crate::network::check_static_ip6(&n, ip))
                .transpose()?,
            static_mac: a
                .mac_address
                .as_deref()
                .map(crate::network::check_static_mac)
                .transpose()?,
            ..Default::default()
        });
    }
    if let Some(n) = &net {
        let bindings = settings::publish_bindings(settings, &image_config)?;
        crate::network::check_publish(n, &bindings)?;
    }

    // The container's `/` has the image's mode and owner (overlayfs shows the upper
    // directory's): those of the top layer's root.
    let lower_top = crate::images::mount::lowerdirs(store, &image_id, false)?
        .into_iter()
        .next();
    let paths = Paths::new(store, &id);
    let (root, tmp) = (store.root.clone(), store.tmp.clone());
    let mut made = Vec::new();
    let row = (|| {
        let tx = store.db.write()?;
        let name = match name {
            Some(n) => {
                if let Some(other) = rows::by_name(&tx, n)? {
                    return Err(ContainerError::NameTaken {
                        name: n.to_string(),
                        id: other.id,
                    });
                }
                n.to_string()
            }
            None => names::generate(|c| rows::name_taken(&tx, c).unwrap_or(true)),
        };
        let row = ContainerRow {
            id: id.clone(),
            name,
            image_id,
            image_name: settings.image.clone(),
            created: now_nanos(),
            config: serde_json::to_string(settings).expect("serializable"),
            ..Default::default()
        };
        rows::insert(&tx, &row)?;
        if let Some(n) = &net {
            crate::state::networks::insert_endpoint(
                &tx,
                &crate::state::networks::EndpointRow {
                    container_id: id.clone(),
                    network_id: n.id.clone(),
                    idx: 0,
                    aliases: settings.network_aliases.clone(),
                    static_ip: static_ip.clone(),
                    static_ip6: static_ip6.clone(),
                    static_mac: static_mac.clone(),
                    ..Default::default()
                },
            )?;
        }
        for e in &extra {
            crate::state::networks::insert_endpoint(&tx, e)?;
        }
        volumes::record(&tx, &root, &tmp, &id, &settings.mounts, &mut made)?;
        // Directories are made inside the transaction: if that fails, the row is rolled back.
        for d in [paths.upper(), paths.work()] {
            fs::create_dir_all(&d).map_err(io_err(&d))?;
        }
        image_root_attributes(lower_top.as_deref(), &paths.upper())?;
        tx.commit().map_err(StateError::from)?;
        Ok(row)
    })();
    match &row {
        Ok(c) => {
            crate::volumes::record_created(&store.root, &made);
            events::record(&store.root, c, "create");
        }
        Err(_) => {
            crate::volumes::undo_dirs(&made);
            let _ = crate::tmp::remove_any(&paths.dir);
        }
    }
    row
}

/// `--link NAME[:ALIAS]` values as `ID:ALIAS`, Docker's checks at create: the container
/// exists and does not use the host's network.
fn resolve_links(store: &Store, links: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for l in links {
        let (name, alias) = settings::parse_link(l)?;
        let child = match resolve(store, &name) {
            Ok(c) => c,
            Err(ContainerError::NotFound(_)) => {
                return Err(ContainerError::Invalid(format!(
                    "could not get container for {name}: no such container"
                )));
            }
            Err(e) => return Err(e),
        };
        if Settings::of(&child)?.network.is_host() {
            return Err(ContainerError::Invalid(
                "conflicting options: host type networking can't be used with links. This \
                 would result in undefined behavior"
                    .into(),
            ));
        }
        let link = format!("{}:{alias}", child.id);
        if !out.contains(&link) {
            out.push(link);
        }
    }
    Ok(out)
}

/// `rm --link /LINKER/ALIAS`: removes the link ALIAS of container LINKER (the linked
/// container stays), as Docker's. A running container's /etc/hosts keeps the entry until its
/// next start.
pub fn remove_link(store: &mut Store, name: &str) -> Result<()> {
    let full = if name.starts_with('/') {
        name.to_string()
    } else {
        format!("/{name}")
    };
    let (parent, alias) = full.rsplit_once('/').unwrap_or(("", &full));
    if parent.is_empty() {
        return Err(ContainerError::Invalid(
            "Conflict, cannot remove the default link name of the container".into(),
        ));
    }
    let linker = resolve(store, parent).map_err(|_| {
        ContainerError::Invalid(format!("Cannot get parent {parent} for link name {full}"))
    })?;
    let tx = store.db.write()?;
    let row = rows::get(&tx, &linker.id)?.ok_or_else(|| ContainerError::NotFound(full.clone()))?;
    let mut s = Settings::of(&row)?;
    let before = s.links.len();
    s.links
        .retain(|l| l.split_once(':').map(|(_, a)| a) != Some(alias));
    if s.links.len() == before {
        return Err(ContainerError::NotFound(full));
    }
    rows::set_config(
        &tx,
        &row.id,
        &serde_json::to_string(&s).expect("serializable"),
    )?;
    tx.commit().map_err(StateError::from)?;
    Ok(())
}

/// Removes a stopped container: mounts, runtime state, cgroups, directories and its row.
pub fn remove_stopped(store: &mut Store, c: &ContainerRow) -> Result<()> {
    remove_stopped_volumes(store, c, false)
}

/// [`remove_stopped`], and with `volumes` (`rm -v`, `--rm`) the container's anonymous volumes
/// that no other container uses.
pub fn remove_stopped_volumes(store: &mut Store, c: &ContainerRow, volumes: bool) -> Result<()> {
    cleanup_runtime(store, &c.id, &Paths::new(store, &c.id));
    remove_cleaned(store, c, volumes)
}

/// The rest of [`remove_stopped_volumes`] once [`cleanup_runtime`] has run (a monitor's `--rm`
/// after the container ended): the container's directories, its row, and with `volumes` its
/// anonymous volumes.
pub fn remove_cleaned(store: &mut Store, c: &ContainerRow, volumes: bool) -> Result<()> {
    let used = crate::state::volumes::of_container(&store.db.conn, &c.id)?;
    let paths = Paths::new(store, &c.id);
    archive::unmount_all(&paths.run);
    for d in [&paths.run, &paths.dir] {
        if let Err(e) = crate::tmp::remove_any(d) {
            return Err(io_err(d)(e));
        }
    }
    let tx = store.db.write()?;
    rows::delete(&tx, &c.id)?;
    tx.commit().map_err(StateError::from)?;
    events::record(&store.root, c, "destroy");
    if volumes {
        crate::volumes::remove_anonymous(store, &used);
    }
    Ok(())
}

/// `rename`: gives the container a new name (Docker's name rules, unique).
pub fn rename(store: &mut Store, c: &ContainerRow, new_name: &str) -> Result<()> {
    if !names::is_valid(new_name) {
        return Err(ContainerError::BadName(new_name.to_string()));
    }
    let tx = store.db.write()?;
    if let Some(other) = rows::by_name(&tx, new_name)? {
        return Err(ContainerError::NameTaken {
            name: new_name.to_string(),
            id: other.id,
        });
    }
    rows::rename(&tx, &c.id, new_name)?;
    tx.commit()?;
    let renamed = ContainerRow {
        name: new_name.to_string(),
        ..c.clone()
    };
    // Docker's old name has its leading slash.
    events::record_with(
        &store.root,
        &renamed,
        "rename",
        &[("oldName", format!("/{}", c.name))],
    );
    Ok(())
}

/// `container prune`: removes every stopped container. Returns their IDs and the bytes their
/// writable layers held.
pub fn prune(
    store: &mut Store,
    select: &dyn Fn(&ContainerRow) -> bool,
) -> Result<(Vec<String>, u64)> {
    let mut deleted = Vec::new();
    let mut bytes = 0;
    for c in list(store)? {
        if matches!(c.status, Status::Exited | Status::Created | Status::Dead) && select(&c) {
            bytes += crate::volumes::copy::disk_usage(&Paths::new(store, &c.id).upper());
            remove_stopped(store, &c)?;
            deleted.push(c.id);
        }
    }
    Ok((deleted, bytes))
}

/// Docker's STATUS column: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created", …
pub fn status_line(c: &ContainerRow, now_nanos: i64) -> String {
    use crate::clock::human_duration;
    let since = |t: i64| human_duration((now_nanos - t) / 1_000_000_000);
    match c.status {
        Status::Created => "Created".into(),
        Status::Running => format!("Up {}", since(c.started_at)),
        Status::Paused => format!("Up {} (Paused)", since(c.started_at)),
        Status::Restarting => format!("Restarting ({}) {} ago", c.exit_code, since(c.finished_at)),
        Status::Exited => {
            if c.finished_at == 0 {
                format!("Exited ({})", c.exit_code)
            } else {
                format!("Exited ({}) {} ago", c.exit_code, since(c.finished_at))
            }
        }
        Status::Dead => "Dead".into(),
        Status::Removing => "Removal In Progress".into(),
    }
}

/// The cgroup path of a container, under berth's parent group.
pub fn cgroups_path(id: &str) -> String {
    cgroups_path_in(None, id)
}

/// The cgroup path of a container under `--cgroup-parent` (from the hierarchies' root, as
/// Docker's cgroupfs driver takes it), else berth's parent group.
pub fn cgroups_path_in(parent: Option<&str>, id: &str) -> String {
    match parent
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
    {
        Some(p) => format!("/{p}/{id}"),
        None => format!("/berth/{id}"),
    }
}

/// Removes what a container's run leaves in the kernel and the run root: the runtime's state and
/// cgroups, and the rootfs mount. Best effort: failures are logged, and it is safe to repeat.
pub fn cleanup_runtime(store: &mut Store, id: &str, paths: &Paths) {
    match crate::runtime::Runtime::new(store.runroot.join("runtime")) {
        Ok(rt) => {
            if let Err(e) = rt.delete(id, true) {
                tracing::warn!("deleting the runtime state of {id}: {e}");
            }
        }
        Err(e) => tracing::warn!("opening the runtime: {e}"),
    }
    let t0 = std::time::Instant::now();
    crate::network::teardown(store, id);
    tracing::debug!("network teardown: {:?}", t0.elapsed());
    if let Err(e) = filesystem::unmount(paths) {
        tracing::warn!("{e}");
    }
    crate::volumes::mounts::release(&store.root, &store.runroot, id);
    remove_parent_cgroups();
}

/// A host-wide lock (on /sys/fs/cgroup itself, shared by every berth root) between creating a
/// container's cgroups and removing berth's parent cgroups: the monitor holds it shared while the
/// runtime creates `berth/<id>`; the removal takes it exclusively or is skipped. Without it, a
/// container that ends removes the empty `/sys/fs/cgroup/<ctrl>/berth` between another start's
/// `mkdir berth` and `mkdir berth/<id>`, and that start fails (ENOENT). The descriptor is
/// close-on-exec, so the container's command does not inherit the lock.
pub fn cgroup_parent_lock(exclusive: bool) -> Option<crate::lock::Lock> {
    use crate::lock::{Lock, Mode};
    let mode = if exclusive {
        Mode::TryExclusive
    } else {
        Mode::Shared
    };
    Lock::existing(Path::new("/sys/fs/cgroup"), mode).ok()
}

/// Removes berth's parent cgroup directories once no container uses them (rmdir fails on a
/// non-empty cgroup, so a busy one is left alone; so is everything while a container starts).
fn remove_parent_cgroups() {
    let Some(_lock) = cgroup_parent_lock(true) else {
        return;
    };
    let _ = fs::remove_dir("/sys/fs/cgroup/berth");
    if let Ok(rd) = fs::read_dir("/sys/fs/cgroup") {
        for e in rd.flatten() {
            let _ = fs::remove_dir(e.path().join("berth"));
        }
    }
}
