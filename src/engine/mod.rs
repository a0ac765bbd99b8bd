//! The engine: every user-level operation of berth as a library function with typed options
//! and typed results, called by both front ends — the command line (`crate::cli`) and the
//! Docker Engine API server. An operation never prints, prompts or touches a terminal: progress
//! is reported through the callbacks it is given, container streams go through the handles it
//! is given, and failures are [`Error`]s whose [`crate::error::ErrorKind`] gives Docker's exit
//! code or HTTP status.
//!
//! The operations are methods of [`Engine`], grouped by noun in the files of this module and
//! named noun first, as Docker's API names them (`container_create`, `image_pull`, …).

pub mod archive;
pub mod auth;
pub mod build;
pub mod containers;
mod error;
pub mod events;
pub mod execs;
pub mod health;
pub mod image_archive;
pub mod images;
mod inspect;
pub mod networks;
pub mod push;
pub mod stats;
pub mod system;
pub mod volumes;

use std::path::{Path, PathBuf};

pub use containers::{
    Attach, ContainerCreateOptions, ContainerListOptions, ContainerRemoveOptions,
    ContainerStopOptions, ContainerSummary, CreateProgress, LogRecord, LogStream, LogsOptions,
    PullPolicy, RunOutcome,
};
pub use error::{Error, Result, kind_of};
pub use networks::{NetworkConnectOptions, NetworkCreateOptions};

use crate::store::Store;

/// One berth installation: its root (images, containers, the state database) and run root
/// (mounts, sockets). Cheap to make; each operation opens what it needs.
#[derive(Debug, Clone)]
pub struct Engine {
    root: PathBuf,
    runroot: PathBuf,
}

impl Engine {
    /// The engine of the store at `root` and `runroot`, both made absolute (container monitors
    /// work from `/`).
    pub fn new(root: &Path, runroot: &Path) -> Engine {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        Engine {
            root: abs(root),
            runroot: abs(runroot),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn runroot(&self) -> &Path {
        &self.runroot
    }

    /// Opens the store (creating it on first use).
    pub fn store(&self) -> Result<Store> {
        Ok(Store::open(&self.root, &self.runroot)?)
    }

    /// Keeps a connection to the state database open for as long as the result lives: for a
    /// long-lived front end (the API service) whose operations each open the store. While one
    /// connection of the process is open, SQLite keeps the WAL index in shared memory; without
    /// it, each operation's first connection would rebuild the index from the whole WAL.
    pub fn hold_state_open(&self) -> Result<StateHold> {
        Ok(StateHold(self.store()?))
    }
}

/// See [`Engine::hold_state_open`].
pub struct StateHold(#[allow(dead_code)] Store);

/// `… exists`: an operation's success as true, a NotFound as false, any other failure as is.
pub(crate) fn found<T>(r: Result<T>) -> Result<bool> {
    match r {
        Ok(_) => Ok(true),
        Err(e) if crate::error::Classify::kind(&e) == crate::error::ErrorKind::NotFound => {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}
