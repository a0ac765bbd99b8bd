//! `commit`, `save`, `load`, `import`.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::Args;

use super::GlobalOpts;
use crate::engine::image_archive::{ContainerCommitOptions, ImageImportOptions};

#[derive(Debug, Args)]
pub struct CommitArgs {
    /// Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
    #[arg(short, long)]
    pub author: Option<String>,
    /// Apply Dockerfile instruction to the created image
    #[arg(short, long, value_name = "CHANGE")]
    pub change: Vec<String>,
    /// Commit message
    #[arg(short, long)]
    pub message: Option<String>,
    /// Pause container during commit
    #[arg(short, long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true, value_name = "BOOL")]
    pub pause: bool,
    /// The container (name, ID or ID prefix)
    pub container: String,
    /// REPOSITORY[:TAG] of the new image
    pub reference: Option<String>,
}

#[derive(Debug, Args)]
pub struct SaveArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Images (names, IDs or ID prefixes)
    #[arg(required = true)]
    pub images: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Read from tar archive file, instead of STDIN
    #[arg(short, long)]
    pub input: Option<PathBuf>,
    /// Suppress the load output
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Apply Dockerfile instruction to the created image
    #[arg(short, long, value_name = "CHANGE")]
    pub change: Vec<String>,
    /// Set commit message for imported image
    #[arg(short, long)]
    pub message: Option<String>,
    /// A tarball (file, or - for STDIN)
    pub file: String,
    /// REPOSITORY[:TAG] of the new image
    pub reference: Option<String>,
}

pub fn commit(g: &GlobalOpts, a: CommitArgs) -> anyhow::Result<i32> {
    let id = g.engine().container_commit(&ContainerCommitOptions {
        container: a.container,
        reference: a.reference,
        author: a.author,
        comment: a.message,
        changes: a.change,
        pause: a.pause,
    })?;
    println!("{id}");
    Ok(0)
}

pub fn save(g: &GlobalOpts, a: SaveArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    match &a.output {
        Some(path) => {
            // Written next to the destination, renamed into place once complete.
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| {
                anyhow::anyhow!(
                    "failed to save image: invalid output path: {}: {e}",
                    dir.display()
                )
            })?;
            {
                let mut w = io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
                engine.image_save(&a.images, &mut w)?;
                w.flush()?;
            }
            tmp.as_file().sync_all()?;
            tmp.persist(path)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.error))?;
        }
        None => {
            let stdout = io::stdout();
            if stdout.is_terminal() {
                anyhow::bail!(
                    "cowardly refusing to save to a terminal. Use the -o flag or redirect"
                );
            }
            let mut w = io::BufWriter::with_capacity(1 << 20, stdout.lock());
            engine.image_save(&a.images, &mut w)?;
            w.flush()?;
        }
    }
    Ok(0)
}

pub fn load(g: &GlobalOpts, a: LoadArgs) -> anyhow::Result<i32> {
    let mut input: Box<dyn Read> = match &a.input {
        Some(p) => {
            Box::new(File::open(p).map_err(|e| anyhow::anyhow!("open {}: {e}", p.display()))?)
        }
        None => {
            if io::stdin().is_terminal() {
                anyhow::bail!("requested load from stdin, but stdin is empty (use -i or redirect)");
            }
            Box::new(io::stdin().lock())
        }
    };
    let loaded = g.engine().image_load(&mut input)?;
    if !a.quiet {
        for l in &loaded {
            if l.tags.is_empty() {
                println!("Loaded image ID: {}", l.id);
            }
            for t in &l.tags {
                println!("Loaded image: {t}");
            }
        }
    }
    Ok(0)
}

pub fn import(g: &GlobalOpts, a: ImportArgs) -> anyhow::Result<i32> {
    let mut input: Box<dyn Read> = if a.file == "-" {
        Box::new(io::stdin().lock())
    } else if a.file.starts_with("http://") || a.file.starts_with("https://") {
        anyhow::bail!("importing from a URL is not supported yet: download it and import the file")
    } else {
        Box::new(File::open(&a.file).map_err(|e| anyhow::anyhow!("open {}: {e}", a.file))?)
    };
    let id = g.engine().image_import(
        &mut input,
        &ImageImportOptions {
            reference: a.reference,
            comment: a.message,
            changes: a.change,
            source: a.file.clone(),
        },
    )?;
    println!("{id}");
    Ok(0)
}
