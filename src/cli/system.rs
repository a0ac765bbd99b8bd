//! `system df`, `system prune` and `system reset`.

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::format::{self, human_size};
use super::{GlobalOpts, prompt};
use crate::engine::system::SystemPruneOptions;
use crate::system::Usage;

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Show disk usage
    Df(DfArgs),
    /// Remove unused data
    Prune(PruneArgs),
    /// Remove every container, network, volume and image, and berth's kernel state (bridges,
    /// firewall rules): the root and run root directories are deleted
    Reset(ResetArgs),
    /// Serve the Docker Engine API on a unix socket (for the docker CLI, Compose, SDKs)
    Service(ServiceArgs),
    /// Get real time events from the server
    Events(super::events::EventsArgs),
    /// Display system-wide information
    Info(super::version::InfoArgs),
}

#[derive(Debug, Args)]
pub struct ServiceArgs {
    /// Exit after this many seconds without a connection (0: never)
    #[arg(short, long, value_name = "SECONDS", default_value_t = 5)]
    pub time: u64,
    /// The group that may use the socket (mode 0660)
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Where to listen: unix:///PATH (default: unix://RUNROOT/berth.sock)
    #[arg(value_name = "URI")]
    pub uri: Option<String>,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DfArgs {
    /// Show detailed information on space usage
    #[arg(short, long)]
    pub verbose: bool,
    /// Output format: table, json, or a Go template
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Remove all unused images, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Prune anonymous volumes
    #[arg(long)]
    pub volumes: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME)
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
}

pub fn system_command(g: &GlobalOpts, c: SystemCommand) -> anyhow::Result<i32> {
    match c {
        SystemCommand::Df(a) => df(g, a),
        SystemCommand::Prune(a) => prune(g, a),
        SystemCommand::Reset(a) => reset(g, a),
        SystemCommand::Events(a) => super::events::events(g, a),
        SystemCommand::Info(a) => super::version::info(g, a),
        SystemCommand::Service(a) => {
            crate::api::serve(
                g.engine(),
                crate::api::ServiceOptions {
                    uri: a.uri,
                    idle: (a.time > 0).then(|| std::time::Duration::from_secs(a.time)),
                    group: a.group,
                },
            )?;
            Ok(0)
        }
    }
}

fn reset(g: &GlobalOpts, a: ResetArgs) -> anyhow::Result<i32> {
    if !a.force
        && !prompt::confirm(&format!(
            "WARNING! This will remove all containers, networks, volumes and images in {} and {}.\n\
             Are you sure you want to continue? [y/N] ",
            g.root.display(),
            g.runroot.display()
        ))?
    {
        return Ok(0);
    }
    g.engine().system_reset()?;
    Ok(0)
}

/// Docker's RECLAIMABLE column: "1.2MB (40%)".
fn reclaimable(u: &Usage) -> String {
    if u.size == 0 {
        return human_size(u.reclaimable as i64);
    }
    format!(
        "{} ({}%)",
        human_size(u.reclaimable as i64),
        u.reclaimable * 100 / u.size
    )
}

