//! The order of a build: the target's stages one after the other, each stage's base, its
//! ONBUILD triggers and steps, then the final image with `--label`s and tags.

use std::collections::BTreeMap;

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

/// Runs a build. Returns the ID of the image made (tagged as asked).
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
    let total = plan
        .order
        .iter()
        .map(|i| plan.stages[*i].steps.len() + 1)
        .sum();
    let mut b = Builder {
        store,
        req,
        progress,
        puller,
        plan,
        step: 0,
        total,
        stage_images: BTreeMap::new(),
    };
    let order = b.plan.order.clone();
    for idx in order {
        let state = b.build_stage(idx)?;
        b.stage_images.insert(idx, state);
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

impl Builder<'_> {
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
                let id = local::record(self.store, &config, &state.layers, &[])?;
                self.insert_cache(&key, &id, "result", 0)?;
                id
            }
        };
        let tx = self.store.db.write()?;
        crate::state::build::mark_result(&tx, &id)?;
        for t in &self.req.tags {
            let tag = t.tag.as_deref().unwrap_or("latest");
            crate::state::images::set_tag(&tx, &t.repository(), tag, &id, now_secs())
                .map_err(ImageError::from)?;
        }
        tx.commit().map_err(StateError::from)?;
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
