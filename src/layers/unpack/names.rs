//! Entry names: normalised paths relative to the layer directory, refused when they would
//! escape it, and the whiteout names of OCI layers.

use std::ffi::CStr;

use super::UnpackError;

pub(super) const WHITEOUT_PREFIX: &[u8] = b".wh.";
pub(super) const WHITEOUT_META_PREFIX: &[u8] = b".wh..wh.";
pub(super) const WHITEOUT_OPAQUE: &[u8] = b".wh..wh..opq";
pub(super) const OPAQUE_XATTR: &CStr = c"trusted.overlay.opaque";

/// A normalised path relative to `dest`: components joined by `/`, no `.`,
/// `..` or empty components. The empty path is `dest` itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RelPath {
    pub(super) path: Vec<u8>,
    /// Start of the last component in `path`.
    pub(super) name_start: usize,
}

impl RelPath {
    pub(super) fn parse(raw: &[u8], entry: &str) -> Result<RelPath, UnpackError> {
        if raw.contains(&0) {
            return Err(UnpackError::Corrupt(format!(
                "entry name {entry:?} contains a NUL byte"
            )));
        }
        if raw.first() == Some(&b'/') {
            // Docker would re-root absolute names below the layer directory;
            // we refuse them instead: well-formed layers never contain them.
            return Err(escape(entry, "absolute path"));
        }
        let mut path = Vec::with_capacity(raw.len());
        let mut name_start = 0;
        for component in raw.split(|&b| b == b'/') {
            match component {
                b"" | b"." => {}
                b".." => return Err(escape(entry, "`..` path component")),
                _ => {
                    if !path.is_empty() {
                        path.push(b'/');
                    }
                    name_start = path.len();
                    path.extend_from_slice(component);
                }
            }
        }
        Ok(RelPath { path, name_start })
    }

    pub(super) fn is_root(&self) -> bool {
        self.path.is_empty()
    }

    /// The parent directory (empty for entries directly in `dest`).
    pub(super) fn parent(&self) -> &[u8] {
        &self.path[..self.name_start.saturating_sub(1)]
    }

    /// The last component.
    pub(super) fn name(&self) -> &[u8] {
        &self.path[self.name_start..]
    }

    /// The same parent with another last component.
    pub(super) fn sibling(&self, name: &[u8]) -> RelPath {
        let mut path = self.path[..self.name_start].to_vec();
        path.extend_from_slice(name);
        RelPath {
            path,
            name_start: self.name_start,
        }
    }

    pub(super) fn components(&self) -> impl Iterator<Item = &[u8]> {
        self.path.split(|&b| b == b'/').filter(|c| !c.is_empty())
    }
}

/// Whether the relative path `path` is `prefix` or below it.
pub(super) fn is_within(path: &[u8], prefix: &[u8]) -> bool {
    prefix.is_empty()
        || (path.starts_with(prefix) && (path.len() == prefix.len() || path[prefix.len()] == b'/'))
}

pub(super) fn escape(entry: &str, reason: &'static str) -> UnpackError {
    UnpackError::Escape {
        entry: entry.to_owned(),
        reason,
    }
}
