//! The order of a build: the target's stages one after the other, each stage's base, its
//! ONBUILD triggers and steps, then the final image with `--label`s and tags.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::{
    BuildError, Builder, Progress, Puller, Request, Result, State, config_obj, env_of, now_secs,
    short,
};
use crate::build::cache::CacheKeyInput;
use crate::build::dockerfile::{self, Instruction};
use crate::build::stages::{self, Base, PlanOptions, Platform};
use crate::images::ImageError;
use crate::images::local;
use crate::state::StateError;
use crate::store::Store;

/// Runs a build. Returns the ID of the image made (tagged as asked). Only the stages the
/// target needs are built, in waves ([`stages::BuildPlan::waves`]): the stages of a wave need
/// only stages of earlier waves and build at the same time, each on a thread of its own with
/// its own store handle (the database is shared through SQLite, as between processes); their
/// output is shown in order ([`Ordered`]). A stage that fails stops the others of its wave.
pub fn build(
    store: &mut Store,
    req: &Request,
    progress: Progress,
    puller: Puller<'_>,
) -> Result<String> {
    let platform = Platform::host();
    let plan = stages::plan(
        &req.dockerfile,
        &PlanOptions {
            build_args: req.build_args.clone(),
            target: req.target.clone(),
            platform,
        },
    )?;
    let waves = plan.waves();
    // Steps are numbered in the order their output is shown: wave by wave.
    let mut first_step = BTreeMap::new();
    let mut total = 0;
    for &idx in waves.iter().flatten() {
        first_step.insert(idx, total);
        total += plan.stages[idx].steps.len() + 1;
    }
    let mut b = Builder {
        store,
        req,
        progress,
        puller,
        plan,
        step: 0,
        total,
        stage_images: BTreeMap::new(),
        sibling_failed: Arc::new(AtomicBool::new(false)),
    };
    for wave in waves {
        if let [idx] = wave[..] {
            b.step = first_step[&idx];
            let state = b.build_stage(idx)?;
            b.stage_images.insert(idx, state);
        } else {
            for (idx, state) in b.build_wave(&wave, &first_step)? {
                b.stage_images.insert(idx, state);
            }
        }
    }
    let target = b.plan.target;
    let state = b.stage_images.remove(&target).expect("target built");
    let id = b.finish(state)?;
    for w in &b.plan.unused_build_args {
        (b.progress)(&format!(
            "[Warning] One or more build-args [{w}] were not consumed\n"
        ));
    }
    Ok(id)
}

/// The output of stages building at the same time, shown in their order: the first
/// unfinished stage's as it comes, each other's kept until every stage before it finished.
#[derive(Clone)]
struct Ordered(Arc<Mutex<OrderedInner>>);

struct OrderedInner {
    sink: Progress,
    /// The stage whose output goes out as it comes.
    current: usize,
    held: Vec<String>,
    done: Vec<bool>,
}

