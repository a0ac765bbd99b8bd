//! The store: berth's data root (`--root`, persistent) and run root (`--runroot`, volatile), with
//! the database, content store and layer store inside.
//!
//! ```text
//! ROOT/berth.db                  SQLite: every record (images, tags, layers, …)
//! ROOT/blobs/sha256/<hex>        content store: manifests, configs, compressed layers
//! ROOT/layers/sha256/<hex>       layer store: one unpacked layer per diffID (overlay lowerdir)
//! ROOT/empty                     an empty directory (bottom lowerdir for one-layer mounts)
//! ROOT/tmp/<pid>-…               temp area: writes land here, then are renamed into place
//! RUNROOT/image-mounts/<hex>     mount points of `berth image mount`
//! ```

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::content::ContentStore;
use crate::layers::LayerStore;
use crate::state::{Db, StateError};
use crate::tmp::TempArea;

pub const DEFAULT_ROOT: &str = "/var/lib/berth";
pub const DEFAULT_RUNROOT: &str = "/run/berth";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    State(#[from] StateError),
}

pub struct Store {
    pub root: PathBuf,
    pub runroot: PathBuf,
    pub db: Db,
    pub content: ContentStore,
    pub layers: LayerStore,
    pub tmp: TempArea,
}

impl Store {
    /// Opens the store, creating its directories and database on first use.
    pub fn open(root: &Path, runroot: &Path) -> Result<Store, StoreError> {
        let mk = |p: &Path| {
            fs::create_dir_all(p).map_err(|source| StoreError::Io {
                path: p.to_path_buf(),
                source,
            })
        };
        mk(root)?;
        mk(runroot)?;
        mk(&root.join("empty"))?;
        let tmp = TempArea::new(root).map_err(|source| StoreError::Io {
            path: root.join("tmp"),
            source,
        })?;
        let db = Db::open(&root.join("berth.db"))?;
        Ok(Store {
            root: root.to_path_buf(),
            runroot: runroot.to_path_buf(),
            content: ContentStore::new(root, tmp.clone()),
            layers: LayerStore::new(root, tmp.clone()),
            db,
            tmp,
        })
    }

    pub fn empty_dir(&self) -> PathBuf {
        self.root.join("empty")
    }

    pub fn image_mounts_dir(&self) -> PathBuf {
        self.runroot.join("image-mounts")
    }
}
