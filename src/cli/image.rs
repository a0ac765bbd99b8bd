//! `pull`, `images`, `rmi`, `tag`, `inspect`, `history` and the `image` group.

use std::collections::{BTreeSet, HashMap};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value, json};

use super::{GlobalOpts, format, prompt, report};
use crate::engine::images::{
    ImageListOptions, ImagePruneOptions, ImagePullOptions, ImageRemoveOptions,
};
use crate::images::pull::PullEvent;
use crate::images::{self, Removed, short_id};

#[derive(Debug, Args)]
pub struct PullArgs {
    /// Image to pull (NAME[:TAG|@DIGEST])
    pub image: String,
    /// Print only the image ID
    #[arg(short, long)]
    pub quiet: bool,
    /// Platform to pull from a multi-platform image (os/arch[/variant])
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Require HTTPS and verify certificates (false: allow plain HTTP and any certificate)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub tls_verify: Option<bool>,
}

#[derive(Debug, Args)]
pub struct ImagesArgs {
    /// Show only images of this repository (and tag)
    pub repository: Option<String>,
    /// Show all images (by default, intermediate images are hidden)
    #[arg(short, long)]
    pub all: bool,
    /// Only show image IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Show digests
    #[arg(long)]
    pub digests: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Output format: table, json, or a Go template such as '{{.Repository}}:{{.Tag}}'
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Filter output (dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE,
    /// reference=PATTERN)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Print no header row (podman's spelling)
    #[arg(long, alias = "noheading")]
    pub no_heading: bool,
}

#[derive(Debug, Args)]
pub struct RmiArgs {
    /// Images to remove (name, ID or ID prefix)
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
    /// Remove the image even if it is referenced by several repositories or mounted
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct TagArgs {
    /// Existing image (name, ID or ID prefix)
    pub source: String,
    /// New name (NAME[:TAG])
    pub target: String,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    pub image: String,
    /// Only show image IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Print sizes and dates in human readable format
    #[arg(short = 'H', long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub human: bool,
    /// Output format: table, json, or a Go template
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Remove all images not in use, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME,
    /// dangling=false)
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
}

#[derive(Debug, Args)]
pub struct MountArgs {
    /// Image to mount
    pub image: String,
}

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Build an image from a Dockerfile
    Build(Box<super::build::BuildArgs>),
    /// List images
    #[command(visible_alias = "list")]
    Ls(ImagesArgs),
    /// Remove one or more images
    #[command(visible_alias = "remove")]
    Rm(RmiArgs),
    /// Download an image from a registry
    Pull(PullArgs),
    /// Upload an image to a registry
    Push(super::push::PushArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(TagArgs),
    /// Show low-level information on images
    Inspect(super::inspect::InspectArgs),
    /// Show the history of an image
    History(HistoryArgs),
    /// Remove unused images
    Prune(PruneArgs),
    /// Mount an image's root filesystem read-only and print its path
    Mount(MountArgs),
    /// Unmount an image mounted with `image mount`
    #[command(visible_alias = "umount")]
    Unmount(MountArgs),
    /// Exit 0 if the image exists, 1 if not
    Exists(super::container::ExistsArgs),
    /// Remove names from an image (all of them without NAME); the image stays
    Untag(super::container::UntagArgs),
}

pub fn image_command(g: &GlobalOpts, c: ImageCommand) -> anyhow::Result<i32> {
    match c {
        ImageCommand::Build(a) => super::build::build(g, *a),
        ImageCommand::Ls(a) => images(g, a),
        ImageCommand::Rm(a) => rmi(g, a),
        ImageCommand::Pull(a) => pull(g, a),
        ImageCommand::Push(a) => super::push::push(g, a),
        ImageCommand::Tag(a) => tag(g, a),
        ImageCommand::Inspect(a) => super::inspect::inspect(g, a),
        ImageCommand::History(a) => history(g, a),
        ImageCommand::Prune(a) => prune(g, a),
        ImageCommand::Mount(a) => mount(g, a),
        ImageCommand::Unmount(a) => unmount(g, a),
        ImageCommand::Exists(a) => Ok(if g.engine().image_exists(&a.name)? {
            0
        } else {
            1
        }),
        ImageCommand::Untag(a) => untag(g, a),
    }
}

/// `untag IMAGE [NAME…]` (podman's): no output.
pub fn untag(g: &GlobalOpts, a: super::container::UntagArgs) -> anyhow::Result<i32> {
    g.engine().image_untag(&a.image, &a.names)?;
    Ok(0)
}

pub fn pull(g: &GlobalOpts, a: PullArgs) -> anyhow::Result<i32> {
    let opts = ImagePullOptions {
        reference: a.image,
        platform: a.platform,
        tls_verify: a.tls_verify,
        credentials: None,
    };
    let renderer = Arc::new(Renderer::new(a.quiet));
    let r2 = renderer.clone();
    let pulled = g.engine().image_pull(&opts, Arc::new(move |e| r2.event(e)));
    renderer.finish();
    let pulled = pulled?;
    if a.quiet {
        println!("{}", pulled.image_id);
    } else {
        println!("Digest: {}", pulled.digest);
        if pulled.changed {
            println!("Status: Downloaded newer image for {}", pulled.familiar);
        } else {
            println!("Status: Image is up to date for {}", pulled.familiar);
        }
        println!("{}", pulled.reference);
    }
    Ok(0)
}

/// Pull progress: one bar per layer on a terminal, Docker-like status lines otherwise.
struct Renderer {
    quiet: bool,
    tty: bool,
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Renderer {
    fn new(quiet: bool) -> Renderer {
        let tty = std::io::stdout().is_terminal();
        let multi = MultiProgress::with_draw_target(if tty && !quiet {
            ProgressDrawTarget::stdout()
        } else {
            ProgressDrawTarget::hidden()
        });
        Renderer {
            quiet,
            tty,
            multi,
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn line(&self, layer: &str, msg: &str) {
        if self.quiet {
            return;
        }
        if self.tty {
            if let Some(b) = self.bars.lock().expect("lock").get(layer) {
                b.set_message(msg.to_string());
            }
        } else {
            println!("{layer}: {msg}");
        }
    }

    fn event(&self, e: PullEvent) {
        match e {
            PullEvent::Pulling { tag, repository } => {
                // The first event: no bar is drawn yet.
                if !self.quiet {
                    println!("{tag}: Pulling from {repository}");
                }
            }
            PullEvent::Resolved { .. } => {}
            PullEvent::LayerQueued { layer, size } => {
                if self.tty && !self.quiet {
                    let b = self.multi.add(ProgressBar::new(size));
                    b.set_style(
                        ProgressStyle::with_template(
                            "{prefix}: {msg:<18} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                        )
                        .expect("template")
                        .progress_chars("=> "),
                    );
                    b.set_prefix(layer.clone());
                    self.bars.lock().expect("lock").insert(layer.clone(), b);
                }
                self.line(&layer, "Pulling fs layer");
            }
            PullEvent::LayerExists { layer } => {
                self.line(&layer, "Already exists");
                self.finish_bar(&layer);
            }
            PullEvent::LayerBytes { layer, done } => {
                if let Some(b) = self.bars.lock().expect("lock").get(&layer) {
                    b.set_message("Downloading");
                    b.set_position(done);
                }
            }
            PullEvent::LayerDownloaded { layer } => self.line(&layer, "Download complete"),
            PullEvent::LayerComplete { layer } => {
                self.line(&layer, "Pull complete");
                self.finish_bar(&layer);
            }
        }
    }

    fn finish_bar(&self, layer: &str) {
        if let Some(b) = self.bars.lock().expect("lock").get(layer) {
            b.set_position(b.length().unwrap_or(0));
            b.finish();
        }
    }

    fn finish(&self) {
        for b in self.bars.lock().expect("lock").values() {
            if !b.is_finished() {
                b.abandon();
            }
        }
    }
}

fn id_display(id: &str, no_trunc: bool) -> String {
    if no_trunc {
        id.to_string()
    } else {
        short_id(id)
    }
}

pub fn images(g: &GlobalOpts, a: ImagesArgs) -> anyhow::Result<i32> {
    let list = g.engine().image_list(&ImageListOptions {
        repository: a.repository,
        filters: crate::filters::Filters::parse_cli(&a.filter)?,
        all: a.all,
    })?;
    if a.quiet {
        let mut seen = BTreeSet::new();
        for s in &list {
            if seen.insert(s.image.id.clone()) {
                println!("{}", id_display(&s.image.id, a.no_trunc));
            }
        }
        return Ok(0);
    }
    let now = images::now_secs();
    let objs: Vec<Map<String, Value>> = list
        .iter()
        .map(|s| {
            let created = images::created_ts(&s.image);
            let mut m = Map::new();
            m.insert("Containers".into(), json!("N/A"));
            m.insert("CreatedAt".into(), json!(format::docker_time(created)));
            m.insert("CreatedSince".into(), json!(format::ago(created, now)));
            m.insert(
                "Digest".into(),
                json!(s.digest.clone().unwrap_or_else(|| "<none>".into())),
            );
            m.insert("ID".into(), json!(id_display(&s.image.id, a.no_trunc)));
            m.insert("Repository".into(), json!(s.repository));
            m.insert("SharedSize".into(), json!("N/A"));
            m.insert("Size".into(), json!(format::human_size(s.image.size)));
            m.insert("Tag".into(), json!(s.tag));
            m.insert("UniqueSize".into(), json!("N/A"));
            m.insert(
                "VirtualSize".into(),
                json!(format::human_size(s.image.size)),
            );
            m
        })
        .collect();
    let mut columns = vec!["Repository", "Tag"];
    if a.digests {
        columns.push("Digest");
    }
    columns.extend(["ID", "CreatedSince", "Size"]);
    format::print_list(
        a.format.as_deref(),
        objs,
        &[
            ("Repository", "REPOSITORY"),
            ("Tag", "TAG"),
            ("ID", "IMAGE ID"),
            ("Digest", "DIGEST"),
            ("CreatedSince", "CREATED"),
            ("CreatedAt", "CREATED AT"),
            ("Size", "SIZE"),
        ],
        &columns,
        &format::ListOptions {
            subject: format::Subject::Typed("*formatter.ImageContext"),
            no_heading: a.no_heading,
        },
    )?;
    Ok(0)
}

pub fn rmi(g: &GlobalOpts, a: RmiArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    let opts = ImageRemoveOptions { force: a.force };
    let mut rc = 0;
    for name in &a.images {
        match engine.image_remove(name, &opts) {
            Ok(lines) => {
                for l in lines {
                    match l {
                        Removed::Untagged(n) => println!("Untagged: {n}"),
                        Removed::Deleted(d) => println!("Deleted: {d}"),
                    }
                }
            }
            Err(e) => {
                // Like Docker: report each failure and go on with the other names.
                rc = report(&e.into());
            }
        }
    }
    Ok(rc)
}

pub fn tag(g: &GlobalOpts, a: TagArgs) -> anyhow::Result<i32> {
    g.engine().image_tag(&a.source, &a.target)?;
    Ok(0)
}

pub fn history(g: &GlobalOpts, a: HistoryArgs) -> anyhow::Result<i32> {
    let entries = g.engine().image_history(&a.image)?;
    if a.quiet {
        for e in &entries {
            println!("{}", id_display(&e.id, a.no_trunc));
        }
        return Ok(0);
    }
    let now = images::now_secs();
    let objs: Vec<Map<String, Value>> = entries
        .iter()
        .map(|e| {
            let ts = e
                .created
                .as_deref()
                .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
                .map(|t| t.timestamp())
                .unwrap_or(0);
            let mut created_by = e.created_by.replace('\t', " ");
            if !a.no_trunc && created_by.chars().count() > 45 {
                created_by = created_by.chars().take(44).collect::<String>() + "…";
            }
            let id = if e.id.starts_with("sha256:") {
                id_display(&e.id, a.no_trunc)
            } else {
                e.id.clone()
            };
            let mut m = Map::new();
            m.insert("Comment".into(), json!(e.comment));
            m.insert(
                "CreatedAt".into(),
                json!(e.created.clone().unwrap_or_default()),
            );
            m.insert(
                "CreatedSince".into(),
                json!(if a.human {
                    format::ago(ts, now)
                } else {
                    e.created.clone().unwrap_or_default()
                }),
            );
            m.insert("CreatedBy".into(), json!(created_by));
            m.insert("ID".into(), json!(id));
            m.insert(
                "Size".into(),
                json!(if a.human {
                    format::human_size(e.size)
                } else {
                    e.size.to_string()
                }),
            );
            m
        })
        .collect();
    format::print_objects(
        a.format.as_deref(),
        objs,
        &[
            ("ID", "IMAGE"),
            ("CreatedSince", "CREATED"),
            ("CreatedAt", "CREATED AT"),
            ("CreatedBy", "CREATED BY"),
            ("Size", "SIZE"),
            ("Comment", "COMMENT"),
        ],
        &["ID", "CreatedSince", "CreatedBy", "Size", "Comment"],
    )?;
    Ok(0)
}

pub fn prune(g: &GlobalOpts, a: PruneArgs) -> anyhow::Result<i32> {
    if !a.force {
        let what = if a.all {
            "all images without at least one container associated to them"
        } else {
            "all dangling images"
        };
        if !prompt::confirm(&format!(
            "WARNING! This will remove {what}.\nAre you sure you want to continue? [y/N] "
        ))? {
            return Ok(0);
        }
    }
    let pruned = g.engine().image_prune(&ImagePruneOptions {
        all: a.all,
        filters: crate::filters::Filters::parse_cli(&a.filter)?,
    })?;
    print_pruned(&pruned.removed);
    println!(
        "Total reclaimed space: {}",
        format::human_size(pruned.reclaimed as i64)
    );
    Ok(0)
}

/// "Deleted Images:" and what was untagged and deleted, as Docker prints them.
pub fn print_pruned(removed: &[Removed]) {
    if !removed.is_empty() {
        println!("Deleted Images:");
        for r in removed {
            match r {
                Removed::Untagged(n) => println!("untagged: {n}"),
                Removed::Deleted(d) => println!("deleted: {d}"),
            }
        }
        println!();
    }
}

pub fn mount(g: &GlobalOpts, a: MountArgs) -> anyhow::Result<i32> {
    let path = g
        .engine()
        .image_mount(&a.image)
        .with_context(|| format!("mounting {}", a.image))?;
    println!("{}", path.display());
    Ok(0)
}

pub fn unmount(g: &GlobalOpts, a: MountArgs) -> anyhow::Result<i32> {
    let id = g.engine().image_unmount(&a.image)?;
    println!("{id}");
    Ok(0)
}
