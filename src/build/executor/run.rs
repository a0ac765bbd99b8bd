//! RUN steps: a container of the current root filesystem, started attached through its
//! monitor like `berth run`, its upper directory packed into the step's layer.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::{BuildError, Builder, Progress, Result, State, short};
use crate::build::cache::CacheKeyInput;
use crate::build::dockerfile::{self, CommandForm, Instruction, Run};
use crate::build::stages;
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
        if run.mounts.iter().any(|_| true) {
            return Err(BuildError::NotImplemented(
                "RUN --mount is not supported by berth yet".into(),
            ));
        }
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
        let key = CacheKeyInput {
            parent: state.chain.clone(),
            instruction: ins.clone(),
            env: scope.run_env(),
            shell: scope.shell().to_vec(),
            sources: vec![],
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
