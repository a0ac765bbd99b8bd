//! `inspect`: Docker's JSON of containers, networks, images and volumes, looked up in that
//! order (or only the `--type` given).

use clap::Args;

use super::{GlobalOpts, format};
use crate::engine::{Engine, Result};
use crate::error::{Classify, ErrorKind};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Names or IDs of the objects to inspect
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
    /// Format the output with a Go template, or 'json'
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Only inspect objects of this type
    #[arg(long = "type", value_name = "TYPE", value_parser = ["image", "container", "volume", "network"])]
    pub kind: Option<String>,
}

/// Looks `name` up as each kind in turn; `None` if it is none of them.
fn find(
    engine: &Engine,
    name: &str,
    want: &dyn Fn(&str) -> bool,
) -> Result<Option<serde_json::Value>> {
    type Lookup = fn(&Engine, &str) -> Result<serde_json::Value>;
    let lookups: [(&str, Lookup); 4] = [
        ("container", |e, n| Ok(json(e.container_inspect(n)?))),
        ("network", |e, n| Ok(json(e.network_inspect(n)?))),
        ("image", |e, n| Ok(json(e.image_inspect(n)?))),
        ("volume", |e, n| Ok(json(e.volume_inspect(n)?))),
    ];
    for (kind, lookup) in lookups {
        if !want(kind) {
            continue;
        }
        match lookup(engine, name) {
            Ok(v) => return Ok(Some(v)),
            // A name that is not even valid as this kind (an image reference) is not one.
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::InvalidArgument) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// The JSON of inspect data (the engine's types are plain data: they always serialize).
fn json(data: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(data).expect("inspect data serialize to JSON")
}

pub fn inspect(g: &GlobalOpts, a: InspectArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    let want = |k: &str| a.kind.as_deref().is_none_or(|w| w == k);
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for n in &a.names {
        match find(&engine, n, &want)? {
            Some(v) => found.push(v),
            None => missing.push(n.clone()),
        }
    }
    format::print_inspected(a.format.as_deref(), found)?;
    if let Some(m) = missing.first() {
        return Err(crate::engine::Error::NotFound(format!("No such object: {m}")).into());
    }
    Ok(0)
}
