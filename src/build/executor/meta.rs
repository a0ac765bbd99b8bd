//! A step's dispatch and the metadata instructions (ENV, LABEL, CMD, …): the config changes
//! and a history entry without a layer.

use serde_json::{Value, json};

use super::{Builder, Result, State, config_obj, short};
use crate::build::cache::CacheKeyInput;
use crate::build::dockerfile::{self, CommandForm, Copy, Healthcheck, Instruction};
use crate::build::stages;
use crate::containers;

impl Builder<'_> {
    pub(super) fn history(&self, state: &mut State, created_by: String, empty: bool) {
        let mut h = json!({"created": self.created(), "created_by": created_by});
        if empty {
            h["empty_layer"] = json!(true);
        }
        match state.config["history"].as_array_mut() {
            Some(a) => a.push(h),
            None => state.config["history"] = json!([h]),
        }
    }

    pub(super) fn execute(
        &mut self,
        state: &mut State,
        scope: &stages::StageScope,
        step: &dockerfile::Step,
        ins: Instruction,
    ) -> Result<()> {
        match &ins {
            Instruction::Run(run) => return self.run(state, scope, run, &ins),
            Instruction::Copy(c) => return self.copy(state, scope, c.clone(), None, &ins),
            Instruction::Add(a) => {
                let c = Copy {
                    sources: a.sources.clone(),
                    dest: a.dest.clone(),
                    from: None,
                    chown: a.chown.clone(),
                    chmod: a.chmod.clone(),
                    link: a.link,
                };
                return self.copy(state, scope, c, Some(a.clone()), &ins);
            }
            _ => {}
        }
        // Metadata: the config changes, a history entry without a layer; the state is
        // recorded as an image (its " ---> ID", as Docker's classic builder shows every step).
        let key = CacheKeyInput {
            parent: state.chain.clone(),
            instruction: ins.clone(),
            env: vec![],
            shell: vec![],
            sources: vec![],
        }
        .key();
        if let Some(id) = self.cached(&key)? {
            return self.use_cached(state, key, &id);
        }
        let cfg = config_obj(&mut state.config);
        let nop = |s: String| format!("/bin/sh -c #(nop) {s}");
        let created_by = match &ins {
            Instruction::Cmd(c) => {
                let v = command(c, scope.shell());
                cfg.insert("Cmd".into(), json!(v));
                nop(format!(" CMD {}", json!(v)))
            }
            Instruction::Entrypoint(c) => {
                let v = command(c, scope.shell());
                cfg.insert("Entrypoint".into(), json!(v));
                // Docker: ENTRYPOINT resets an inherited CMD.
                cfg.insert("Cmd".into(), Value::Null);
                nop(format!(" ENTRYPOINT {}", json!(v)))
            }
            Instruction::Env(kvs) => {
                cfg.insert("Env".into(), json!(scope.config_env()));
                let text: Vec<String> = kvs
                    .iter()
                    .map(|kv| format!("{}={}", kv.key, kv.value))
                    .collect();
                nop(format!(" ENV {}", text.join(" ")))
            }
            Instruction::Arg(decls) => {
                let text: Vec<String> = decls
                    .iter()
                    .map(|d| match &d.default {
                        Some(v) => format!("{}={}", d.name, v),
                        None => d.name.clone(),
                    })
                    .collect();
                nop(format!(" ARG {}", text.join(" ")))
            }
            Instruction::Label(kvs) => {
                let labels = cfg.entry("Labels").or_insert_with(|| json!({}));
                if labels.is_null() {
                    *labels = json!({});
                }
                for kv in kvs {
                    labels[&kv.key] = json!(kv.value);
                }
                let text: Vec<String> = kvs
                    .iter()
                    .map(|kv| format!("{}={}", kv.key, json!(kv.value)))
                    .collect();
                nop(format!(" LABEL {}", text.join(" ")))
            }
            Instruction::Expose(ports) => {
                let e = cfg.entry("ExposedPorts").or_insert_with(|| json!({}));
                if e.is_null() {
                    *e = json!({});
                }
                let mut shown = Vec::new();
                for p in ports {
                    let p = if p.contains('/') {
                        p.clone()
                    } else {
                        format!("{p}/tcp")
                    };
                    e[&p] = json!({});
                    shown.push(p);
                }
                nop(format!(" EXPOSE {}", shown.join(" ")))
            }
            Instruction::Volume(vols) => {
                let e = cfg.entry("Volumes").or_insert_with(|| json!({}));
                if e.is_null() {
                    *e = json!({});
                }
                for v in vols {
                    e[v] = json!({});
                }
                nop(format!(" VOLUME {}", json!(vols)))
            }
            Instruction::User(u) => {
                cfg.insert("User".into(), json!(u));
                nop(format!(" USER {u}"))
            }
            Instruction::Workdir(w) => {
                let cur = cfg
                    .get("WorkingDir")
                    .and_then(Value::as_str)
                    .unwrap_or("/")
                    .to_string();
                let w = if w.starts_with('/') {
                    w.clone()
                } else {
                    format!("{}/{}", cur.trim_end_matches('/'), w)
                };
                let w = format!("/{}", containers::archive::clean(&w).join("/"));
                cfg.insert("WorkingDir".into(), json!(w));
                nop(format!(" WORKDIR {w}"))
            }
            Instruction::Shell(s) => {
                cfg.insert("Shell".into(), json!(s));
                nop(format!(" SHELL {}", json!(s)))
            }
            Instruction::StopSignal(s) => {
                cfg.insert("StopSignal".into(), json!(s));
                nop(format!(" STOPSIGNAL {s}"))
            }
            Instruction::Healthcheck(h) => {
                let v = match h {
                    Healthcheck::None => json!({"Test": ["NONE"]}),
                    Healthcheck::Check {
                        test,
                        interval,
                        timeout,
                        start_period,
                        start_interval,
                        retries,
                    } => {
                        let test = match test {
                            CommandForm::Shell(s) => json!(["CMD-SHELL", s]),
                            CommandForm::Exec(v) => {
                                let mut t = vec!["CMD".to_string()];
                                t.extend(v.iter().cloned());
                                json!(t)
                            }
                        };
                        let mut o = json!({"Test": test});
                        let ns = |d: &std::time::Duration| json!(d.as_nanos() as u64);
                        if let Some(d) = interval {
                            o["Interval"] = ns(d);
                        }
                        if let Some(d) = timeout {
                            o["Timeout"] = ns(d);
                        }
                        if let Some(d) = start_period {
                            o["StartPeriod"] = ns(d);
                        }
                        if let Some(d) = start_interval {
                            o["StartInterval"] = ns(d);
                        }
                        if let Some(r) = retries {
                            o["Retries"] = json!(r);
                        }
                        o
                    }
                };
                cfg.insert("Healthcheck".into(), v.clone());
                nop(format!(" HEALTHCHECK {}", step_rest(&step.original)))
            }
            Instruction::Onbuild(o) => {
                let list = cfg.entry("OnBuild").or_insert_with(|| json!([]));
                if list.is_null() {
                    *list = json!([]);
                }
                if let Some(a) = list.as_array_mut() {
                    a.push(json!(o.expression));
                }
                nop(format!(" ONBUILD {}", o.expression))
            }
            Instruction::Maintainer(m) => {
                state.config["author"] = json!(m);
                nop(format!(" MAINTAINER {m}"))
            }
            Instruction::From(_) | Instruction::Run(_) | Instruction::Copy(_) => unreachable!(),
            Instruction::Add(_) => unreachable!(),
        };
        self.history(state, created_by, true);
        self.record_step(state, key, "metadata", 0)?;
        self.say(&format!(" ---> {}\n", short(&state.shown)));
        Ok(())
    }
}

fn command(c: &CommandForm, shell: &[String]) -> Vec<String> {
    match c {
        CommandForm::Exec(v) => v.clone(),
        CommandForm::Shell(s) => {
            let mut v = shell.to_vec();
            v.push(s.clone());
            v
        }
    }
}

/// What follows the keyword of a line.
fn step_rest(original: &str) -> String {
    original
        .trim()
        .split_once(char::is_whitespace)
        .map(|(_, r)| r.trim().to_string())
        .unwrap_or_default()
}
