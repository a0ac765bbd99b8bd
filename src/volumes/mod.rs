//! Volumes: named and anonymous directories under `ROOT/volumes/<name>/_data` (Docker's local
//! driver layout), their rows in the database, and what a container start needs from them
//! (`mounts.rs`: the bind mounts of the runtime spec, copy-up of the image's content).
//!
//! ```text
//! ROOT/volumes/<name>/_data    the volume's content, bind-mounted into containers
//! ```
//!
//! A volume is made in the temp area and renamed into place inside the write transaction that
//! records it: a failure leaves neither a row nor a directory. "In use" means referenced by a
//! container (running or not), as Docker counts it; `volume_refs` rows say which.

pub mod copy;
pub mod mounts;
pub mod parse;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

pub use parse::{MountKind, MountSpec, parse_mount_flag, parse_volume_flag};
use rusqlite::Connection;

use crate::state::StateError;
use crate::state::volumes::{self as rows, VolumeRow};
use crate::store::Store;
use crate::tmp::TempArea;

#[derive(Debug, thiserror::Error)]
pub enum VolumeError {
    #[error("get {0}: no such volume")]
    NotFound(String),
    #[error("remove {name}: volume is in use - [{}]", .ids.join(", "))]
    InUse { name: String, ids: Vec<String> },
    #[error(
        "{0:?} includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
    )]
    BadName(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl From<rusqlite::Error> for VolumeError {
    fn from(e: rusqlite::Error) -> Self {
        VolumeError::State(StateError::Sql(e))
    }
}

pub type Result<T> = std::result::Result<T, VolumeError>;

pub fn io_err(path: &Path) -> impl FnOnce(io::Error) -> VolumeError + '_ {
    move |source| VolumeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Docker's volume name rule: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, the same as for containers.
pub fn is_valid_name(n: &str) -> bool {
    crate::names::is_valid(n)
}

/// The label Docker puts on anonymous volumes.
pub const ANONYMOUS_LABEL: &str = "com.docker.volume.anonymous";

/// `ROOT/volumes/<name>/opts.json`: the local driver's mount options (type, device, o).
pub const OPTS_FILE: &str = "opts.json";

/// `ROOT/volumes`.
pub fn volumes_dir(root: &Path) -> PathBuf {
    root.join("volumes")
}

/// `ROOT/volumes/<name>/_data`, Docker's Mountpoint.
pub fn data_dir(root: &Path, name: &str) -> PathBuf {
    volumes_dir(root).join(name).join("_data")
}

fn now_secs() -> i64 {
    crate::images::now_secs()
}

/// Inside the caller's write transaction: records volume `name` and makes its directory (in
/// the temp area, renamed into place). Directories made are pushed to `made`, for the caller to
/// remove if its transaction does not commit. An existing volume is left as it is.
/// Returns whether the volume was created.
#[allow(clippy::too_many_arguments)]
pub fn create_in_tx(
    conn: &Connection,
    root: &Path,
    tmp: &TempArea,
    name: &str,
    anonymous: bool,
    labels: BTreeMap<String, String>,
    options: BTreeMap<String, String>,
    made: &mut Vec<PathBuf>,
) -> Result<bool> {
    if rows::get(conn, name)?.is_some() {
        return Ok(false);
    }
    check_options(&options)?;
    let mut labels = labels;
    if anonymous {
        // Docker 23+ marks anonymous volumes so (`volume prune` without `-a` takes only these).
        labels.insert(ANONYMOUS_LABEL.to_string(), String::new());
    }
    rows::insert(
        conn,
        &VolumeRow {
            name: name.to_string(),
            driver: "local".into(),
            created: now_secs(),
            labels,
            options: options.clone(),
            anonymous,
        },
    )?;
    let opts_json = serde_json::to_vec(&options).expect("serializable");
    let dir = volumes_dir(root);
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let t = tmp.new_dir("volume").map_err(io_err(tmp.dir()))?;
    let data = t.join("_data");
    // Driver options are kept beside the data too (as Docker's local driver keeps opts.json):
    // a container start reads them without the database.
    let opts_file = t.join(OPTS_FILE);
    let made_data = std::fs::create_dir(&data)
        .map_err(io_err(&data))
        .and_then(|_| {
            if options.is_empty() {
                Ok(())
            } else {
                std::fs::write(&opts_file, &opts_json).map_err(io_err(&opts_file))
            }
        });
    let final_dir = dir.join(name);
    // A directory without a row is what a creation killed before its commit left: empty, and
    // nobody's (no row, so no container refers to it).
    if final_dir.exists() {
        let trash = tmp.new_path("volume-stale").map_err(io_err(tmp.dir()))?;
        std::fs::rename(&final_dir, &trash).map_err(io_err(&final_dir))?;
        let _ = crate::tmp::remove_any(&trash);
    }
    let r = made_data.and_then(|_| std::fs::rename(&t, &final_dir).map_err(io_err(&final_dir)));
    if let Err(e) = r {
        let _ = crate::tmp::remove_any(&t);
        return Err(e);
    }
    made.push(final_dir);
    Ok(true)
}

/// The local driver's options: `type` and `device` together, and `o`.
fn check_options(options: &BTreeMap<String, String>) -> Result<()> {
    for k in options.keys() {
        if !["type", "device", "o"].contains(&k.as_str()) {
            return Err(VolumeError::Invalid(format!(
                "invalid option key: {k:?} (the local driver takes type, device, o)"
            )));
        }
    }
    if !options.is_empty() && (!options.contains_key("type") || !options.contains_key("device")) {
        return Err(VolumeError::Invalid(
            "volume options need both type and device (e.g. --opt type=tmpfs --opt device=tmpfs)"
                .into(),
        ));
    }
    Ok(())
}

/// Records the `create` events of the volumes whose directories a committed transaction made.
pub fn record_created(root: &Path, made: &[PathBuf]) {
    for d in made {
        if let Some(name) = d.file_name() {
            record(root, "create", &name.to_string_lossy());
        }
    }
}

fn record(root: &Path, action: &str, name: &str) {
    crate::events::record(
        root,
        crate::events::Event::new(crate::events::Type::Volume, action, name)
            .attr("driver", "local"),
    );
}

/// Removes directories made for a transaction that did not commit.
pub fn undo_dirs(made: &[PathBuf]) {
    for d in made {
        let _ = crate::tmp::remove_any(d);
    }
}

/// A new anonymous volume name: 64 hex digits.
pub fn anonymous_name() -> String {
    crate::names::new_id()
}

/// `volume create [NAME]`: an existing volume of that name is returned as it is (Docker).
pub fn create(
    store: &mut Store,
    name: Option<&str>,
    labels: BTreeMap<String, String>,
    options: BTreeMap<String, String>,
) -> Result<VolumeRow> {
    let (anonymous, name) = match name {
        Some(n) if !is_valid_name(n) => return Err(VolumeError::BadName(n.to_string())),
        Some(n) => (false, n.to_string()),
        None => (true, anonymous_name()),
    };
    let mut made = Vec::new();
    let root = store.root.clone();
    let tmp = store.tmp.clone();
    let tx = store.db.write()?;
    let r = create_in_tx(
        &tx, &root, &tmp, &name, anonymous, labels, options, &mut made,
    )
    .and_then(|_| tx.commit().map_err(|e| StateError::Sql(e).into()));
    match &r {
        Ok(()) => record_created(&root, &made),
        Err(_) => undo_dirs(&made),
    }
    r?;
    get(store, &name)
}

pub fn get(store: &Store, name: &str) -> Result<VolumeRow> {
    rows::get(&store.db.conn, name)?.ok_or_else(|| VolumeError::NotFound(name.to_string()))
}

pub fn list(store: &Store) -> Result<Vec<VolumeRow>> {
    Ok(rows::list(&store.db.conn)?)
}

/// Containers using each volume.
pub fn ref_counts(store: &Store) -> Result<BTreeMap<String, usize>> {
    Ok(rows::ref_counts(&store.db.conn)?)
}

/// Deletes volume `name` (its row, then its directory) unless a container uses it. Returns
/// false when there is no such volume.
pub fn remove(store: &mut Store, name: &str) -> Result<bool> {
    let root = store.root.clone();
    let tmp = store.tmp.clone();
    let tx = store.db.write()?;
    if rows::get(&tx, name)?.is_none() {
        return Ok(false);
    }
    let users = rows::users(&tx, name)?;
    if !users.is_empty() {
        return Err(VolumeError::InUse {
            name: name.to_string(),
            ids: users,
        });
    }
    rows::delete(&tx, name)?;
    // A volume with mount options is mounted only while containers use it; a crash may have
    // left it mounted.
    let data = data_dir(&root, name);
    if crate::mountinfo::is_mount_point(&data) {
        let _ = nix::mount::umount2(&data, nix::mount::MntFlags::MNT_DETACH);
    }
    // Out of the way inside the transaction (the directory is gone if the row is); the actual
    // deletion after the commit (a kill in between leaves a temp entry the sweep removes).
    let dir = volumes_dir(&root).join(name);
    let trash = tmp.new_path("volume-rm").map_err(io_err(tmp.dir()))?;
    match std::fs::rename(&dir, &trash) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&dir)(e)),
    }
    if let Err(e) = tx.commit() {
        let _ = std::fs::rename(&trash, &dir);
        return Err(StateError::Sql(e).into());
    }
    let _ = crate::tmp::remove_any(&trash);
    record(&root, "destroy", name);
    Ok(true)
}

