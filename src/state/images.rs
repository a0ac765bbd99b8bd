//! Rows for images, layers, blobs, tags and repo digests.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

#[derive(Debug, Clone)]
pub struct ImageRow {
    pub id: String,
    pub manifest_digest: String,
    pub manifest_media_type: String,
    pub created: Option<String>,
    pub architecture: String,
    pub os: String,
    pub size: i64,
    pub added: i64,
}

#[derive(Debug, Clone)]
pub struct LayerRow {
    pub diff_id: String,
    pub blob_digest: String,
    pub media_type: String,
    pub size: i64,
}

#[derive(Debug, Clone)]
pub struct TagRow {
    pub name: String,
    pub repository: String,
    pub tag: String,
    pub image_id: String,
    pub tagged_at: i64,
}

/// Everything recorded for a newly stored image, written in one transaction.
pub struct NewImage<'a> {
    pub image: &'a ImageRow,
    pub layers: &'a [LayerRow],
    pub blobs: &'a [String],
}

const IMAGE_COLS: &str =
    "id, manifest_digest, manifest_media_type, created, architecture, os, size, added";

fn image_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ImageRow> {
    Ok(ImageRow {
        id: r.get(0)?,
        manifest_digest: r.get(1)?,
        manifest_media_type: r.get(2)?,
        created: r.get(3)?,
        architecture: r.get(4)?,
        os: r.get(5)?,
        size: r.get(6)?,
        added: r.get(7)?,
    })
}

/// Inserts the image with its layers and blobs unless an image with that ID already exists.
pub fn insert_image(conn: &Connection, new: &NewImage<'_>) -> Result<()> {
    let i = new.image;
    let inserted = conn.execute(
        &format!("INSERT OR IGNORE INTO images ({IMAGE_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"),
        params![
            i.id,
            i.manifest_digest,
            i.manifest_media_type,
            i.created,
            i.architecture,
            i.os,
            i.size,
            i.added
        ],
    )?;
    if inserted == 0 {
        return Ok(());
    }
    for (idx, l) in new.layers.iter().enumerate() {
        conn.execute(
            "INSERT OR IGNORE INTO layers (diff_id, size) VALUES (?1, ?2)",
            params![l.diff_id, l.size],
        )?;
        conn.execute(
            "INSERT INTO image_layers (image_id, idx, diff_id, blob_digest, media_type)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![i.id, idx as i64, l.diff_id, l.blob_digest, l.media_type],
        )?;
    }
    for b in new.blobs {
        conn.execute(
            "INSERT OR IGNORE INTO image_blobs (image_id, digest) VALUES (?1, ?2)",
            params![i.id, b],
        )?;
    }
    Ok(())
}

pub fn get_image(conn: &Connection, id: &str) -> Result<Option<ImageRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {IMAGE_COLS} FROM images WHERE id = ?1"),
            [id],
            image_from_row,
        )
        .optional()?)
}