fn df(g: &GlobalOpts, a: DfArgs) -> anyhow::Result<i32> {
    let du = g.engine().system_df()?;
    let cache = g.engine().build_cache_list()?;
    let build_cache = Usage {
        total: cache.len(),
        active: cache.iter().filter(|c| c.in_use).count(),
        size: cache.iter().map(|c| c.size).sum(),
        reclaimable: cache
            .iter()
            .filter(|c| !c.in_use && !c.shared)
            .map(|c| c.size)
            .sum(),
    };
    let objs: Vec<Map<String, Value>> = [
        ("Images", &du.images),
        ("Containers", &du.containers),
        ("Local Volumes", &du.volumes),
        ("Build Cache", &build_cache),
    ]
    .iter()
    .map(|(t, u)| {
        let mut m = Map::new();
        m.insert("Type".into(), json!(t));
        m.insert("TotalCount".into(), json!(u.total.to_string()));
        m.insert("Active".into(), json!(u.active.to_string()));
        m.insert("Size".into(), json!(human_size(u.size as i64)));
        m.insert("Reclaimable".into(), json!(reclaimable(u)));
        m
    })
    .collect();
    if !a.verbose {
        format::print_objects(
            a.format.as_deref(),
            objs,
            &[
                ("Type", "TYPE"),
                ("TotalCount", "TOTAL"),
                ("Active", "ACTIVE"),
                ("Size", "SIZE"),
                ("Reclaimable", "RECLAIMABLE"),
            ],
            &["Type", "TotalCount", "Active", "Size", "Reclaimable"],
        )?;
        return Ok(0);
    }
    let now = crate::clock::now_nanos();
    println!("Images space usage:\n");
    let rows: Vec<Vec<String>> = du
        .image_list
        .iter()
        .map(|i| {
            vec![
                crate::images::short_id(&i.id),
                human_size(i.size as i64),
                i.containers.to_string(),
            ]
        })
        .collect();
    format::print_table(&["IMAGE ID", "SIZE", "CONTAINERS"], &rows);
    println!("\nContainers space usage:\n");
    let rows: Vec<Vec<String>> = du
        .container_list
        .iter()
        .map(|c| {
            vec![
                c.row.id[..12].to_string(),
                c.row.image_name.clone(),
                c.volumes.to_string(),
                human_size(c.size as i64),
                format::ago(c.row.created / 1_000_000_000, now / 1_000_000_000),
                crate::containers::status_line(&c.row, now),
                c.row.name.clone(),
            ]
        })
        .collect();
    format::print_table(
        &[
            "CONTAINER ID",
            "IMAGE",
            "LOCAL VOLUMES",
            "SIZE",
            "CREATED",
            "STATUS",
            "NAMES",
        ],
        &rows,
    );
    println!("\nLocal Volumes space usage:\n");
    let rows: Vec<Vec<String>> = du
        .volume_list
        .iter()
        .map(|v| {
            vec![
                v.name.clone(),
                v.links.to_string(),
                human_size(v.size as i64),
            ]
        })
        .collect();
    format::print_table(&["VOLUME NAME", "LINKS", "SIZE"], &rows);
    println!(
        "\nBuild cache usage: {}\n",
        human_size(build_cache.size as i64)
    );
    let rows: Vec<Vec<String>> = cache
        .iter()
        .map(|c| {
            let mut id: String = c.id.chars().take(12).collect();
            if c.in_use {
                id.push('*');
            }
            vec![
                id,
                c.kind.to_string(),
                human_size(c.size as i64),
                format::ago(c.created, now / 1_000_000_000),
                format::ago(c.last_used, now / 1_000_000_000),
                c.usage_count.to_string(),
                c.shared.to_string(),
            ]
        })
        .collect();
    format::print_table(
        &[
            "CACHE ID",
            "CACHE TYPE",
            "SIZE",
            "CREATED",
            "LAST USED",
            "USAGE",
            "SHARED",
        ],
        &rows,
    );
    Ok(0)
}

fn prune(g: &GlobalOpts, a: PruneArgs) -> anyhow::Result<i32> {
    if !a.force {
        let mut what = vec![
            "all stopped containers",
            "all networks not used by at least one container",
        ];
        if a.volumes {
            what.push("all anonymous volumes not used by at least one container");
        }
        what.push(if a.all {
            "all images without at least one container associated to them"
        } else {
            "all dangling images"
        });
        let list: String = what.iter().map(|w| format!("  - {w}\n")).collect();
        if !prompt::confirm(&format!(
            "WARNING! This will remove:\n{list}\nAre you sure you want to continue? [y/N] "
        ))? {
            return Ok(0);
        }
    }
    let p = g.engine().system_prune(&SystemPruneOptions {
        all: a.all,
        volumes: a.volumes,
        filters: crate::filters::Filters::parse_cli(&a.filter)?,
    })?;
    format::print_deleted("Deleted Containers:", &p.containers);
    format::print_deleted("Deleted Volumes:", &p.volumes);
    format::print_deleted("Deleted Networks:", &p.networks);
    super::image::print_pruned(&p.images);
    println!("Total reclaimed space: {}", human_size(p.reclaimed as i64));
    Ok(0)
}
