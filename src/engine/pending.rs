//! Lookups the generic `inspect` needs until the image and volume operations land here.

use serde_json::{Value, json};

use super::{Engine, Result};

impl Engine {
    pub fn image_inspect(&self, name: &str) -> Result<Value> {
        let store = self.store()?;
        let (id, _) = crate::images::resolve(&store, name)?;
        Ok(crate::images::inspect(&store, &id)?)
    }

    pub fn volume_inspect_json(&self, name: &str) -> Result<Value> {
        let store = self.store()?;
        let v = crate::volumes::get(&store, name)?;
        Ok(json!({
            "CreatedAt": crate::images::rfc3339(v.created),
            "Driver": v.driver,
            "Labels": v.labels,
            "Mountpoint": crate::volumes::data_dir(&store.root, &v.name),
            "Name": v.name,
            "Options": if v.options.is_empty() { Value::Null } else { json!(v.options) },
            "Scope": "local",
        }))
    }
}
