//! All of berth's metadata lives in one SQLite database (`ROOT/berth.db`).
//!
//! WAL mode, `synchronous=FULL` and a busy timeout make it safe for several berth processes at
//! once; writers take the lock up front (`BEGIN IMMEDIATE`) so check-then-act sequences are atomic.
//! The schema is versioned with `PRAGMA user_version`; each migration runs in its own transaction.

pub mod build;
pub mod containers;
pub mod images;
pub mod networks;
pub mod volumes;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("state database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("state database: syncing {path}: {source}")]
    SyncDir {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "state database schema version {found} is newer than this berth understands ({known}); upgrade berth"
    )]
    TooNew { found: i64, known: i64 },
}

pub type Result<T> = std::result::Result<T, StateError>;

/// Ordered migrations: entry `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: images, their layers and blobs, tags and repo digests.
    r#"
    CREATE TABLE images (
        id TEXT PRIMARY KEY,              -- "sha256:<config digest>", Docker's image ID
        manifest_digest TEXT NOT NULL,
        manifest_media_type TEXT NOT NULL,
        created TEXT,                     -- RFC 3339, from the image config
        architecture TEXT NOT NULL,
        os TEXT NOT NULL,
        size INTEGER NOT NULL,            -- bytes of file content over all layers
        added INTEGER NOT NULL            -- unix seconds when first stored here
    );
    CREATE TABLE layers (
        diff_id TEXT PRIMARY KEY,         -- "sha256:<uncompressed tar digest>"
        size INTEGER NOT NULL
    );
    CREATE TABLE image_layers (
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,             -- 0 is the bottom layer
        diff_id TEXT NOT NULL REFERENCES layers(diff_id),
        blob_digest TEXT NOT NULL,
        media_type TEXT NOT NULL,
        PRIMARY KEY (image_id, idx)
    );
    CREATE INDEX image_layers_diff_id ON image_layers(diff_id);
    CREATE TABLE image_blobs (           -- every blob an image keeps alive (manifests, config, layers)
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        digest TEXT NOT NULL,
        PRIMARY KEY (image_id, digest)
    );
    CREATE INDEX image_blobs_digest ON image_blobs(digest);
    CREATE TABLE tags (
        name TEXT PRIMARY KEY,            -- "docker.io/library/redis:latest"
        repository TEXT NOT NULL,         -- "docker.io/library/redis"
        tag TEXT NOT NULL,
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        tagged_at INTEGER NOT NULL
    );
    CREATE INDEX tags_image ON tags(image_id);
    CREATE TABLE repo_digests (
        repository TEXT NOT NULL,
        digest TEXT NOT NULL,             -- manifest (or index) digest as pulled
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        PRIMARY KEY (repository, digest)
    );
    CREATE INDEX repo_digests_image ON repo_digests(image_id);
    "#,
    // 2: containers.
    r#"
    CREATE TABLE containers (
        id TEXT PRIMARY KEY,              -- 64 hex digits
        name TEXT NOT NULL UNIQUE,        -- without Docker's leading '/'
        image_id TEXT NOT NULL REFERENCES images(id),
        image_name TEXT NOT NULL,         -- as the user gave it (ps IMAGE column)
        created INTEGER NOT NULL,         -- unix nanoseconds
        config TEXT NOT NULL,             -- JSON: the container's settings (see containers::Settings)
        state TEXT NOT NULL,              -- created|running|paused|restarting|exited|dead|removing
        pid INTEGER NOT NULL DEFAULT 0,
        monitor_pid INTEGER NOT NULL DEFAULT 0,
        exit_code INTEGER NOT NULL DEFAULT 0,
        oom_killed INTEGER NOT NULL DEFAULT 0,
        started_at INTEGER NOT NULL DEFAULT 0,   -- unix nanoseconds, 0 = never
        finished_at INTEGER NOT NULL DEFAULT 0,
        restart_count INTEGER NOT NULL DEFAULT 0,
        error TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX containers_image ON containers(image_id);
    "#,
    // 3: remember a stop by the user, for `unless-stopped` and `start --all`.
    r#"
    ALTER TABLE containers ADD COLUMN stopped_by_user INTEGER NOT NULL DEFAULT 0;
    "#,
    // 4: volumes, and which container uses which volume.
    r#"
    CREATE TABLE volumes (
        name TEXT PRIMARY KEY,            -- Docker's volume name rules; 64 hex digits if anonymous
        driver TEXT NOT NULL,             -- "local"
        created INTEGER NOT NULL,         -- unix seconds
        labels TEXT NOT NULL,             -- JSON object
        options TEXT NOT NULL,            -- JSON object (driver options)
        anonymous INTEGER NOT NULL
    );
    CREATE TABLE volume_refs (
        container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
        name TEXT NOT NULL REFERENCES volumes(name),
        PRIMARY KEY (container_id, name)
    );
    CREATE INDEX volume_refs_name ON volume_refs(name);
    "#,
    // 5: networks, container endpoints (address leases) and published ports.
    r#"
    CREATE TABLE networks (
        id TEXT PRIMARY KEY,              -- 64 hex digits
        name TEXT NOT NULL UNIQUE,
        driver TEXT NOT NULL,             -- "bridge"
        subnet TEXT NOT NULL,             -- "10.118.0.0/24"
        gateway TEXT NOT NULL,            -- the bridge's address
        bridge TEXT NOT NULL UNIQUE,      -- the bridge device's name
        internal INTEGER NOT NULL DEFAULT 0,
        mtu INTEGER NOT NULL,
        labels TEXT NOT NULL DEFAULT '{}',   -- JSON object
        options TEXT NOT NULL DEFAULT '{}',  -- JSON object (--opt)
        created INTEGER NOT NULL          -- unix nanoseconds
    );
    CREATE TABLE endpoints (              -- a container's membership of a network
        container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
        network_id TEXT NOT NULL REFERENCES networks(id),
        idx INTEGER NOT NULL,             -- the order of attachment: eth0, eth1, ...
        aliases TEXT NOT NULL DEFAULT '[]',  -- JSON array (--network-alias)
        static_ip TEXT,                   -- --ip
        ip TEXT,                          -- the address leased while the container runs
        mac TEXT,
        ifname TEXT,                      -- the interface in the container while it runs
        host_ifname TEXT,                 -- the host's end of the veth pair while it runs
        PRIMARY KEY (container_id, network_id)
    );
    CREATE UNIQUE INDEX endpoints_ip ON endpoints(network_id, ip);
    CREATE INDEX endpoints_network ON endpoints(network_id);
    CREATE TABLE ports (                  -- published ports while the container runs
        container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
        proto TEXT NOT NULL,              -- tcp|udp
        host_ip TEXT NOT NULL,            -- "" for every address
        host_port INTEGER NOT NULL,
        container_port INTEGER NOT NULL,
        container_ip TEXT NOT NULL,
        network_id TEXT NOT NULL
    );
    CREATE INDEX ports_container ON ports(container_id);
    "#,
    // 6: IPv6 for bridge networks: a network's IPv6 subnet and gateway (NULL: IPv4 only) and
    // a container's IPv6 lease. Published ports keep their rows (host_ip/container_ip may be
    // IPv6 addresses, host_ip "::" for every IPv6 address).
    r#"
    ALTER TABLE networks ADD COLUMN subnet6 TEXT;     -- "fd12:3456:789a::/64"
    ALTER TABLE networks ADD COLUMN gateway6 TEXT;    -- the bridge's IPv6 address
    ALTER TABLE endpoints ADD COLUMN ip6 TEXT;        -- the IPv6 address leased while it runs
    ALTER TABLE endpoints ADD COLUMN static_ip6 TEXT; -- --ip6
    CREATE UNIQUE INDEX endpoints_ip6 ON endpoints(network_id, ip6);
    "#,
    // 7: the exit codes of removed containers, for a while: a `wait` for the removal of a
    // `--rm` container (the Engine API's `condition=removed`) still learns how it ended.
    r#"
    CREATE TABLE removed_exits (
        id TEXT PRIMARY KEY,
        exit_code INTEGER NOT NULL,
        removed_at INTEGER NOT NULL       -- Unix nanoseconds; rows older than 10 minutes go
    );
    "#,
    // 8: the build cache: a build step's cache key and the image the step made (the state
    // after it), and the final images of builds (shown by `images` even untagged). The image
    // of a step stays out of `images` unless tagged or a build's result.
    r#"
    CREATE TABLE build_cache (
        key TEXT PRIMARY KEY,             -- sha256:… of the step's inputs (build::cache)
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        description TEXT NOT NULL,        -- the instruction, for `system df -v`
        size INTEGER NOT NULL,            -- bytes of the layer the step added
        created INTEGER NOT NULL,         -- Unix seconds
        last_used INTEGER NOT NULL        -- Unix seconds
    );
    CREATE INDEX build_cache_image ON build_cache(image_id);
    CREATE TABLE build_results (
        image_id TEXT PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE
    );
    "#,
    // 9: a container's MAC address on a network (`--mac-address`, `--network
    // name=…,mac-address=…`, the API's `EndpointsConfig.*.MacAddress`); NULL: Docker's
    // 02:42 + the leased IPv4 address.
    r#"
    ALTER TABLE endpoints ADD COLUMN static_mac TEXT;  -- "92:d0:c6:0a:29:33"
    "#,
    // 10: image parents: the image a built or committed image was made from (Docker's
    // `Parent`); `rmi` refuses to delete an image that is a parent, `ps --filter ancestor=`
    // follows the chains.
    r#"
    CREATE TABLE image_parents (
        image_id TEXT PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        parent_id TEXT NOT NULL
    );
    CREATE INDEX image_parents_parent ON image_parents(parent_id);
    "#,
    // 11: how many builds made or reused each build cache entry (BuildKit's `UsageCount`).
    r#"
    ALTER TABLE build_cache ADD COLUMN usage_count INTEGER NOT NULL DEFAULT 1;
    "#,
];

/// Schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// An open database connection.
pub struct Db {
    pub conn: Connection,
}

/// The WAL's size past which a connection folds it into the database and empties it when it
/// closes (about 256 frames of 4 KiB pages).
const WAL_TRUNCATE_BYTES: u64 = 1 << 20;

impl Drop for Db {
    /// Empties a large WAL (`wal_checkpoint(TRUNCATE)`) if no other connection is using the
    /// database at that moment. SQLite's automatic checkpoints copy the WAL into the database
    /// but leave its frames in place until the next write transaction of the same connection
    /// restarts it; a short berth process usually ends before that, and the next process's
    /// first connection rebuilds the WAL index by reading and checksumming every frame (and
    /// counts none of them as copied, so its own automatic checkpoint copies them all again).
    /// Without this, the WAL of a busy root grows to megabytes and every command pays for it.
    fn drop(&mut self) {
        let Some(path) = self.conn.path().map(|p| format!("{p}-wal")) else {
            return;
        };
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > WAL_TRUNCATE_BYTES) {
            // Never wait for another process here: a busy database keeps its WAL for now.
            let _ = self.conn.busy_timeout(Duration::ZERO);
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
    }
}

impl Db {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db> {
        let open_err = |source| StateError::Open {
            path: path.display().to_string(),
            source,
        };
        // berth's SQLite is built without its directory fsyncs (SQLITE_DISABLE_DIRSYNC in
        // .cargo/config.toml): SQLite syncs the directory the first time each connection syncs
        // its WAL, because it opens the WAL with O_CREAT (a fsync of the root directory in the
        // CLI and again in the monitor of every `run`). The database and its WAL are never
        // deleted (the WAL is kept on close, see below): the directory is synced here, once,
        // when either is new.
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let new_files = !path.exists() || !Path::new(&wal).exists();
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(60))
            .map_err(open_err)?;
        // WAL is persistent: set it once. Switching needs an exclusive lock that the busy
        // timeout does not wait for, so a first open racing with others retries.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let mode: String = conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .map_err(open_err)?;
            if mode.eq_ignore_ascii_case("wal") {
                break;
            }
            match conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(())) {
                Ok(()) => {}
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => return Err(open_err(e)),
            }
        }
        // The WAL is checkpointed every 64 pages (SQLite's default is 1000): each berth process
        // opens the database afresh, and the first connection of a process rebuilds the WAL
        // index by reading and checksumming every frame in the WAL: 2-3 ms for a 4 MB WAL, in
        // the CLI and again in the monitor of every `run`, against a checkpoint (one fsync of
        // each file) every few runs.
        conn.execute_batch(
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=64;",
        )
        .map_err(open_err)?;
        // Every berth command is a short process, the last connection when it exits: SQLite
        // would checkpoint and delete the WAL each time (two fsyncs), and the next command would
        // create it again (a directory fsync). Committed transactions are durable in the WAL
        // (synchronous=FULL); automatic checkpoints still fold it into the database.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .map_err(open_err)?;
        // SQLite is built with STAT4, which re-prepares a statement at every step whose bound
        // values could change its plan (every `WHERE indexed_column = ?`): half of `ps` over
        // 100 containers went into parsing SQL again. berth's queries have one good plan.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map_err(open_err)?;
        conn.set_prepared_statement_cache_capacity(64);
        let mut db = Db { conn };
        db.migrate()?;
        if new_files && let Some(dir) = path.parent() {
            // The WAL exists once the schema was read (migrate).
            crate::content::sync_dir(dir).map_err(|source| StateError::SyncDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        Ok(db)
    }

    fn migrate(&mut self) -> Result<()> {
        let known = SCHEMA_VERSION;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > known {
            return Err(StateError::TooNew {
                found: version,
                known,
            });
        }
        if version == known {
            return Ok(());
        }
        // Several processes may race to migrate: take the write lock, then re-read the version.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        while version < known {
            tx.execute_batch(MIGRATIONS[version as usize])?;
            version += 1;
            tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Starts a write transaction holding the database lock from its first statement.
    pub fn write(&mut self) -> Result<rusqlite::Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("berth.db");
        {
            let db = Db::open(&path).unwrap();
            let v: i64 = db
                .conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(v, SCHEMA_VERSION);
            let mode: String = db
                .conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
        }
        // Reopening an up-to-date database is a no-op.
        Db::open(&path).unwrap();
    }

    /// A connection that closes with a WAL over the threshold empties it (keeping the file),
    /// unless another connection is reading at that moment: then it neither waits nor empties.
    #[test]
    fn a_large_wal_is_emptied_on_close_unless_the_database_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("berth.db");
        let wal = dir.path().join("berth.db-wal");
        let fill = |db: &Db| {
            // Without automatic checkpoints, as the WAL of several short processes grows.
            db.conn
                .execute_batch("PRAGMA wal_autocheckpoint=0; CREATE TABLE IF NOT EXISTS t (x BLOB)")
                .unwrap();
            // One transaction per row: a WAL frame or more each, well past the threshold.
            for _ in 0..400 {
                db.conn
                    .execute("INSERT INTO t VALUES (zeroblob(4000))", [])
                    .unwrap();
            }
            assert!(std::fs::metadata(&wal).unwrap().len() > WAL_TRUNCATE_BYTES);
        };
        let db = Db::open(&path).unwrap();
        fill(&db);
        // Another connection in a read transaction: the close does not wait and keeps the WAL.
        let reader = Connection::open(&path).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let n: i64 = reader
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 400);
        let t0 = std::time::Instant::now();
        drop(db);
        assert!(t0.elapsed() < Duration::from_secs(5));
        assert!(std::fs::metadata(&wal).unwrap().len() > WAL_TRUNCATE_BYTES);
        reader.execute_batch("COMMIT").unwrap();
        drop(reader);
        // Alone, the next connection's close empties it; the rows are in the database.
        let db = Db::open(&path).unwrap();
        fill(&db);
        drop(db);
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
        let db = Db::open(&path).unwrap();
        let n: i64 = db
            .conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 800);
    }

    /// The directory is synced by `Db::open` only when the database or its WAL is new: that
    /// holds only if the WAL exists once `open` returns and outlives every connection, and if
    /// SQLite was built without its own directory syncs (.cargo/config.toml).
    #[test]
    fn the_wal_is_created_by_open_and_kept_and_sqlite_does_not_sync_directories() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("berth.db");
        let wal = dir.path().join("berth.db-wal");
        let db = Db::open(&path).unwrap();
        assert!(wal.exists());
        db.conn
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        drop(db);
        assert!(wal.exists(), "the WAL is kept on close");
        let db = Db::open(&path).unwrap();
        let options: Vec<String> = db
            .conn
            .prepare("PRAGMA compile_options")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            options.iter().any(|o| o == "DISABLE_DIRSYNC"),
            "{options:?}"
        );
    }

    /// A database written by a berth whose schema was `version` (its first migrations only).
    fn db_at_schema(path: &Path, version: usize) -> Connection {
        let conn = Connection::open(path).unwrap();
        for (i, m) in MIGRATIONS[..version].iter().enumerate() {
            conn.execute_batch(m).unwrap();
            conn.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .unwrap();
        }
        conn
    }

    #[test]
    fn upgrades_keep_data() {
        // A database written by the previous berth (schema 3) with a container in it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("berth.db");
        {
            let conn = db_at_schema(&path, 3);
            conn.execute_batch(
                "INSERT INTO images VALUES ('sha256:i', 'd', 'm', NULL, 'amd64', 'linux', 0, 0);
                 INSERT INTO containers (id, name, image_id, image_name, created, config, state)
                 VALUES ('c1', 'n', 'sha256:i', 'img', 0, '{}', 'exited');",
            )
            .unwrap();
        }
        let db = Db::open(&path).unwrap();
        let n: i64 = db
            .conn
            .query_row("SELECT COUNT(*) FROM containers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        let v = volumes::VolumeRow {
            name: "v1".into(),
            driver: "local".into(),
            created: 1,
            labels: Default::default(),
            options: Default::default(),
            anonymous: false,
        };
        volumes::insert(&db.conn, &v).unwrap();
        volumes::add_ref(&db.conn, "c1", "v1").unwrap();
        assert_eq!(volumes::users(&db.conn, "v1").unwrap(), ["c1"]);
        assert_eq!(volumes::get(&db.conn, "v1").unwrap(), Some(v));
        // Removing the container drops its references.
        db.conn
            .execute("DELETE FROM containers WHERE id = 'c1'", [])
            .unwrap();
        assert!(volumes::users(&db.conn, "v1").unwrap().is_empty());
    }

    #[test]
    fn ipv6_columns_come_empty_for_existing_networks() {
        // A database of the IPv4-only networking (schema 5) with a network and an endpoint.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("berth.db");
        {
            let conn = db_at_schema(&path, 5);
            conn.execute_batch(
                "INSERT INTO images VALUES ('sha256:i', 'd', 'm', NULL, 'amd64', 'linux', 0, 0);
                 INSERT INTO containers (id, name, image_id, image_name, created, config, state)
                 VALUES ('c1', 'n', 'sha256:i', 'img', 0, '{}', 'exited');
                 INSERT INTO networks (id, name, driver, subnet, gateway, bridge, mtu, created)
                 VALUES ('n1', 'net', 'bridge', '10.89.0.0/24', '10.89.0.1', 'br-n1', 1500, 0);
                 INSERT INTO endpoints (container_id, network_id, idx, static_ip)
                 VALUES ('c1', 'n1', 0, '10.89.0.9');",
            )
            .unwrap();
        }
        let db = Db::open(&path).unwrap();
        let n = networks::network(&db.conn, "n1").unwrap().unwrap();
        assert_eq!((n.subnet6, n.gateway6), (None, None));
        let e = networks::endpoints_of(&db.conn, "c1").unwrap();
        assert_eq!(e[0].static_ip.as_deref(), Some("10.89.0.9"));
        assert_eq!((e[0].ip6.clone(), e[0].static_ip6.clone()), (None, None));
        // Leases: the IPv6 one goes with the IPv4 one.
        networks::set_lease(&db.conn, &e[0], Some("10.89.0.9"), None, None, None).unwrap();
        networks::set_lease6(&db.conn, &e[0], Some("fd00:1::2")).unwrap();
        assert_eq!(networks::used_ips6(&db.conn, "n1").unwrap(), ["fd00:1::2"]);
        networks::set_lease(&db.conn, &e[0], None, None, None, None).unwrap();
        assert!(networks::used_ips6(&db.conn, "n1").unwrap().is_empty());
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("berth.db");
        Db::open(&path)
            .unwrap()
            .conn
            .execute_batch("PRAGMA user_version = 999")
            .unwrap();
        assert!(matches!(Db::open(&path), Err(StateError::TooNew { .. })));
    }
}
