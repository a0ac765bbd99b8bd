//! Volume commands: `volume create`, `ls`, `inspect`, `rm`, `prune`.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::GlobalOpts;
use super::format;
use crate::state::volumes::VolumeRow;
use crate::store::Store;
use crate::volumes::{self, VolumeError};

#[derive(Debug, Subcommand)]
pub enum VolumeCommand {
    /// Create a volume
    Create(CreateArgs),
    /// List volumes
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Display detailed information on one or more volumes
    Inspect(InspectArgs),
    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// Remove unused local volumes
    Prune(PruneArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Volume name (default: a random 64-hex name)
    pub name: Option<String>,
    /// Specify volume driver name
    #[arg(short, long, default_value = "local")]
    pub driver: String,
    /// Set metadata for a volume (KEY=VALUE)
    #[arg(long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Set driver specific options (KEY=VALUE)
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Only display volume names
    #[arg(short, long)]
    pub quiet: bool,
    /// Filter output (dangling=true|false, label=KEY[=VALUE], name=…, driver=…)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Output format: table, json, or a Go template
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[arg(required = true, value_name = "VOLUME")]
    pub names: Vec<String>,
    /// Format the output using a Go template, or json
    #[arg(short, long)]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    #[arg(required = true, value_name = "VOLUME")]
    pub names: Vec<String>,
    /// Do not fail for volumes that do not exist (volumes in use are still refused)
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Remove all unused volumes, not just anonymous ones
    #[arg(short, long)]
    pub all: bool,
    /// Filter (label=KEY[=VALUE], label!=KEY[=VALUE])
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

pub fn volume_command(g: &GlobalOpts, c: VolumeCommand) -> anyhow::Result<i32> {
    match c {
        VolumeCommand::Create(a) => create(g, a),
        VolumeCommand::Ls(a) => ls(g, a),
        VolumeCommand::Inspect(a) => inspect(g, a),
        VolumeCommand::Rm(a) => rm(g, a),
        VolumeCommand::Prune(a) => prune(g, a),
    }
}

fn create(g: &GlobalOpts, a: CreateArgs) -> anyhow::Result<i32> {
    if a.driver != "local" {
        bail!("volume driver {:?} is not supported (only local)", a.driver);
    }
    let labels = super::flags::kv_list(&a.label, "label")?;
    let opts = super::flags::kv_list(&a.opt, "option")?;
    let mut store = g.open_store()?;
    let v = volumes::create(&mut store, a.name.as_deref(), labels, opts)?;
    println!("{}", v.name);
    Ok(0)
}

/// Docker's `label=KEY` / `label=KEY=VALUE` match.
fn label_matches(labels: &BTreeMap<String, String>, spec: &str) -> bool {
    match spec.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
        None => labels.contains_key(spec),
    }
}

/// Docker's volume inspect object.
pub fn volume_json(store: &Store, v: &VolumeRow) -> Value {
    json!({
        "CreatedAt": crate::images::rfc3339(v.created),
        "Driver": v.driver,
        "Labels": v.labels,
        "Mountpoint": volumes::data_dir(&store.root, &v.name),
        "Name": v.name,
        "Options": if v.options.is_empty() { Value::Null } else { json!(v.options) },
        "Scope": "local",
    })
}

fn ls(g: &GlobalOpts, a: LsArgs) -> anyhow::Result<i32> {
    let mut filters = Vec::new();
    for f in &a.filter {
        let (k, v) = f
            .split_once('=')
            .with_context(|| format!("bad filter {f:?}: expected KEY=VALUE"))?;
        match k {
            "dangling" if ["true", "false", "1", "0"].contains(&v) => {}
            "dangling" => bail!("invalid filter 'dangling={v}'"),
            "label" | "name" | "driver" => {}
            _ => bail!("invalid filter {k:?} (supported: dangling, label, name, driver)"),
        }
        filters.push((k.to_string(), v.to_string()));
    }
    let store = g.open_store()?;
    let used = volumes::ref_counts(&store)?;
    let list: Vec<VolumeRow> = volumes::list(&store)?
        .into_iter()
        .filter(|v| {
            filters.iter().all(|(k, f)| match k.as_str() {
                "dangling" => (f == "true" || f == "1") != used.contains_key(&v.name),
                "label" => label_matches(&v.labels, f),
                "name" => v.name.contains(f.as_str()),
                "driver" => v.driver == *f,
                _ => false,
            })
        })
        .collect();
    if a.quiet {
        for v in &list {
            println!("{}", v.name);
        }
        return Ok(0);
    }
    let objs: Vec<Map<String, Value>> = list
        .iter()
        .map(|v| {
            let mut m = Map::new();
            m.insert("Driver".into(), json!(v.driver));
            m.insert("Name".into(), json!(v.name));
            m.insert(
                "Mountpoint".into(),
                json!(volumes::data_dir(&store.root, &v.name)),
            );
            m.insert(
                "Labels".into(),
                json!(
                    v.labels
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            );
            m.insert("Scope".into(), json!("local"));
            m.insert(
                "Links".into(),
                json!(used.get(&v.name).copied().unwrap_or(0).to_string()),
            );
            m.insert("Size".into(), json!("N/A"));
            m.insert("CreatedAt".into(), json!(format::docker_time(v.created)));
            m
        })
        .collect();
    format::print_objects(
        a.format.as_deref(),
        objs,
        &[
            ("Driver", "DRIVER"),
            ("Name", "VOLUME NAME"),
            ("Mountpoint", "MOUNTPOINT"),
            ("Labels", "LABELS"),
            ("Scope", "SCOPE"),
            ("Links", "LINKS"),
            ("Size", "SIZE"),
            ("CreatedAt", "CREATED AT"),
        ],
        &["Driver", "Name"],
    );
    Ok(0)
}

fn inspect(g: &GlobalOpts, a: InspectArgs) -> anyhow::Result<i32> {
    let store = g.open_store()?;
    let mut found = Vec::new();
    let mut missing = None;
    for n in &a.names {
        match volumes::get(&store, n) {
            Ok(v) => found.push(volume_json(&store, &v)),
            Err(VolumeError::NotFound(_)) => missing = missing.or(Some(n.clone())),
            Err(e) => return Err(e.into()),
        }
    }
    format::print_inspected(a.format.as_deref(), found);
    if let Some(m) = missing {
        bail!("get {m}: no such volume");
    }
    Ok(0)
}

fn rm(g: &GlobalOpts, a: RmArgs) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    let mut rc = 0;
    for n in &a.names {
        match volumes::remove(&mut store, n) {
            Ok(true) => println!("{n}"),
            Ok(false) if a.force => println!("{n}"),
            Ok(false) => {
                eprintln!("berth: error: {}", VolumeError::NotFound(n.clone()));
                rc = 125;
            }
            Err(e) => {
                eprintln!("berth: error: {e}");
                rc = 125;
            }
        }
    }
    Ok(rc)
}

fn prune(g: &GlobalOpts, a: PruneArgs) -> anyhow::Result<i32> {
    let mut labels = Vec::new();
    for f in &a.filter {
        match f.split_once('=') {
            Some(("label", v)) => labels.push((true, v.to_string())),
            Some(("label!", v)) => labels.push((false, v.to_string())),
            Some(("all", v)) if ["true", "1"].contains(&v) => {}
            _ => bail!("invalid filter {f:?} (supported: label, label!)"),
        }
    }
    let all = a.all || a.filter.iter().any(|f| f == "all=true" || f == "all=1");
    if !a.force {
        let what = if all {
            "all local volumes not used by at least one container"
        } else {
            "anonymous local volumes not used by at least one container"
        };
        if !super::prompt::confirm(&format!(
            "WARNING! This will remove {what}.\nAre you sure you want to continue? [y/N] "
        ))? {
            return Ok(0);
        }
    }
    let mut store = g.open_store()?;
    let (removed, bytes) = volumes::prune(&mut store, all, |v| {
        labels
            .iter()
            .all(|(want, l)| label_matches(&v.labels, l) == *want)
    })?;
    format::print_deleted("Deleted Volumes:", &removed);
    println!(
        "Total reclaimed space: {}",
        format::human_size(bytes as i64)
    );
    Ok(0)
}
