//! `push` (and `image push`): Docker's progress lines, one bar per layer on a terminal.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::GlobalOpts;
use crate::engine::push::{ImagePushOptions, PushEvent};

#[derive(Debug, Args)]
pub struct PushArgs {
    /// Image to push (NAME[:TAG]; the tag latest when none is given)
    pub image: String,
    /// Push all tags of the repository
    #[arg(short, long)]
    pub all_tags: bool,
    /// Print only the pushed references
    #[arg(short, long)]
    pub quiet: bool,
    /// Require HTTPS and verify certificates (false: allow plain HTTP and any certificate)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub tls_verify: Option<bool>,
}

pub fn push(g: &GlobalOpts, a: PushArgs) -> anyhow::Result<i32> {
    let opts = ImagePushOptions {
        name: a.image,
        all_tags: a.all_tags,
        tls_verify: a.tls_verify,
        credentials: None,
    };
    let renderer = Arc::new(Renderer::new(a.quiet));
    let r2 = renderer.clone();
    let pushed = g.engine().image_push(&opts, Arc::new(move |e| r2.event(e)));
    renderer.finish();
    let pushed = pushed?;
    if a.quiet {
        for t in &pushed.tags {
            println!("{}:{}", pushed.repository, t.tag);
        }
    }
    Ok(0)
}

/// Push progress: Docker's lines (`ID: Preparing`, `ID: Pushed`, …), with a bar per layer
/// on a terminal.
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

    fn line(&self, layer: &str, msg: &str, done: bool) {
        if self.quiet {
            return;
        }
        if self.tty {
            if let Some(b) = self.bars.lock().expect("lock").get(layer) {
                b.set_message(msg.to_string());
                if done {
                    b.set_position(b.length().unwrap_or(0));
                    b.finish();
                }
            }
        } else {
            println!("{layer}: {msg}");
        }
    }

    fn event(&self, e: PushEvent) {
        match e {
            PushEvent::Repository { name } => {
                if !self.quiet {
                    println!("The push refers to repository [{name}]");
                }
            }
            PushEvent::LayerPreparing { layer } => {
                if self.tty && !self.quiet {
                    let b = self.multi.add(ProgressBar::new(0));
                    b.set_style(
                        ProgressStyle::with_template(
                            "{prefix}: {msg:<20} [{bar:30}] {bytes}/{total_bytes}",
                        )
                        .expect("template")
                        .progress_chars("=> "),
                    );
                    b.set_prefix(layer.clone());
                    self.bars.lock().expect("lock").insert(layer.clone(), b);
                }
                self.line(&layer, "Preparing", false);
            }
            PushEvent::LayerBytes { layer, done, total } => {
                if let Some(b) = self.bars.lock().expect("lock").get(&layer) {
                    b.set_length(total);
                    b.set_message("Pushing");
                    b.set_position(done);
                }
            }
            PushEvent::LayerExists { layer } => self.line(&layer, "Layer already exists", true),
            PushEvent::LayerMounted { layer, from } => {
                self.line(&layer, &format!("Mounted from {from}"), true)
            }
            PushEvent::LayerPushed { layer } => self.line(&layer, "Pushed", true),
            PushEvent::Pushed { tag, digest, size } => {
                if !self.quiet {
                    self.finish();
                    self.bars.lock().expect("lock").clear();
                    println!("{tag}: digest: {digest} size: {size}");
                }
            }
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
