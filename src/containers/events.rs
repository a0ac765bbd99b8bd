//! A container's events: Docker's attributes (the container's labels, `image` as the user
//! named it, `name`) on each, recorded in the event log of its root.

use std::path::Path;

use crate::events::{self, Event, Type};
use crate::state::containers::ContainerRow;

use super::settings::Settings;

/// The event `action` of container `c`, with its labels, image and name.
pub fn event(c: &ContainerRow, action: &str) -> Event {
    let labels = Settings::of(c).map(|s| s.labels).unwrap_or_default();
    Event::new(Type::Container, action, &c.id)
        .attr("image", &c.image_name)
        .attr("name", &c.name)
        .attrs(&labels)
}

/// Records `action` of `c` (never fails: see [`events::record`]).
pub fn record(root: &Path, c: &ContainerRow, action: &str) {
    events::record(root, event(c, action));
}

/// Records `action` of `c` with more attributes (`exitCode`, `signal`, …).
pub fn record_with(root: &Path, c: &ContainerRow, action: &str, attrs: &[(&str, String)]) {
    let mut ev = event(c, action);
    for (k, v) in attrs {
        ev = ev.attr(*k, v.clone());
    }
    events::record(root, ev);
}
