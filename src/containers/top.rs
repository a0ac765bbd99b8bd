//! `top`: the container's processes (the pids of its cgroup) as the host's `ps` shows them,
//! filtered as Docker does.

use std::fs;
use std::path::{Path, PathBuf};

use super::{ContainerError, Result, reconcile};
use crate::runtime::Runtime;
use crate::state::containers::{ContainerRow, Status};
use crate::store::Store;

/// The pids (host pid namespace) of every process in the container's cgroup, sorted.
pub fn container_pids(store: &Store, id: &str) -> Result<Vec<i32>> {
    let rt = Runtime::new(store.runroot.join("runtime"))
        .map_err(|e| ContainerError::Runtime(e.to_string()))?;
    let cgroup = rt
        .cgroup_path(id)
        .ok()
        .flatten()
        .unwrap_or_else(|| PathBuf::from(super::cgroups_path(id)));
    let rel = cgroup.strip_prefix("/").unwrap_or(&cgroup).to_path_buf();
    let base = Path::new("/sys/fs/cgroup");
    let candidates = [
        base.join("pids").join(&rel),
        base.join("memory").join(&rel),
        base.join("freezer").join(&rel),
        base.join(&rel),
        base.join("unified").join(&rel),
    ];
    for dir in candidates {
        if let Ok(text) = fs::read_to_string(dir.join("cgroup.procs")) {
            let mut pids: Vec<i32> = text
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect();
            pids.sort_unstable();
            pids.dedup();
            return Ok(pids);
        }
    }
    Err(ContainerError::Runtime(format!(
        "cannot find the cgroup of container {id} ({})",
        cgroup.display()
    )))
}

/// `ps` output of a container's processes: titles and rows, as Docker's top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopOutput {
    pub titles: Vec<String>,
    pub processes: Vec<Vec<String>>,
}

/// Docker refuses `ps` options that rename a column to `PID` (the pid column must be found).
fn validate_ps_args(args: &[String]) -> Result<()> {
    // Docker's check, on the arguments joined by spaces: `\s+([^\s]*)=\s*(PID[^\s]*)`.
    for a in args.iter().skip(1) {
        if let Some(i) = a.rfind("=PID") {
            let (k, v) = (&a[..i], &a[i + 1..]);
            if k != "pid" {
                return Err(ContainerError::Invalid(format!(
                    "specifying \"{k}={v}\" is not allowed"
                )));
            }
        }
    }
    Ok(())
}

/// `berth top`: runs the host's `ps` with `ps_args` (default `-ef`) and keeps the rows of the
/// container's processes (Docker's rules: the column titled PID decides; thread rows with `-`
/// follow their process).
pub fn top(store: &mut Store, c: &ContainerRow, ps_args: &[String]) -> Result<TopOutput> {
    let c = reconcile(store, c.clone())?;
    if !matches!(c.status, Status::Running | Status::Paused) {
        return Err(ContainerError::NotRunning(c.id.clone()));
    }
    let mut args: Vec<String> = ps_args.to_vec();
    if args.is_empty() {
        args.push("-ef".to_string());
    }
    validate_ps_args(&args)?;
    let pids = container_pids(store, &c.id)?;
    let pid_list = pids
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let run = |extra: Option<String>| {
        let mut cmd = std::process::Command::new("ps");
        cmd.args(&args);
        if let Some(e) = extra {
            cmd.arg(e);
        }
        cmd.stdin(std::process::Stdio::null()).output()
    };
    let mut out = if pids.is_empty() {
        None
    } else {
        run(Some(format!("-q{pid_list}")))
            .ok()
            .filter(|o| o.status.success())
    };
    if out.is_none() {
        // Some options (such as f) cannot be combined with -q: list everything, then filter.
        let o = run(None).map_err(|e| ContainerError::Runtime(format!("ps: {e}")))?;
        if !o.status.success() {
            let err = String::from_utf8_lossy(&o.stderr);
            let line = err.lines().next().unwrap_or("").trim();
            return Err(ContainerError::Runtime(if line.is_empty() {
                format!("ps: {}", o.status)
            } else {
                format!("ps: {line}")
            }));
        }
        out = Some(o);
    }
    let out = out.expect("set above");
    parse_ps_output(&String::from_utf8_lossy(&out.stdout), &pids)
}

fn parse_ps_output(output: &str, pids: &[i32]) -> Result<TopOutput> {
    let mut lines = output.split('\n');
    let titles: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split_ascii_whitespace()
        .map(str::to_string)
        .collect();
    let pid_index = titles
        .iter()
        .position(|t| t == "PID")
        .ok_or_else(|| ContainerError::Runtime("Couldn't find PID field in ps output".into()))?;
    let mut processes = Vec::new();
    let mut previous_contained = false;
    let push = |processes: &mut Vec<Vec<String>>, fields: &[&str]| {
        let n = titles.len();
        let mut row: Vec<String> = fields
            .iter()
            .take(n.saturating_sub(1))
            .map(|s| s.to_string())
            .collect();
        if fields.len() >= n {
            row.push(fields[n - 1..].join(" "));
        }
        processes.push(row);
    };
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        let Some(f) = fields.get(pid_index) else {
            continue;
        };
        if *f == "-" {
            if previous_contained {
                push(&mut processes, &fields);
            }
            continue;
        }
        let p: i32 = f
            .parse()
            .map_err(|e| ContainerError::Runtime(format!("Unexpected pid '{f}': {e}")))?;
        previous_contained = pids.contains(&p);
        if previous_contained {
            push(&mut processes, &fields);
        }
    }
    Ok(TopOutput { titles, processes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ps_output_is_filtered_by_the_pid_column() {
        let out = "UID          PID    PPID  C STIME TTY          TIME CMD\n\
                   root           1       0  0 10:00 ?        00:00:01 /sbin/init splash\n\
                   root        4242    4200  0 10:01 ?        00:00:00 sh -c sleep 300\n\
                   root        4243    4242  0 10:01 ?        00:00:00 sleep 300\n";
        let t = parse_ps_output(out, &[4242, 4243]).unwrap();
        assert_eq!(t.titles.len(), 8);
        assert_eq!(t.processes.len(), 2);
        assert_eq!(t.processes[0][1], "4242");
        assert_eq!(t.processes[0][7], "sh -c sleep 300");
        assert!(parse_ps_output("USER CMD\n", &[]).is_err());
    }

    #[test]
    fn ps_args_renaming_a_column_to_pid_are_refused() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(validate_ps_args(&v(&["-o", "comm=PID"])).is_err());
        assert!(validate_ps_args(&v(&["-o", "pid=PID,comm"])).is_ok());
        assert!(validate_ps_args(&v(&["aux"])).is_ok());
    }
}
