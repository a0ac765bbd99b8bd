//! `exec`, `attach`, `top`, `pause` and `unpause` (also under `container`).

use std::path::PathBuf;

use clap::Args;

use super::{GlobalOpts, terminal};
use crate::containers::exec::ExecOptions;
use crate::engine::Attach;

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Detached mode: run the command in the background
    #[arg(short, long)]
    pub detach: bool,
    /// Keep STDIN open even if not attached
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    pub tty: bool,
    /// Set environment variables (KEY=VALUE, or KEY to take the host's value)
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read environment variables from a file
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short, long)]
    pub user: Option<String>,
    /// Working directory inside the container
    #[arg(short, long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// Give extended privileges to the command
    #[arg(long)]
    pub privileged: bool,
    /// The running container
    pub container: String,
    /// Command and arguments
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// Do not attach STDIN
    #[arg(long)]
    pub no_stdin: bool,
    /// Proxy all received signals to the process
    #[arg(
        long,
        default_value_t = true,
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        value_name = "BOOL"
    )]
    pub sig_proxy: bool,
    /// Override the key sequence for detaching a container
    #[arg(long, value_name = "KEYS")]
    pub detach_keys: Option<String>,
    /// The running container
    pub container: String,
}

#[derive(Debug, Args)]
pub struct TopArgs {
    /// The running container
    pub container: String,
    /// Options for ps (default: -ef)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "PS OPTIONS"
    )]
    pub ps_args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PauseArgs {
    #[arg(
        required_unless_present = "all",
        conflicts_with = "all",
        value_name = "CONTAINER"
    )]
    pub containers: Vec<String>,
    #[command(flatten)]
    pub select: super::container::AllIgnore,
}

pub fn exec(g: &GlobalOpts, a: ExecArgs) -> anyhow::Result<i32> {
    let env = super::flags::load_env(&a.env, &a.env_file)?;
    let opts = ExecOptions {
        args: a.command,
        env,
        user: a.user,
        workdir: a.workdir,
        privileged: a.privileged,
        interactive: a.interactive,
        tty: a.tty,
        console_size: if a.tty { terminal::size() } else { None },
    };
    // An attached exec's terminal is checked (and its signals blocked) before it starts.
    let (attach, _session) = if a.detach {
        (Attach::Detached, None)
    } else {
        let (io, session) = terminal::exec_io(a.interactive, a.tty)?;
        (Attach::Streams(io), Some(session))
    };
    Ok(g.engine().container_exec(&a.container, opts, attach)?)
}

pub fn attach(g: &GlobalOpts, a: AttachArgs) -> anyhow::Result<i32> {
    let keys = terminal::detach_keys(a.detach_keys.as_deref())?;
    let (io, session) = terminal::attach_io_with_keys(!a.no_stdin, a.sig_proxy, keys);
    match g.engine().container_attach(&a.container, io) {
        Ok(code) => Ok(code),
        Err(_) if session.detached() => Ok(0),
        Err(e) => Err(e.into()),
    }
}

pub fn top(g: &GlobalOpts, a: TopArgs) -> anyhow::Result<i32> {
    let t = g.engine().container_top(&a.container, &a.ps_args)?;
    print!("{}", tabwriter(&t.titles, &t.processes));
    Ok(0)
}

/// The layout of Go's `tabwriter.NewWriter(out, 20, 1, 3, ' ', 0)` as `docker top` uses it:
/// every cell but the last of a line is padded to the column's widest cell plus 3, at least 20.
fn tabwriter(titles: &[String], rows: &[Vec<String>]) -> String {
    let lines: Vec<&[String]> = std::iter::once(titles)
        .chain(rows.iter().map(Vec::as_slice))
        .collect();
    let ncols = lines.iter().map(|l| l.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; ncols];
    for l in &lines {
        for (i, cell) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count() + 3);
        }
    }
    let mut out = String::new();
    for l in &lines {
        for (i, cell) in l.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < l.len() {
                let w = widths[i].max(20);
                out.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

pub fn pause(g: &GlobalOpts, a: PauseArgs) -> anyhow::Result<i32> {
    use crate::state::containers::Status;
    let engine = g.engine();
    let names =
        super::container::selected(&engine, &a.containers, a.select, |s| s == Status::Running)?;
    Ok(super::container::each_selected(&names, a.select, |n| {
        engine.container_pause(n)
    }))
}

pub fn unpause(g: &GlobalOpts, a: PauseArgs) -> anyhow::Result<i32> {
    use crate::state::containers::Status;
    let engine = g.engine();
    let names =
        super::container::selected(&engine, &a.containers, a.select, |s| s == Status::Paused)?;
    Ok(super::container::each_selected(&names, a.select, |n| {
        engine.container_unpause(n)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_table_is_laid_out_like_go_tabwriter() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let out = tabwriter(
            &s(&["UID", "PID", "CMD"]),
            &[s(&["root", "4242", "sleep 300"])],
        );
        assert_eq!(
            out,
            format!(
                "UID{}PID{}CMD\nroot{}4242{}sleep 300\n",
                " ".repeat(17),
                " ".repeat(17),
                " ".repeat(16),
                " ".repeat(16)
            )
        );
    }
}
