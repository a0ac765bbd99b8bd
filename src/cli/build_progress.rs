//! `build --progress tty` (and `auto` on a terminal): a live view of the classic builder's
//! text, one line per step: a spinner with the step's last output line while it runs, then
//! its result (`CACHED` or `done`, the image ID, the time). A step's own output is kept back
//! and printed only when the build fails in it. Everything else ("Successfully built …",
//! warnings) is printed as it comes.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct TtyView {
    multi: MultiProgress,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Text after the last newline, waiting for the rest of its line.
    partial: String,
    step: Option<Step>,
}

struct Step {
    bar: ProgressBar,
    title: String,
    started: Instant,
    cached: bool,
    output: Vec<String>,
}

/// The widest a step's title or output line is shown.
const WIDTH: usize = 100;

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

impl Default for TtyView {
    fn default() -> Self {
        Self::new()
    }
}

impl TtyView {
    pub fn new() -> TtyView {
        TtyView {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stdout()),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Takes the builder's text as it comes.
    pub fn feed(&self, text: &str) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.partial.push_str(text);
        while let Some(n) = g.partial.find('\n') {
            let line: String = g.partial.drain(..=n).collect();
            self.line(&mut g, line.trim_end_matches(['\n', '\r']));
        }
    }

    fn line(&self, g: &mut Inner, line: &str) {
        if let Some(rest) = line.strip_prefix("Step ") {
            self.close(g, None);
            let (count, instr) = rest.split_once(" : ").unwrap_or((rest, ""));
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .expect("template")
                    .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "),
            );
            bar.enable_steady_tick(Duration::from_millis(100));
            let title = format!("[{count}] {}", clip(instr, WIDTH));
            bar.set_message(title.clone());
            g.step = Some(Step {
                bar,
                title,
                started: Instant::now(),
                cached: false,
                output: Vec::new(),
            });
        } else if line == " ---> Using cache" {
            if let Some(s) = g.step.as_mut() {
                s.cached = true;
            }
        } else if let Some(id) = line.strip_prefix(" ---> ") {
            if id.starts_with("Running in ") {
                return;
            }
            self.close(g, Some(id.to_string()));
        } else if line.starts_with("Removing intermediate container ") {
        } else if let Some(s) = g.step.as_mut() {
            s.output.push(line.to_string());
            s.bar
                .set_message(format!("{}\n    {}", s.title, clip(line, WIDTH)));
        } else {
            self.multi.suspend(|| println!("{line}"));
        }
    }

    /// Ends the current step's line: with its image, or still open (the next step began).
    fn close(&self, g: &mut Inner, id: Option<String>) {
        if let Some(s) = g.step.take() {
            let secs = s.started.elapsed().as_secs_f64();
            let status = match (&id, s.cached) {
                (Some(id), true) => format!("CACHED {id}"),
                (Some(id), false) => format!("done {id} {secs:.1}s"),
                (None, _) => format!("{secs:.1}s"),
            };
            s.bar
                .set_style(ProgressStyle::with_template("{msg}").expect("template"));
            s.bar.finish_with_message(format!("✔ {} {status}", s.title));
        }
    }

    /// The build ended. A failure shows the output of the step it failed in.
    pub fn finish(&self, ok: bool) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let partial = std::mem::take(&mut g.partial);
        if !partial.is_empty() {
            self.line(&mut g, &partial);
        }
        if let Some(s) = g.step.take() {
            s.bar
                .set_style(ProgressStyle::with_template("{msg}").expect("template"));
            if ok {
                s.bar.finish_with_message(format!("✔ {}", s.title));
            } else {
                s.bar.finish_with_message(format!("✘ {}", s.title));
                self.multi.suspend(|| {
                    for l in &s.output {
                        println!("    {l}");
                    }
                });
            }
        }
    }
}
