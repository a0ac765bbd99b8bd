//! Rows of the build cache: a step's cache key → the image the step made, and the images that
//! are builds' results.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

#[derive(Debug, Clone)]
pub struct CacheRow {
    pub key: String,
    pub image_id: String,
    pub description: String,
    pub size: i64,
    pub created: i64,
    pub last_used: i64,
    /// How many builds made or reused it (set by `lookup`; `insert` starts it at 1).
    pub usage_count: i64,
}

/// The image a step with this key made, if it is still stored; marks it used now.
pub fn lookup(conn: &Connection, key: &str, now: i64) -> Result<Option<String>> {
    let id: Option<String> = conn
        .query_row(
            "SELECT image_id FROM build_cache WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?;
    if id.is_some() {
        conn.execute(
            "UPDATE build_cache SET last_used = ?2, usage_count = usage_count + 1 WHERE key = ?1",
            params![key, now],
        )?;
    }
    Ok(id)
}

/// Records (or replaces) a step's entry.
pub fn insert(conn: &Connection, row: &CacheRow) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO build_cache (key, image_id, description, size, created, last_used)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            row.key,
            row.image_id,
            row.description,
            row.size,
            row.created,
            row.last_used
        ],
    )?;
    Ok(())
}

/// Every entry, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<CacheRow>> {
    let mut st = conn.prepare(
        "SELECT key, image_id, description, size, created, last_used, usage_count
         FROM build_cache ORDER BY created, key",
    )?;
    let rows = st.query_map([], |r| {
        Ok(CacheRow {
            key: r.get(0)?,
            image_id: r.get(1)?,
            description: r.get(2)?,
            size: r.get(3)?,
            created: r.get(4)?,
            last_used: r.get(5)?,
            usage_count: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes one entry.
pub fn delete(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM build_cache WHERE key = ?1", params![key])?;
    Ok(())
}

/// Marks an image as a build's result (listed by `images` even without a tag).
pub fn mark_result(conn: &Connection, image_id: &str) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO build_results (image_id) VALUES (?1)",
        params![image_id],
    )?;
    Ok(())
}

/// The images that are only build steps: referenced by the cache, not a build's result.
pub fn step_images(conn: &Connection) -> Result<std::collections::BTreeSet<String>> {
    let mut st = conn.prepare(
        "SELECT DISTINCT image_id FROM build_cache
         WHERE image_id NOT IN (SELECT image_id FROM build_results)",
    )?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether an image is a build's result.
pub fn is_result(conn: &Connection, image_id: &str) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM build_results WHERE image_id = ?1",
        params![image_id],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}
