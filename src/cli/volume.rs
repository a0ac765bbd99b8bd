//! Volume commands: `volume create`, `ls`, `inspect`, `rm`, `prune`.

use anyhow::bail;
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::{GlobalOpts, format, prompt, report};
use crate::engine;
use crate::engine::volumes::{
    ListedVolume, VolumeCreateOptions, VolumeFilter, VolumeListOptions, VolumePruneOptions,
    VolumeRemoveOptions,
};
use crate::volumes::VolumeError;

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
    /// Exit 0 if the volume exists, 1 if not
    Exists(super::container::ExistsArgs),
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
    /// Filter output (dangling=true|false, label=KEY[=VALUE], name=REGEXP, driver=…)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Output format: table, json, or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Print no header row (podman's spelling)
    #[arg(long, alias = "noheading")]
    pub no_heading: bool,
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
        VolumeCommand::Exists(a) => Ok(if g.engine().volume_exists(&a.name)? {
            0
        } else {
            1
        }),
    }
}

fn create(g: &GlobalOpts, a: CreateArgs) -> anyhow::Result<i32> {
    let opts = VolumeCreateOptions {
        name: a.name,
        driver: a.driver,
        labels: super::flags::kv_list(&a.label, "label")?,
        options: super::flags::kv_list(&a.opt, "option")?,
    };
    let v = g.engine().volume_create(opts)?;
    println!("{}", v.name);
    Ok(0)
}

fn ls(g: &GlobalOpts, a: LsArgs) -> anyhow::Result<i32> {
    let filters = a
        .filter
        .iter()
        .map(|f| VolumeFilter::parse(f))
        .collect::<Result<_, _>>()?;
    let list = g.engine().volume_list(&VolumeListOptions { filters })?;
    if a.quiet {
        for l in &list {
            println!("{}", l.volume.name);
        }
        return Ok(0);
    }
    let objs: Vec<Map<String, Value>> = list
        .iter()
        .map(
            |ListedVolume {
                 volume: v,
                 containers,
             }| {
                let mut m = Map::new();
                m.insert("Driver".into(), json!(v.driver));
                m.insert("Name".into(), json!(v.name));
                m.insert("Mountpoint".into(), json!(v.mountpoint));
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
                m.insert("Scope".into(), json!(v.scope));
                m.insert("Links".into(), json!(containers.to_string()));
                m.insert("Size".into(), json!("N/A"));
                m.insert("CreatedAt".into(), json!(format::docker_time(v.created)));
                m
            },
        )
        .collect();
    format::print_list(
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
        &format::ListOptions {
            subject: format::Subject::Typed("*formatter.volumeContext"),
            no_heading: a.no_heading,
        },
    )?;
    Ok(0)
}

fn inspect(g: &GlobalOpts, a: InspectArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    let mut found = Vec::new();
    let mut missing = None;
    for n in &a.names {
        match engine.volume_inspect(n) {
            Ok(v) => found.push(v),
            Err(engine::Error::Volume(VolumeError::NotFound(_))) => {
                missing = missing.or(Some(n.clone()))
            }
            Err(e) => return Err(e.into()),
        }
    }
    format::print_inspected(a.format.as_deref(), found)?;
    if let Some(m) = missing {
        bail!("get {m}: no such volume");
    }
    Ok(0)
}

fn rm(g: &GlobalOpts, a: RmArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    let opts = VolumeRemoveOptions { force: a.force };
    let mut rc = 0;
    for n in &a.names {
        match engine.volume_remove(n, &opts) {
            Ok(()) => println!("{n}"),
            Err(e) => {
                rc = report(&e.into());
            }
        }
    }
    Ok(rc)
}

fn prune(g: &GlobalOpts, a: PruneArgs) -> anyhow::Result<i32> {
    let opts = VolumePruneOptions::from_filters(a.all, &a.filter)?;
    if !a.force {
        let what = if opts.all {
            "all local volumes not used by at least one container"
        } else {
            "anonymous local volumes not used by at least one container"
        };
        if !prompt::confirm(&format!(
            "WARNING! This will remove {what}.\nAre you sure you want to continue? [y/N] "
        ))? {
            return Ok(0);
        }
    }
    let pruned = g.engine().volume_prune(&opts)?;
    format::print_deleted("Deleted Volumes:", &pruned.names);
    println!(
        "Total reclaimed space: {}",
        format::human_size(pruned.reclaimed as i64)
    );
    Ok(0)
}
