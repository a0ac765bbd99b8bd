//! `.dockerignore` with Docker's rules: one pattern a line, `#` in the first column starts a
//! comment, blanks around a pattern are dropped, patterns are cleaned as paths (`./a/` is
//! `a`, a leading `/` is dropped), `*`/`?`/`[…]` as Go's `filepath.Match` (never across `/`),
//! `**` for any number of directories, `!` makes an exception, and the last pattern that
//! matches a path (or one of its parent directories) decides.
//!
//! The Dockerfile and `.dockerignore` are sent to the builder even when they are ignored,
//! but COPY and ADD do not see them then ([`ContextFilter`]).

use super::glob::{BadPattern, Pattern};
use crate::error::{Classify, ErrorKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid .dockerignore pattern on line {line}: {pattern:?}: {source}")]
pub struct IgnoreError {
    pub line: usize,
    pub pattern: String,
    #[source]
    pub source: BadPattern,
}

impl Classify for IgnoreError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidArgument
    }
}

#[derive(Debug, Clone)]
struct Rule {
    /// The cleaned pattern, as Docker lists it (`!` first for an exception).
    text: String,
    pattern: Pattern,
    exception: bool,
}

/// The patterns of a `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct Dockerignore {
    rules: Vec<Rule>,
}

/// Go's `filepath.Clean` for slash-separated paths.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

impl Dockerignore {
    /// Reads a `.dockerignore`'s bytes (invalid UTF-8 is read lossily, as bytes in a name).
    pub fn parse(bytes: &[u8]) -> Result<Dockerignore, IgnoreError> {
        let text = String::from_utf8_lossy(bytes);
        let mut rules = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let raw = if n == 0 {
                raw.strip_prefix('\u{feff}').unwrap_or(raw)
            } else {
                raw
            };
            if raw.starts_with('#') {
                continue;
            }
            let mut p = raw.trim();
            if p.is_empty() {
                continue;
            }
            let exception = p.starts_with('!');
            if exception {
                p = p[1..].trim();
            }
            let mut cleaned = if p.is_empty() {
                String::new()
            } else {
                clean(p)
            };
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let pattern = Pattern::path(&cleaned).map_err(|source| IgnoreError {
                line: n + 1,
                pattern: raw.to_string(),
                source,
            })?;
            rules.push(Rule {
                text: if exception {
                    format!("!{cleaned}")
                } else {
                    cleaned
                },
                pattern,
                exception,
            });
        }
        Ok(Dockerignore { rules })
    }

    /// The cleaned patterns, in order.
    pub fn patterns(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.text.as_str()).collect()
    }

    /// Whether any pattern is an exception (`!…`).
    pub fn has_exceptions(&self) -> bool {
        self.rules.iter().any(|r| r.exception)
    }

    /// Whether a path of the context (relative, slash-separated) is left out.
    pub fn is_excluded(&self, path: &str) -> bool {
        let path = clean(path.trim_start_matches('/'));
        let parents: Vec<&str> = {
            let mut v = Vec::new();
            let mut at = 0;
            while let Some(i) = path[at..].find('/') {
                v.push(&path[..at + i]);
                at += i + 1;
            }
            v
        };
        let mut excluded = false;
        for rule in &self.rules {
            // An exception only matters for an excluded path, a pattern for an included one.
            if rule.exception != excluded {
                continue;
            }
            let hit =
                rule.pattern.matches(&path) || parents.iter().any(|p| rule.pattern.matches(p));
            if hit {
                excluded = !rule.exception;
            }
        }
        excluded
    }

    /// Whether a walk of the context may skip an excluded directory without looking inside:
    /// only when no exception could bring back something under it.
    pub fn may_skip_dir(&self, dir: &str) -> bool {
        if !self.is_excluded(dir) {
            return false;
        }
        let dir = clean(dir.trim_start_matches('/'));
        let prefix = format!("{dir}/");
        !self.rules.iter().any(|r| {
            if !r.exception {
                return false;
            }
            let t = &r.text[1..];
            t.contains(['*', '?', '[', '\\']) || format!("{t}/").starts_with(&prefix)
        })
    }
}

/// The ignore files to look for, first found wins: `<Dockerfile>.dockerignore` next to the
/// Dockerfile (a Dockerfile-specific one, as BuildKit reads it), then `.dockerignore` at the
/// context's root. Paths relative to the context.
pub fn ignore_files(dockerfile: &str) -> Vec<String> {
    let d = clean(dockerfile.trim_start_matches('/'));
    vec![format!("{d}.dockerignore"), ".dockerignore".to_string()]
}

