//! What a step's build-cache key is made of. A step is reused when its parent, its
//! instruction after substitution, the RUN environment (ARGs included) and, for COPY/ADD,
//! the content of its sources match. Hashing the sources (bytes, modes, owners; not mtimes)
//! is the executor's: it fills [`SourceDigest`]s.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::dockerfile::Instruction;

/// The content of one COPY/ADD source (a file or a tree, as the executor hashes it), or of a
/// stage or image it copies from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceDigest {
    /// The source as the step names it (a context path, `stage:path`, a URL).
    pub path: String,
    /// `sha256:…` of the content.
    pub digest: String,
}

/// The inputs of one step's cache key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheKeyInput {
    /// The ID of the image (or cached step) the step runs on; `scratch` for none.
    pub parent: String,
    /// The instruction after substitution ([`super::stages::StageScope::apply`]).
    pub instruction: Instruction,
    /// RUN: its environment (`KEY=VALUE`, build ARGs included); empty for other steps.
    pub env: Vec<String>,
    /// RUN: the shell of a shell-form command.
    pub shell: Vec<String>,
    /// COPY/ADD (and RUN bind mounts): the sources' content.
    pub sources: Vec<SourceDigest>,
}

/// Bumped when the meaning of a key's inputs changes, so old cache entries stop matching.
const KEY_VERSION: u32 = 1;

impl CacheKeyInput {
    /// The key: `sha256:` of a canonical JSON encoding of the inputs.
    pub fn key(&self) -> String {
        #[derive(Serialize)]
        struct Versioned<'a> {
            v: u32,
            #[serde(flatten)]
            input: &'a CacheKeyInput,
        }
        let bytes = serde_json::to_vec(&Versioned {
            v: KEY_VERSION,
            input: self,
        })
        .expect("plain data serializes");
        format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CacheKeyInput {
        CacheKeyInput {
            parent: "sha256:aa".into(),
            instruction: Instruction::Workdir("/app".into()),
            env: vec!["PATH=/bin".into()],
            shell: vec!["/bin/sh".into(), "-c".into()],
            sources: vec![],
        }
    }

    #[test]
    fn keys_change_with_every_input() {
        let base = input().key();
        assert!(base.starts_with("sha256:") && base.len() == 71);
        assert_eq!(base, input().key());
        let mut i = input();
        i.parent = "sha256:bb".into();
        assert_ne!(i.key(), base);
        let mut i = input();
        i.instruction = Instruction::Workdir("/other".into());
        assert_ne!(i.key(), base);
        let mut i = input();
        i.env.push("A=1".into());
        assert_ne!(i.key(), base);
        let mut i = input();
        i.sources.push(SourceDigest {
            path: "a".into(),
            digest: "sha256:cc".into(),
        });
        assert_ne!(i.key(), base);
    }
}
