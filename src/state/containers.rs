//! Rows for containers.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

/// Docker's container states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Created,
    Running,
    Paused,
    Restarting,
    Exited,
    Dead,
    Removing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Restarting => "restarting",
            Status::Exited => "exited",
            Status::Dead => "dead",
            Status::Removing => "removing",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "created" => Status::Created,
            "running" => Status::Running,
            "paused" => Status::Paused,
            "restarting" => Status::Restarting,
            "exited" => Status::Exited,
            "dead" => Status::Dead,
            "removing" => Status::Removing,
            _ => return None,
        })
    }

    /// A container whose process (and monitor) may be alive.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Running | Status::Paused | Status::Restarting)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ContainerRow {
    pub id: String,
    pub name: String,
    pub image_id: String,
    pub image_name: String,
    pub created: i64,
    pub config: String,
    pub status: Status,
    pub pid: i64,
    pub monitor_pid: i64,
    pub exit_code: i64,
    pub oom_killed: bool,
    pub started_at: i64,
    pub finished_at: i64,
    pub restart_count: i64,
    pub error: String,
    pub stopped_by_user: bool,
}

const COLS: &str = "id, name, image_id, image_name, created, config, state, pid, monitor_pid, \
                    exit_code, oom_killed, started_at, finished_at, restart_count, error, \
                    stopped_by_user";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ContainerRow> {
    let state: String = r.get(6)?;
    Ok(ContainerRow {
        id: r.get(0)?,
        name: r.get(1)?,
        image_id: r.get(2)?,
        image_name: r.get(3)?,
        created: r.get(4)?,
        config: r.get(5)?,
        status: Status::parse(&state).unwrap_or(Status::Dead),
        pid: r.get(7)?,
        monitor_pid: r.get(8)?,
        exit_code: r.get(9)?,
        oom_killed: r.get::<_, i64>(10)? != 0,
        started_at: r.get(11)?,
        finished_at: r.get(12)?,
        restart_count: r.get(13)?,
        error: r.get(14)?,
        stopped_by_user: r.get::<_, i64>(15)? != 0,
    })
}

pub fn insert(conn: &Connection, c: &ContainerRow) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO containers ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)"
        ),
        params![
            c.id,
            c.name,
            c.image_id,
            c.image_name,
            c.created,
            c.config,
            c.status.as_str(),
            c.pid,
            c.monitor_pid,
            c.exit_code,
            c.oom_killed as i64,
            c.started_at,
            c.finished_at,
            c.restart_count,
            c.error,
            c.stopped_by_user as i64
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<ContainerRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM containers WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

pub fn by_name(conn: &Connection, name: &str) -> Result<Option<ContainerRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM containers WHERE name = ?1"))?
        .query_row([name], from_row)
        .optional()?)
}

pub fn ids_with_prefix(conn: &Connection, prefix: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT id FROM containers WHERE substr(id, 1, ?2) = ?1")?;
    let rows = st.query_map(params![prefix, prefix.len() as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// All containers, newest first.
pub fn list(conn: &Connection) -> Result<Vec<ContainerRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM containers ORDER BY created DESC"
    ))?;
    let rows = st.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn name_taken(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM containers WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )?)
}

pub fn image_in_use(conn: &Connection, image_id: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT id FROM containers WHERE image_id = ?1")?;
    let rows = st.query_map([image_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The monitor reports a started process.
pub fn set_running(
    conn: &Connection,
    id: &str,
    pid: i64,
    monitor_pid: i64,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE containers SET state = 'running', pid = ?2, monitor_pid = ?3, started_at = ?4,
         exit_code = 0, oom_killed = 0, error = '', stopped_by_user = 0 WHERE id = ?1",
        params![id, pid, monitor_pid, now],
    )?;
    Ok(())
}

/// The process ended (or never started: `error` says why).
pub fn set_exited(
    conn: &Connection,
    id: &str,
    exit_code: i64,
    oom_killed: bool,
    now: i64,
    error: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE containers SET state = 'exited', pid = 0, monitor_pid = 0, exit_code = ?2,
         oom_killed = ?3, finished_at = ?4, error = ?5 WHERE id = ?1",
        params![id, exit_code, oom_killed as i64, now, error],
    )?;
    Ok(())
}

/// Records a start that failed: the container stays `created` if it never ran (Docker's
/// state after a failed `run`), `exited` otherwise; the exit code and error are kept.
pub fn set_start_failed(
    conn: &Connection,
    id: &str,
    exit_code: i64,
    now: i64,
    error: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE containers SET state = CASE WHEN started_at = 0 THEN 'created' ELSE 'exited' END,
         pid = 0, monitor_pid = 0, exit_code = ?2, oom_killed = 0, finished_at = ?3, error = ?4
         WHERE id = ?1",
        params![id, exit_code, now, error],
    )?;
    Ok(())
}

/// Records that the user stopped or killed the container (restart policies then leave it).
pub fn set_stopped_by_user(conn: &Connection, id: &str) -> Result<()> {
    conn.execute(
        "UPDATE containers SET stopped_by_user = 1 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

pub fn set_status(conn: &Connection, id: &str, status: Status) -> Result<()> {
    conn.execute(
        "UPDATE containers SET state = ?2 WHERE id = ?1",
        params![id, status.as_str()],
    )?;
    Ok(())
}

/// Replaces the stored settings (`update`).
pub fn set_config(conn: &Connection, id: &str, config: &str) -> Result<()> {
    conn.execute(
        "UPDATE containers SET config = ?2 WHERE id = ?1",
        params![id, config],
    )?;
    Ok(())
}

pub fn set_monitor(conn: &Connection, id: &str, monitor_pid: i64) -> Result<()> {
    conn.execute(
        "UPDATE containers SET monitor_pid = ?2 WHERE id = ?1",
        params![id, monitor_pid],
    )?;
    Ok(())
}

pub fn bump_restart_count(conn: &Connection, id: &str) -> Result<()> {
    conn.execute(
        "UPDATE containers SET restart_count = restart_count + 1, state = 'restarting' WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

pub fn rename(conn: &Connection, id: &str, name: &str) -> Result<()> {
    conn.execute(
        "UPDATE containers SET name = ?2 WHERE id = ?1",
        params![id, name],
    )?;
    Ok(())
}

/// How long the exit code of a removed container is kept (for `wait` of its removal).
const REMOVED_EXIT_KEPT_NANOS: i64 = 10 * 60 * 1_000_000_000;

/// Deletes the row, keeping its exit code for a while ([`removed_exit`]).
pub fn delete(conn: &Connection, id: &str) -> Result<()> {
    let now = crate::clock::now_nanos();
    conn.execute(
        "DELETE FROM removed_exits WHERE removed_at < ?1",
        [now - REMOVED_EXIT_KEPT_NANOS],
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO removed_exits (id, exit_code, removed_at)
         SELECT id, exit_code, ?2 FROM containers WHERE id = ?1",
        params![id, now],
    )?;
    conn.execute("DELETE FROM containers WHERE id = ?1", [id])?;
    Ok(())
}

/// The exit code of a container removed in the last minutes.
pub fn removed_exit(conn: &Connection, id: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT exit_code FROM removed_exits WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}