/// What of the context is sent to the builder and what COPY/ADD see.
#[derive(Debug, Clone)]
pub struct ContextFilter {
    pub ignore: Dockerignore,
    /// The Dockerfile's path in the context (`-f`), cleaned.
    pub dockerfile: String,
}

impl ContextFilter {
    pub fn new(ignore: Dockerignore, dockerfile: &str) -> ContextFilter {
        ContextFilter {
            ignore,
            dockerfile: clean(dockerfile.trim_start_matches('/')),
        }
    }

    /// Whether the path goes to the builder: not ignored, or the Dockerfile or `.dockerignore`.
    pub fn send(&self, path: &str) -> bool {
        let p = clean(path.trim_start_matches('/'));
        p == self.dockerfile || p == ".dockerignore" || !self.ignore.is_excluded(&p)
    }

    /// Whether COPY and ADD may take the path.
    pub fn copy(&self, path: &str) -> bool {
        !self.ignore.is_excluded(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ig(text: &str) -> Dockerignore {
        Dockerignore::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("./a//b/"), "a/b");
        assert_eq!(clean("a/../../b"), "../b");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("."), ".");
        assert_eq!(clean(""), ".");
        let d = ig("# comment\n  ./node_modules/  \n/build\n!  ./build/keep\n \n #not a comment\n");
        assert_eq!(
            d.patterns(),
            ["node_modules", "build", "!build/keep", "#not a comment"]
        );
    }

    #[test]
    fn the_examples_of_dockers_reference() {
        let d = ig("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
        assert!(d.is_excluded("somedir/temporary.txt"));
        assert!(d.is_excluded("somedir/temp"));
        assert!(d.is_excluded("somedir/subdir/temporary.txt"));
        assert!(d.is_excluded("tempa"));
        assert!(!d.is_excluded("tempab"));
        assert!(!d.is_excluded("temporary.txt"));
        assert!(!d.is_excluded("a/b/c/temp"));
    }

    #[test]
    fn exceptions_and_last_match_wins() {
        let d = ig("*.md\n!README.md\n");
        assert!(d.is_excluded("CHANGES.md"));
        assert!(!d.is_excluded("README.md"));
        let d = ig("*.md\n!README*.md\nREADME-secret.md\n");
        assert!(d.is_excluded("README-secret.md"));
        assert!(!d.is_excluded("README-public.md"));
        let d = ig("*.md\nREADME-secret.md\n!README*.md\n");
        assert!(!d.is_excluded("README-secret.md"));
    }

    #[test]
    fn parents_and_double_star() {
        let d = ig("build\n**/*.o\n");
        assert!(d.is_excluded("build"));
        assert!(d.is_excluded("build/a/b.c"));
        assert!(!d.is_excluded("src/build.c"));
        assert!(d.is_excluded("x.o"));
        assert!(d.is_excluded("src/deep/x.o"));
        assert!(!d.is_excluded("src/x.c"));
        let d = ig("**\n!src\n");
        assert!(d.is_excluded("Makefile"));
        assert!(!d.is_excluded("src"));
        // A parent excluded: the exception names the file itself.
        let d = ig("docs\n!docs/keep.txt\n");
        assert!(d.is_excluded("docs/other.txt"));
        assert!(!d.is_excluded("docs/keep.txt"));
        assert!(!d.may_skip_dir("docs"));
        assert!(ig("docs\n").may_skip_dir("docs"));
        assert!(!ig("docs\n!**/*.txt").may_skip_dir("docs"));
        assert!(!ig("").may_skip_dir("docs"));
    }

    #[test]
    fn the_dockerfile_and_dockerignore_are_always_sent() {
        let f = ContextFilter::new(ig("Dockerfile\n.dockerignore\nsecret\n"), "./Dockerfile");
        assert!(f.send("Dockerfile"));
        assert!(f.send(".dockerignore"));
        assert!(!f.send("secret"));
        assert!(!f.copy("Dockerfile"));
        assert!(!f.copy(".dockerignore"));
        assert!(f.copy("src/main.rs"));
    }

    #[test]
    fn dockerfile_specific_ignore_files_come_first() {
        assert_eq!(
            ignore_files("./docker/app.Dockerfile"),
            ["docker/app.Dockerfile.dockerignore", ".dockerignore"]
        );
    }

    #[test]
    fn bad_patterns_are_refused_with_their_line() {
        let e = Dockerignore::parse(b"a\n[b\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
