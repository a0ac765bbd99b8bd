//! Networks: bridge networks (the default `bridge` and user-defined ones), a container's
//! wiring into them, published ports and the per-container DNS server.
//!
//! ```text
//! network row (SQLite)  →  bridge device + gateway address + firewall rules  (activate)
//! endpoint rows         →  netns file + veth pair + address + routes          (setup, at start)
//! ports rows            →  reserved host sockets + DNAT rules                 (setup, at start)
//! ```
//!
//! A network's bridge and rules exist while the network does (made again on first use after a
//! reboot); a container's namespace, veths, leases, ports and rules exist while it runs, and
//! `teardown` removes them from any process (the monitor, `rm`, the reconciler). Changes to
//! host-wide state (bridges, routes, firewall chains) are serialized across every berth on the
//! host by one lock file.

pub mod bridge;
pub mod connect;
pub mod dns;
pub mod firewall;
pub mod ipam;
pub mod leases;
pub mod link;
pub mod lookup;
pub mod mode;
pub mod netns;
pub mod networks;
pub mod ports;
pub mod setup;
pub mod teardown;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::state::StateError;
use crate::store::Store;

pub use bridge::subnet6_of;
pub use connect::{EndpointRequest, Member, connect, disconnect};
pub use lookup::lookup;
pub use mode::{DEFAULT_NETWORK, NetworkMode, NetworkModeError};
pub use networks::*;
pub use setup::{Attached, Joined, Peer, Request, setup};
pub use teardown::teardown;

/// The host-wide lock for bridges, routes and firewall chains.
const LOCK_PATH: &str = "/run/lock/berth-network.lock";

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("network {0} not found")]
    NotFound(String),
    #[error("network with name {0} already exists")]
    Exists(String),
    #[error("network ID prefix {0:?} is ambiguous: it matches several networks")]
    Ambiguous(String),
    #[error("error while removing network: network {name} has active endpoints ({containers})")]
    InUse { name: String, containers: String },
    #[error("{0} is a pre-defined network and cannot be removed")]
    Predefined(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Subnet(#[from] ipam::SubnetError),
    #[error(transparent)]
    Subnet6(#[from] ipam::Subnet6Error),
    #[error(transparent)]
    Port(#[from] ports::PortError),
    #[error(transparent)]
    Firewall(#[from] firewall::FirewallError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
}

impl From<rusqlite::Error> for NetworkError {
    fn from(e: rusqlite::Error) -> Self {
        NetworkError::State(StateError::Sql(e))
    }
}

pub type Result<T> = std::result::Result<T, NetworkError>;

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> NetworkError {
    let what = what.into();
    move |source| NetworkError::Io { what, source }
}

/// Holds the host-wide network lock while alive.
fn host_lock() -> Result<crate::lock::Lock> {
    let path = Path::new(LOCK_PATH);
    if let Some(d) = path.parent() {
        let _ = fs::create_dir_all(d);
    }
    crate::lock::Lock::file(path, crate::lock::Mode::Exclusive)
        .map_err(io_err(format!("locking {LOCK_PATH}")))
}

/// Where a container's network namespace is bound while it runs.
pub fn netns_path(store: &Store, id: &str) -> PathBuf {
    store.runroot.join("netns").join(id)
}
