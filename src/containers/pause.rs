//! `pause` and `unpause`: freezing and thawing every process of a running container (the
//! freezer cgroup, through the embedded runtime), recorded in its row.

use super::{ContainerError, Result, reconcile};
use crate::runtime::{Runtime, RuntimeError};
use crate::state::StateError;
use crate::state::containers::{self as rows, ContainerRow, Status};
use crate::store::Store;

fn runtime_err(e: RuntimeError) -> ContainerError {
    ContainerError::Runtime(e.to_string())
}

/// `berth pause`: freezes every process of the container (freezer cgroup) and records it.
pub fn pause(store: &mut Store, c: &ContainerRow) -> Result<()> {
    let c = reconcile(store, c.clone())?;
    let rt = Runtime::new(store.runroot.join("runtime")).map_err(runtime_err)?;
    // Under the database's write lock, so that the monitor cannot record an exit in between.
    let tx = store.db.write()?;
    let now = rows::get(&tx, &c.id)?.ok_or_else(|| ContainerError::NotFound(c.id.clone()))?;
    match now.status {
        Status::Running => {}
        Status::Paused => {
            return Err(ContainerError::Invalid(format!(
                "cannot pause container {}: container is already paused",
                c.id
            )));
        }
        _ => return Err(ContainerError::NotRunning(c.id.clone())),
    }
    rt.pause(&c.id).map_err(|e| match e {
        RuntimeError::NotFound(_) | RuntimeError::WrongState { .. } => {
            ContainerError::NotRunning(c.id.clone())
        }
        e => runtime_err(e),
    })?;
    rows::set_status(&tx, &c.id, Status::Paused)?;
    if let Err(e) = tx.commit() {
        let _ = rt.resume(&c.id);
        return Err(StateError::from(e).into());
    }
    super::events::record(&store.root, &c, "pause");
    Ok(())
}

/// `berth unpause`: thaws a paused container and records it as running again.
pub fn unpause(store: &mut Store, c: &ContainerRow) -> Result<()> {
    let c = reconcile(store, c.clone())?;
    let rt = Runtime::new(store.runroot.join("runtime")).map_err(runtime_err)?;
    let tx = store.db.write()?;
    let now = rows::get(&tx, &c.id)?.ok_or_else(|| ContainerError::NotFound(c.id.clone()))?;
    if now.status != Status::Paused {
        return Err(ContainerError::Invalid(format!(
            "Container {} is not paused",
            c.id
        )));
    }
    match rt.resume(&c.id) {
        Ok(()) => {}
        // Thawed meanwhile (the monitor does it for stop/kill): record it anyway.
        Err(RuntimeError::WrongState {
            status: crate::runtime::ContainerStatus::Running,
            ..
        }) => {}
        Err(e) => return Err(runtime_err(e)),
    }
    rows::set_status(&tx, &c.id, Status::Running)?;
    tx.commit().map_err(StateError::from)?;
    super::events::record(&store.root, &c, "unpause");
    Ok(())
}
