//! Rows for volumes and for the containers that use them.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct VolumeRow {
    pub name: String,
    pub driver: String,
    /// Unix seconds.
    pub created: i64,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    pub anonymous: bool,
}

const COLS: &str = "name, driver, created, labels, options, anonymous";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VolumeRow> {
    let map = |s: String| serde_json::from_str(&s).unwrap_or_default();
    Ok(VolumeRow {
        name: r.get(0)?,
        driver: r.get(1)?,
        created: r.get(2)?,
        labels: map(r.get(3)?),
        options: map(r.get(4)?),
        anonymous: r.get::<_, i64>(5)? != 0,
    })
}

pub fn insert(conn: &Connection, v: &VolumeRow) -> Result<()> {
    conn.execute(
        &format!("INSERT INTO volumes ({COLS}) VALUES (?1,?2,?3,?4,?5,?6)"),
        params![
            v.name,
            v.driver,
            v.created,
            serde_json::to_string(&v.labels).expect("serializable"),
            serde_json::to_string(&v.options).expect("serializable"),
            v.anonymous as i64
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<VolumeRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM volumes WHERE name = ?1"),
            [name],
            from_row,
        )
        .optional()?)
}

/// All volumes, by name.
pub fn list(conn: &Connection) -> Result<Vec<VolumeRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLS} FROM volumes ORDER BY name"))?;
    let rows = st.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn delete(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM volumes WHERE name = ?1", [name])?;
    Ok(())
}

/// Records that container `id` uses volume `name`.
pub fn add_ref(conn: &Connection, id: &str, name: &str) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO volume_refs (container_id, name) VALUES (?1, ?2)",
        params![id, name],
    )?;
    Ok(())
}

/// IDs of the containers that use volume `name`.
pub fn users(conn: &Connection, name: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT container_id FROM volume_refs WHERE name = ?1")?;
    let rows = st.query_map([name], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Names of the volumes container `id` uses.
pub fn of_container(conn: &Connection, id: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT name FROM volume_refs WHERE container_id = ?1")?;
    let rows = st.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Number of containers per volume name (volumes nobody uses are absent).
pub fn ref_counts(conn: &Connection) -> Result<BTreeMap<String, usize>> {
    let mut st = conn.prepare_cached("SELECT name, COUNT(*) FROM volume_refs GROUP BY name")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
