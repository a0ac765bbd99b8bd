//! RUN steps: a container of the current root filesystem, started attached through its
//! monitor like `berth run`, its upper directory packed into the step's layer.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::{BuildError, Builder, Progress, Result, State, mounts, short};
use crate::build::cache::{CacheKeyInput, SourceDigest};
use crate::build::dockerfile::{self, CommandForm, Instruction, Run};
use crate::build::stages;
use crate::build::stages::FromRef;
use crate::containers::Paths;
use crate::containers::{
    self,
    lifecycle::{self, SpawnedMonitor, StartMode},
};
use crate::monitor::client::{AttachIo, Controls};

impl Builder<'_> {
    pub(super) fn run(
        &mut self,
        state: &mut State,
        scope: &stages::StageScope,
        run: &Run,
        ins: &Instruction,
    ) -> Result<()> {
        let argv = match &run.command {
            CommandForm::Exec(v) => v.clone(),
            CommandForm::Shell(s) => {
                let mut script = s.clone();
                let heredoc_only = run.heredocs.len() == 1
                    && s.trim()
                        .trim_start_matches("<<")
                        .trim_start_matches('-')
                        .trim_matches(['"', '\''])
                        == run.heredocs[0].name;
                if heredoc_only {
                    let h = &run.heredocs[0];
                    script = if h.expand {
                        scope.expand_heredoc(&h.content)
                    } else {
                        h.content.clone()
                    };
                } else {
                    for h in &run.heredocs {
                        script.push('\n');
                        script.push_str(&h.content);
                        script.push_str(&h.name);
                    }
                }
                let mut v = scope.shell().to_vec();
                v.push(script);
                v
            }
        };
        let args = scope.args();
        let shown = match &run.command {
            CommandForm::Exec(v) => json!(v).to_string(),
            CommandForm::Shell(_) => argv.join(" "),
        };
        let mut created_by = shown.clone();
        if !args.is_empty() {
            let a: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
            created_by = format!("|{} {} {}", a.len(), a.join(" "), created_by);
        }
        // Where each bind or cache mount takes its files from; a bind's content is part of
        // the key (a cache's or a secret's is not).
        let workdir = state.config["config"]["WorkingDir"]
            .as_str()
            .filter(|w| !w.is_empty())
            .unwrap_or("/")
            .to_string();
        let mut sources = Vec::new();
        let mut mount_sources = Vec::new();
        for m in &run.mounts {
            let from = match m.kind {
                dockerfile::mount::MountType::Ssh => return Err(mounts::ssh_refused()),
                dockerfile::mount::MountType::Bind | dockerfile::mount::MountType::Cache => {
                    match &m.from {
                        None => None,
                        Some(f) => Some(match stages::resolve_from(&self.plan.stages, f, 0)? {
                            FromRef::Stage(i) => self
                                .stage_images
                                .get(&i)
                                .and_then(|s| s.image.clone())
                                .ok_or_else(|| {
                                    BuildError::Invalid(format!("stage {f} was not built"))
                                })?,
                            FromRef::Image(r) => self.image(&r)?,
                        }),
                    }
                }
                _ => None,
            };
            if m.kind == dockerfile::mount::MountType::Bind {
                let target = mounts::target_of(m, &workdir)?;
                let digest = match &from {
                    Some(id) => id.clone(),
                    None => {
                        let src = m.source.as_deref().unwrap_or(".");
                        let found = self.req.context.resolve(src).map_err(|_| {
                            BuildError::Invalid(format!(
                                "RUN --mount=type=bind: source {src}: not found in the build context"
                            ))
                        })?;
                        let mut h = Vec::new();
                        for f in &found {
                            h.push(self.req.context.digest(f)?);
                        }
                        h.join(",")
                    }
                };
                sources.push(SourceDigest {
                    path: format!("mount:{target}"),
                    digest,
                });
            }
            mount_sources.push(from);
        }
        let key = CacheKeyInput {
            parent: state.chain.clone(),
            instruction: ins.clone(),
            env: scope.run_env(),
            shell: scope.shell().to_vec(),
            sources,
        }
        .key();
        if let Some(id) = self.cached(&key)? {
            return self.use_cached(state, key, &id);
        }
        let network = run.network.map(|n| match n {
            dockerfile::NetworkMode::Default => "bridge",
            dockerfile::NetworkMode::None => "none",
            dockerfile::NetworkMode::Host => "host",
        });
        let mut settings = self.settings(state, scope, network)?;
        settings.cmd = argv;
        let mut prepared = None;
        let mut stubs = mounts::Stubs::default();
        if !run.mounts.is_empty() {
            mounts::sweep(&self.store.runroot);
            let ctx_dir = self.req.context.dir.clone();
            let list: Vec<_> = run
                .mounts
                .iter()
                .zip(mount_sources)
                .map(|(m, from)| {
                    let src = match m.kind {
                        dockerfile::mount::MountType::Bind
                        | dockerfile::mount::MountType::Cache => Some(match from {
                            Some(id) => mounts::MountSource::Image(id),
                            None => mounts::MountSource::Context(&ctx_dir),
                        }),
                        _ => None,
                    };
                    (m.clone(), src)
                })
                .collect();
            let env = mounts::Env {
                store: self.store,
                secrets: &self.req.secrets,
                workdir: workdir.clone(),
                cancel: &self.req.cancel,
            };
            let p = env.prepare(&list)?;
            settings.mounts.extend(p.specs.iter().cloned());
            settings.env.extend(p.env.iter().cloned());
            prepared = Some(p);
        }
        if let Some(p) = &prepared {
            // What the image has at the targets: the rest is made for the mounts.
            let mut tree = mounts::Prepared::default();
            let root = match &state.image {
                Some(image) => {
                    let lower = crate::images::mount::lowerdirs(self.store, image, false)?;
                    tree.overlay_of(self.store, lower)?
                }
                None => self.store.empty_dir(),
            };
            stubs = mounts::Stubs::find(&root, &p.targets)?;
        }
        let (id, monitor) = self.container(state, settings, true)?;
        self.say(&format!(" ---> Running in {}\n", &id[..12]));
        let code = self.attach(&id, monitor);
        let code = match code {
            Ok(c) => c,
            Err(e) => {
                self.remove_container(&id);
                return Err(e);
            }
        };
        drop(prepared);
        if self.canceled() {
            self.remove_container(&id);
            return Err(BuildError::Canceled);
        }
        if code != 0 {
            self.remove_container(&id);
            return Err(BuildError::RunFailed {
                command: shown,
                code,
            });
        }
        stubs.remove(&Paths::new(self.store, &id).upper());
        let r = self.commit_step(state, &id, key, created_by, "RUN");
        self.remove_container(&id);
        self.say(&format!("Removing intermediate container {}\n", &id[..12]));
        r?;
        self.say(&format!(" ---> {}\n", short(&state.shown)));
        Ok(())
    }

    /// Starts container `id` attached, its output going to the progress; kills it when the
    /// build is cancelled. Returns its exit code.
    fn attach(&mut self, id: &str, monitor: Option<SpawnedMonitor>) -> Result<i32> {
        let c = containers::resolve(self.store, id)?;
        let controls: Arc<Mutex<Option<Controls>>> = Arc::new(Mutex::new(None));
        let done = Arc::new(AtomicBool::new(false));
        let watcher = {
            let controls = controls.clone();
            let done = done.clone();
            let cancel = self.req.cancel.clone();
            let sibling_failed = self.sibling_failed.clone();
            std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    if (cancel.load(Ordering::SeqCst) || sibling_failed.load(Ordering::SeqCst))
                        && let Some(c) = controls.lock().unwrap().as_ref()
                    {
                        let _ = c.signal(libc::SIGKILL);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
            })
        };
        let out = ProgressWriter(self.progress.clone());
        let io = AttachIo {
            stdin: None,
            stdout: Box::new(out.clone()),
            stderr: Box::new(out),
            on_attached: Some(Box::new(move |c| {
                *controls.lock().unwrap() = Some(c);
            })),
        };
        let r = lifecycle::start_with(self.store, &c, StartMode::Attached(io), monitor);
        done.store(true, Ordering::SeqCst);
        let _ = watcher.join();
        Ok(r?.unwrap_or(0))
    }
}

/// A RUN's output as progress text.
#[derive(Clone)]
struct ProgressWriter(Progress);

impl Write for ProgressWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (self.0)(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