impl Ordered {
    fn new(sink: Progress, n: usize) -> Ordered {
        Ordered(Arc::new(Mutex::new(OrderedInner {
            sink,
            current: 0,
            held: vec![String::new(); n],
            done: vec![false; n],
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OrderedInner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The progress of stage `k` of the wave.
    fn progress(&self, k: usize) -> Progress {
        let o = self.clone();
        Arc::new(move |s: &str| {
            let mut g = o.lock();
            if g.current == k {
                (g.sink)(s);
            } else {
                g.held[k].push_str(s);
            }
        })
    }

    /// Stage `k` finished: the next stages' output so far goes out, up to one still running.
    fn finish(&self, k: usize) {
        let mut g = self.lock();
        g.done[k] = true;
        while g.current < g.done.len() && g.done[g.current] {
            g.current += 1;
            if g.current < g.done.len() {
                let c = g.current;
                let held = std::mem::take(&mut g.held[c]);
                if !held.is_empty() {
                    (g.sink)(&held);
                }
            }
        }
    }
}

impl Builder<'_> {
    /// Builds the stages of a wave at the same time. The first failure (not a stop caused by
    /// it) is the wave's error; the stages built are returned only when all succeeded.
    fn build_wave(
        &self,
        wave: &[usize],
        first_step: &BTreeMap<usize, usize>,
    ) -> Result<Vec<(usize, State)>> {
        let shown = Ordered::new(self.progress.clone(), wave.len());
        let failed = Arc::new(AtomicBool::new(false));
        let (root, runroot) = (&self.store.root, &self.store.runroot);
        let (req, puller, plan, total) = (self.req, self.puller, &self.plan, self.total);
        let stage_images = &self.stage_images;
        let results: Vec<Result<State>> = std::thread::scope(|s| {
            let handles: Vec<_> = wave
                .iter()
                .enumerate()
                .map(|(k, &idx)| {
                    let (shown, failed) = (shown.clone(), failed.clone());
                    s.spawn(move || {
                        let r = Store::open(root, runroot)
                            .map_err(BuildError::from)
                            .and_then(|mut store| {
                                Builder {
                                    store: &mut store,
                                    req,
                                    progress: shown.progress(k),
                                    puller,
                                    plan: plan.clone(),
                                    step: first_step[&idx],
                                    total,
                                    stage_images: stage_images.clone(),
                                    sibling_failed: failed.clone(),
                                }
                                .build_stage(idx)
                            });
                        if r.is_err() {
                            failed.store(true, Ordering::SeqCst);
                        }
                        shown.finish(k);
                        r
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(BuildError::Invalid("a stage's builder panicked".into()))
                    })
                })
                .collect()
        });
        let mut built = Vec::new();
        let mut stopped = None;
        for (r, &idx) in results.into_iter().zip(wave) {
            match r {
                Ok(state) => built.push((idx, state)),
                Err(BuildError::Canceled) => stopped = Some(BuildError::Canceled),
                Err(e) => return Err(e),
            }
        }
        match stopped {
            Some(e) => Err(e),
            None => Ok(built),
        }
    }

    fn build_stage(&mut self, idx: usize) -> Result<State> {
        let stage = self.plan.stages[idx].clone();
        self.check_cancel()?;
        let base_text = match &stage.base {
            Base::Scratch => "scratch".to_string(),
            Base::Image(r) => r.clone(),
            Base::Stage(i) => self.plan.stages[*i].display_name(),
        };
        let mut text = format!("FROM {base_text}");
        if let Some(n) = &stage.name {
            text.push_str(&format!(" AS {n}"));
        }
        self.next_step(&text);
        if let Some(p) = &stage.platform {
            let host = Platform::host();
            if p != &host.spec() && p != &format!("{}/{}", host.os, host.arch) {
                return Err(BuildError::Invalid(format!(
                    "platform {p} is not supported: berth builds for the host's platform ({}) only",
                    host.spec()
                )));
            }
        }
        let mut state = match &stage.base {
            Base::Scratch => self.scratch(),
            Base::Image(r) => {
                let id = self.image(r)?;
                self.state_of_image(&id)?
            }
            Base::Stage(i) => self.stage_images[i].clone(),
        };
        if !state.shown.is_empty() {
            self.say(&format!(" ---> {}\n", short(&state.shown)));
        }
        let base_env = env_of(&state.config);
        let mut scope = self.plan.scope(idx, &base_env);
        if let Some(shell) = state.config["config"]["Shell"].as_array() {
            let shell: Vec<String> = shell
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect();
            if !shell.is_empty() {
                scope.set_shell(shell);
            }
        }
        // ONBUILD triggers of the base run first.
        let triggers: Vec<String> = state.config["config"]["OnBuild"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if !triggers.is_empty() {
            state.config["config"]["OnBuild"] = Value::Null;
            for t in triggers {
                let ins = dockerfile::parse_line(&t, self.plan.directives.escape)
                    .map_err(|m| BuildError::Invalid(format!("ONBUILD trigger {t:?}: {m}")))?;
                self.say("# Executing 1 build trigger\n");
                let step = dockerfile::Step {
                    line: stage.line,
                    end_line: stage.line,
                    original: t.clone(),
                    instruction: ins,
                };
                let ins = scope.apply(&step)?;
                self.execute(&mut state, &scope, &step, ins)?;
            }
        }
        for step in &stage.steps {
            self.check_cancel()?;
            self.next_step(&step.original);
            let ins = scope.apply(step)?;
            self.execute(&mut state, &scope, step, ins)?;
        }
        // A stage another stage copies from or builds on needs an image of its own.
        if state.image.is_none() || state.image_chain != state.chain {
            let key = CacheKeyInput {
                parent: state.chain.clone(),
                instruction: Instruction::Maintainer("#stage".into()),
                env: vec![],
                shell: vec![],
                sources: vec![],
            }
            .key();
            match self.cached(&key)? {
                Some(id) => {
                    let s = self.state_of_image(&id)?;
                    state.image = s.image;
                    state.layers = s.layers;
                    state.config = s.config;
                    state.image_chain = key.clone();
                    state.chain = key;
                    state.shown = id;
                }
                None => self.record_step(&mut state, key, "stage", 0)?,
            }
        }
        Ok(state)
    }

    /// The final image: the target's state with `--label`s, tagged.
    fn finish(&mut self, mut state: State) -> Result<String> {
        let key = CacheKeyInput {
            parent: state.chain.clone(),
            instruction: Instruction::Label(
                self.req
                    .labels
                    .iter()
                    .map(|(k, v)| dockerfile::KeyValue {
                        key: k.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            ),
            env: vec![],
            shell: vec![],
            sources: vec![],
        }
        .key();
        if !self.req.labels.is_empty() {
            let cfg = config_obj(&mut state.config);
            let labels = cfg.entry("Labels").or_insert_with(|| json!({}));
            if labels.is_null() {
                *labels = json!({});
            }
            for (k, v) in &self.req.labels {
                labels[k] = json!(v);
            }
        }
        let id = match self.cached(&key)? {
            Some(id) => id,
            None => {
                let mut config = state.config.clone();
                config["created"] = json!(self.created());
                let id = local::record_child(
                    self.store,
                    &config,
                    &state.layers,
                    &[],
                    state.image.as_deref(),
                )?;
                self.insert_cache(&key, &id, "result", 0)?;
                id
            }
        };
        if self.req.keep {
            let tx = self.store.db.write()?;
            crate::state::build::mark_result(&tx, &id)?;
            for t in &self.req.tags {
                let tag = t.tag.as_deref().unwrap_or("latest");
                crate::state::images::set_tag(&tx, &t.repository(), tag, &id, now_secs())
                    .map_err(ImageError::from)?;
            }
            tx.commit().map_err(StateError::from)?;
        }
        self.say(&format!("Successfully built {}\n", short(&id)));
        for t in &self.req.tags {
            self.say(&format!(
                "Successfully tagged {}:{}\n",
                t.familiar_repository(),
                t.tag.as_deref().unwrap_or("latest")
            ));
        }
        Ok(id)
    }
}
