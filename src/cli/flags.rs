//! Parsing shared by several commands' flags: `KEY=VALUE` lists, environment variables.

use std::collections::BTreeMap;

use anyhow::{Context, bail};

/// `KEY=VALUE` flags (labels, options) into a map; a bare `KEY` has an empty value.
pub fn kv_list(items: &[String], what: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for i in items {
        let (k, v) = i.split_once('=').unwrap_or((i.as_str(), ""));
        if k.is_empty() {
            bail!("invalid {what} {i:?}: expected KEY=VALUE");
        }
        m.insert(k.to_string(), v.to_string());
    }
    Ok(m)
}

/// Docker's env rules: `KEY=VALUE` as is; a bare `KEY` takes the host's value, or is dropped.
fn expand_env(items: &[String], out: &mut Vec<String>) {
    for e in items {
        if e.contains('=') {
            out.push(e.clone());
        } else if let Ok(v) = std::env::var(e) {
            out.push(format!("{e}={v}"));
        }
    }
}

/// `--env-file` files, then `-e` values, expanded with Docker's rules.
pub fn load_env(env: &[String], env_files: &[std::path::PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for f in env_files {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("reading env file {}", f.display()))?;
        let lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        expand_env(&lines, &mut out);
    }
    expand_env(env, &mut out);
    Ok(out)
}

/// The lines of `files` (empty lines and `#` comments left out), then `items`: `--label-file`
/// before `--label`, as Docker reads them.
pub fn load_lines(files: &[std::path::PathBuf], items: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for f in files {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        out.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string),
        );
    }
    out.extend(items.iter().cloned());
    Ok(out)
}
