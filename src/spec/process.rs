//! The container's process from the image config and `run`'s flags: command (entrypoint + cmd),
//! environment, working directory and stop signal, with Docker's precedence rules.

use serde::Deserialize;

use super::{DEFAULT_PATH, RunConfig, SpecError, mounts, parse_signal};

/// A string list that may also be a single string or null in an image config (Docker's
/// `StrSlice`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub(super) enum StrSlice {
    #[default]
    Null,
    One(String),
    Many(Vec<String>),
}

impl StrSlice {
    fn into_vec(self) -> Option<Vec<String>> {
        match self {
            StrSlice::Null => None,
            StrSlice::One(s) => Some(vec![s]),
            StrSlice::Many(v) => Some(v),
        }
    }
}

/// The parts of an image's `config` object the spec uses.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ImageConfig {
    #[serde(default)]
    pub(super) entrypoint: StrSlice,
    #[serde(default)]
    pub(super) cmd: StrSlice,
    #[serde(default)]
    pub(super) env: Option<Vec<String>>,
    #[serde(default)]
    pub(super) working_dir: Option<String>,
    #[serde(default)]
    pub(super) user: Option<String>,
    #[serde(default)]
    pub(super) stop_signal: Option<String>,
}

pub(super) fn parse_image_config(v: &serde_json::Value) -> Result<ImageConfig, SpecError> {
    if v.is_null() {
        return Ok(ImageConfig::default());
    }
    ImageConfig::deserialize(v).map_err(|e| SpecError::ImageConfig(e.to_string()))
}

/// The container's command (entrypoint + cmd, without `--init`), as `docker inspect` shows it
/// in Path/Args and `docker ps` in COMMAND. Errors when there is none.
pub fn command(
    image_config: &serde_json::Value,
    run: &RunConfig,
) -> Result<Vec<String>, SpecError> {
    command_of(&parse_image_config(image_config)?, run)
}

/// The container's configured environment as `docker inspect` shows it in Config.Env: the
/// run's variables, then the image's that the run did not set (no PATH/HOSTNAME/TERM/HOME
/// defaults, which only the process gets).
pub fn config_env(
    image_config: &serde_json::Value,
    run: &RunConfig,
) -> Result<Vec<String>, SpecError> {
    config_env_of(&parse_image_config(image_config)?, run)
}

/// The command: Docker's rules. `--entrypoint` replaces the image's Entrypoint and, unless a
/// command follows the image name, drops the image's Cmd too.
fn command_of(img: &ImageConfig, run: &RunConfig) -> Result<Vec<String>, SpecError> {
    let (entrypoint, cmd) = match &run.entrypoint {
        Some(ep) => {
            // `--entrypoint ""` arrives as [""]: it clears.
            let ep: Vec<String> = if ep.iter().all(String::is_empty) {
                Vec::new()
            } else {
                ep.clone()
            };
            (ep, run.cmd.clone())
        }
        None => {
            let cmd = if run.cmd.is_empty() {
                img.cmd.clone().into_vec().unwrap_or_default()
            } else {
                run.cmd.clone()
            };
            (img.entrypoint.clone().into_vec().unwrap_or_default(), cmd)
        }
    };
    let args: Vec<String> = entrypoint.into_iter().chain(cmd).collect();
    if args.is_empty() {
        return Err(SpecError::NoCommand);
    }
    Ok(args)
}

/// The process's arguments: the command, behind the init with `--init`.
pub(super) fn process_args(img: &ImageConfig, run: &RunConfig) -> Result<Vec<String>, SpecError> {
    let args = command_of(img, run)?;
    let args = match &run.init {
        Some(init) => std::iter::once(init.container_path.clone())
            .chain(init.args.iter().cloned())
            .chain(args)
            .collect(),
        None => args,
    };
    Ok(args)
}

fn env_key(e: &str) -> &str {
    e.split_once('=').map_or(e, |(k, _)| k)
}

/// Docker's `ReplaceOrAppendEnvValues`: each override replaces the entry with its key in place
/// or is appended; a bare `KEY` removes the entry.
fn replace_or_append(base: &mut Vec<String>, overrides: &[String]) {
    for o in overrides {
        if !o.contains('=') {
            base.retain(|b| env_key(b) != o);
        } else if let Some(slot) = base.iter_mut().find(|b| env_key(b) == env_key(o)) {
            *slot = o.clone();
        } else {
            base.push(o.clone());
        }
    }
}

/// The environment, built as Docker builds it: `PATH` (default), `HOSTNAME`, `TERM=xterm` with a
/// tty, the links' variables, then the run's variables, then the image's that the run did not
/// set; every later setting replaces an earlier one in place. `HOME` from passwd is added when unset (runc does
/// this inside the container).
pub(super) fn environment(
    img: &ImageConfig,
    run: &RunConfig,
    hostname: &str,
    home: &str,
) -> Result<Vec<String>, SpecError> {
    let config = config_env_of(img, run)?;
    let mut env = vec![
        format!("PATH={DEFAULT_PATH}"),
        format!("HOSTNAME={hostname}"),
    ];
    if run.tty {
        env.push("TERM=xterm".to_string());
    }
    replace_or_append(&mut env, &run.link_env);
    replace_or_append(&mut env, &config);
    if !env.iter().any(|e| env_key(e) == "HOME") {
        env.push(format!("HOME={home}"));
    }
    Ok(env)
}

/// The run's variables (deduplicated, the last one per key winning), then the image's that the
/// run did not set or unset.
fn config_env_of(img: &ImageConfig, run: &RunConfig) -> Result<Vec<String>, SpecError> {
    for e in run.env.iter().chain(img.env.iter().flatten()) {
        if env_key(e).is_empty() || e.contains('\0') {
            return Err(SpecError::InvalidEnv(e.clone()));
        }
    }
    let mut config = Vec::new();
    replace_or_append(&mut config, &run.env);
    let run_keys: Vec<&str> = run.env.iter().map(|e| env_key(e)).collect();
    for e in img.env.iter().flatten() {
        if e.contains('=') && !run_keys.contains(&env_key(e)) {
            replace_or_append(&mut config, std::slice::from_ref(e));
        }
    }
    Ok(config)
}

/// The working directory: `-w`, the image's WorkingDir, or `/`; absolute and cleaned.
pub(super) fn workdir(img: &ImageConfig, run: &RunConfig) -> Result<String, SpecError> {
    let w = run
        .workdir
        .as_deref()
        .or(img.working_dir.as_deref())
        .filter(|w| !w.is_empty())
        .unwrap_or("/");
    mounts::clean_abs(w).ok_or_else(|| SpecError::InvalidWorkdir(w.to_string()))
}

/// The signal that stops the container: `--stop-signal`, the image's StopSignal, or SIGTERM.
pub fn stop_signal(image_config: &serde_json::Value, run: &RunConfig) -> Result<i32, SpecError> {
    let img = parse_image_config(image_config)?;
    stop_signal_of(&img, run)
}

pub(super) fn stop_signal_of(img: &ImageConfig, run: &RunConfig) -> Result<i32, SpecError> {
    match run
        .stop_signal
        .as_deref()
        .or(img.stop_signal.as_deref())
        .filter(|s| !s.is_empty())
    {
        Some(s) => parse_signal(s),
        None => Ok(libc::SIGTERM),
    }
}