pub fn list_images(conn: &Connection) -> Result<Vec<ImageRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {IMAGE_COLS} FROM images"))?;
    let rows = st.query_map([], image_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Image IDs starting with `sha256:<prefix>`.
pub fn images_with_id_prefix(conn: &Connection, hex_prefix: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT id FROM images WHERE substr(id, 8, ?2) = ?1")?;
    let rows = st.query_map(params![hex_prefix, hex_prefix.len() as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn image_layers(conn: &Connection, image_id: &str) -> Result<Vec<LayerRow>> {
    let mut st = conn.prepare_cached(
        "SELECT il.diff_id, il.blob_digest, il.media_type, l.size
         FROM image_layers il JOIN layers l ON l.diff_id = il.diff_id
         WHERE il.image_id = ?1 ORDER BY il.idx",
    )?;
    let rows = st.query_map([image_id], |r| {
        Ok(LayerRow {
            diff_id: r.get(0)?,
            blob_digest: r.get(1)?,
            media_type: r.get(2)?,
            size: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn all_layer_ids(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT diff_id FROM layers")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn all_blob_digests(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT DISTINCT digest FROM image_blobs")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn tag_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TagRow> {
    Ok(TagRow {
        name: r.get(0)?,
        repository: r.get(1)?,
        tag: r.get(2)?,
        image_id: r.get(3)?,
        tagged_at: r.get(4)?,
    })
}

pub fn all_tags(conn: &Connection) -> Result<Vec<TagRow>> {
    let mut st = conn.prepare_cached(
        "SELECT name, repository, tag, image_id, tagged_at FROM tags ORDER BY name",
    )?;
    let rows = st.query_map([], tag_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn tags_of(conn: &Connection, image_id: &str) -> Result<Vec<TagRow>> {
    let mut st = conn.prepare_cached(
        "SELECT name, repository, tag, image_id, tagged_at FROM tags WHERE image_id = ?1
         ORDER BY name",
    )?;
    let rows = st.query_map([image_id], tag_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get_tag(conn: &Connection, name: &str) -> Result<Option<TagRow>> {
    Ok(conn
        .query_row(
            "SELECT name, repository, tag, image_id, tagged_at FROM tags WHERE name = ?1",
            [name],
            tag_from_row,
        )
        .optional()?)
}

/// Points `repository:tag` at `image_id`, moving it if it pointed elsewhere.
pub fn set_tag(
    conn: &Connection,
    repository: &str,
    tag: &str,
    image_id: &str,
    now: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO tags (name, repository, tag, image_id, tagged_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, tagged_at = excluded.tagged_at",
        params![format!("{repository}:{tag}"), repository, tag, image_id, now],
    )?;
    Ok(())
}

pub fn remove_tag(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM tags WHERE name = ?1", [name])? > 0)
}

pub fn add_repo_digest(
    conn: &Connection,
    repository: &str,
    digest: &str,
    image_id: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO repo_digests (repository, digest, image_id) VALUES (?1, ?2, ?3)
         ON CONFLICT(repository, digest) DO UPDATE SET image_id = excluded.image_id",
        params![repository, digest, image_id],
    )?;
    Ok(())
}

pub fn repo_digests_of(conn: &Connection, image_id: &str) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT repository, digest FROM repo_digests WHERE image_id = ?1 ORDER BY repository",
    )?;
    let rows = st.query_map([image_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn image_by_repo_digest(
    conn: &Connection,
    repository: &str,
    digest: &str,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT image_id FROM repo_digests WHERE repository = ?1 AND digest = ?2",
            params![repository, digest],
            |r| r.get(0),
        )
        .optional()?)
}

/// Repositories (with their registry) known to hold the blob `digest`: those of the repo
/// digests of images that use it, as a layer or otherwise. Where a push can mount it from.
pub fn repositories_with_blob(conn: &Connection, digest: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT rd.repository FROM repo_digests rd
         WHERE rd.image_id IN (SELECT image_id FROM image_layers WHERE blob_digest = ?1
                               UNION SELECT image_id FROM image_blobs WHERE digest = ?1)
         ORDER BY rd.repository",
    )?;
    let rows = st.query_map([digest], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What deleting an image left without any reference: the caller removes these from disk.
#[derive(Debug, Default)]
pub struct Orphans {
    pub layers: Vec<String>,
    pub blobs: Vec<String>,
}

/// Deletes an image row (its tags, digests, layer and blob links cascade) and the layer rows no
/// other image uses. Returns the layers and blobs that nothing references any more.
pub fn delete_image(conn: &Connection, image_id: &str) -> Result<Orphans> {
    let blobs: Vec<String> = {
        let mut st = conn.prepare_cached(
            "SELECT digest FROM image_blobs b WHERE image_id = ?1 AND NOT EXISTS
               (SELECT 1 FROM image_blobs o WHERE o.digest = b.digest AND o.image_id != ?1)",
        )?;
        st.query_map([image_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let layers: Vec<String> = {
        let mut st = conn.prepare_cached(
            "SELECT DISTINCT diff_id FROM image_layers l WHERE image_id = ?1 AND NOT EXISTS
               (SELECT 1 FROM image_layers o WHERE o.diff_id = l.diff_id AND o.image_id != ?1)",
        )?;
        st.query_map([image_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    conn.execute("DELETE FROM images WHERE id = ?1", [image_id])?;
    for l in &layers {
        conn.execute("DELETE FROM layers WHERE diff_id = ?1", [l])?;
    }
    Ok(Orphans { layers, blobs })
}

/// Records `parent` as the image `image_id` was made from (kept if one is recorded already).
pub fn set_parent(conn: &Connection, image_id: &str, parent: &str) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO image_parents (image_id, parent_id) VALUES (?1, ?2)",
        params![image_id, parent],
    )?;
    Ok(())
}

/// The image `image_id` was made from, if recorded.
pub fn parent_of(conn: &Connection, image_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT parent_id FROM image_parents WHERE image_id = ?1",
            [image_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Every recorded parent: image ID → the ID of the image it was made from.
pub fn all_parents(conn: &Connection) -> Result<std::collections::HashMap<String, String>> {
    let mut stmt = conn.prepare("SELECT image_id, parent_id FROM image_parents")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Does an image record `image_id` as its parent?
pub fn has_children(conn: &Connection, image_id: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM image_parents WHERE parent_id = ?1 LIMIT 1",
            [image_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// `image_id` and the images of its parent chain, nearest first.
pub fn lineage(conn: &Connection, image_id: &str) -> Result<Vec<String>> {
    let mut out = vec![image_id.to_string()];
    while let Some(p) = parent_of(conn, out.last().expect("not empty"))? {
        if out.contains(&p) {
            break;
        }
        out.push(p);
    }
    Ok(out)
}