/// `volume prune [-a]`: unused anonymous volumes (all unused ones with `all`), optionally only
/// those matching `keep_if`. Returns the names removed and the bytes reclaimed.
pub fn prune(
    store: &mut Store,
    all: bool,
    matches: impl Fn(&VolumeRow) -> bool,
) -> Result<(Vec<String>, u64)> {
    let used = ref_counts(store)?;
    let mut removed = Vec::new();
    let mut bytes = 0;
    for v in list(store)? {
        if used.contains_key(&v.name) || !(all || v.anonymous) || !matches(&v) {
            continue;
        }
        let size = copy::disk_usage(&data_dir(&store.root, &v.name));
        match remove(store, &v.name) {
            Ok(true) => {
                bytes += size;
                removed.push(v.name);
            }
            // Taken into use meanwhile.
            Ok(false) | Err(VolumeError::InUse { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok((removed, bytes))
}

/// After a container's removal with `rm -v` (or `--rm`): its anonymous volumes that no other
/// container uses.
pub fn remove_anonymous(store: &mut Store, names: &[String]) {
    for n in names {
        if let Ok(Some(v)) = rows::get(&store.db.conn, n)
            && v.anonymous
        {
            match remove(store, n) {
                Ok(_) | Err(VolumeError::InUse { .. }) => {}
                Err(e) => tracing::warn!("removing volume {n}: {e}"),
            }
        }
    }
}
