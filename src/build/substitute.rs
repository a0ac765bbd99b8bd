//! Variable substitution as Docker's Dockerfile shell lexer does it: `$V`, `${V}`,
//! `${V:-x}`/`${V-x}`, `${V:+x}`/`${V+x}`, `${V:?msg}`/`${V?msg}`, `${V#p}`/`${V##p}`,
//! `${V%p}`/`${V%%p}`, single quotes (literal), double quotes (expansions, `\"`, `\$`, `\\`
//! escaped), the escape character (`\` or the `# escape=` one) outside quotes. A word stays
//! one word: quotes are removed, blanks kept.

use super::glob::Pattern;
use crate::error::{Classify, ErrorKind};

/// A word that cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to process {word:?}: {message}")]
pub struct SubstError {
    pub word: String,
    pub message: String,
}

impl Classify for SubstError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidArgument
    }
}

/// The variables a word is expanded with: `Some(value)` when set (even empty).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The result of expanding a word, and the names of the variables it referred to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub value: String,
    pub used: Vec<String>,
}

/// Expands one word with `escape` as the escape character.
pub fn expand(word: &str, escape: char, env: Lookup<'_>) -> Result<String, SubstError> {
    expand_with_matches(word, escape, env).map(|e| e.value)
}

/// Expands one word and says which variables it used.
pub fn expand_with_matches(
    word: &str,
    escape: char,
    env: Lookup<'_>,
) -> Result<Expanded, SubstError> {
    let mut w = Word {
        chars: word.chars().collect(),
        pos: 0,
        escape,
        env,
        used: Vec::new(),
    };
    let value = w
        .until(None, false)
        .map(|(s, _)| s)
        .map_err(|message| SubstError {
            word: word.to_string(),
            message,
        })?;
    Ok(Expanded {
        value,
        used: w.used,
    })
}

struct Word<'a> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    env: Lookup<'a>,
    used: Vec<String>,
}

fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

impl Word<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn get(&mut self, name: &str) -> Option<String> {
        if !self.used.iter().any(|u| u == name) {
            self.used.push(name.to_string());
        }
        (self.env)(name)
    }

    /// Reads up to `stop` (consumed) or the end; whether `stop` was found.
    fn until(&mut self, stop: Option<char>, raw_escapes: bool) -> Result<(String, bool), String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.next();
                return Ok((out, true));
            }
            match c {
                '\'' => out.push_str(&self.single_quoted()?),
                '"' => out.push_str(&self.double_quoted()?),
                '$' => out.push_str(&self.dollar()?),
                c if c == self.escape => {
                    self.next();
                    if raw_escapes {
                        out.push(c);
                    }
                    match self.next() {
                        Some(n) => out.push(n),
                        None => break,
                    }
                }
                c => {
                    self.next();
                    out.push(c);
                }
            }
        }
        Ok((out, false))
    }

    fn single_quoted(&mut self) -> Result<String, String> {
        self.next();
        let mut out = String::new();
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    );
                }
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quoted(&mut self) -> Result<String, String> {
        self.next();
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    );
                }
                Some('"') => {
                    self.next();
                    return Ok(out);
                }
                Some('$') => out.push_str(&self.dollar()?),
                Some(c) if c == self.escape => {
                    self.next();
                    match self.peek() {
                        None => continue,
                        Some(n) if n == '"' || n == '$' || n == self.escape => {
                            self.next();
                            out.push(n);
                        }
                        Some(_) => out.push(c),
                    }
                }
                Some(c) => {
                    self.next();
                    out.push(c);
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && c.is_ascii_digit() {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && is_special_param(c) {
                self.next();
                return c.to_string();
            }
            if !(c.is_alphanumeric() || c == '_') {
                break;
            }
            self.next();
            name.push(c);
        }
        name
    }

    fn dollar(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(self.get(&name).unwrap_or_default());
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            _ => {}
        }
        let name = self.name();
        let Some(op) = self.next() else {
            return Err("syntax error: missing '}'".into());
        };
        let (op, null_is_unset) = match op {
            '}' => return Ok(self.get(&name).unwrap_or_default()),
            ':' => match self.next() {
                Some(o @ ('-' | '+' | '?')) => (o, true),
                Some(o) => return Err(format!("unsupported modifier (:{o}) in substitution")),
                None => return Err("syntax error: missing '}'".into()),
            },
            o @ ('-' | '+' | '?' | '#' | '%') => (o, false),
            o => return Err(format!("unsupported modifier ({o}) in substitution")),
        };
        let raw = op == '#' || op == '%';
        let (word, found) = self.until(Some('}'), raw)?;
        if !found {
            return Err("syntax error: missing '}'".into());
        }
        let value = self.get(&name);
        let unset = value.is_none() || (null_is_unset && value.as_deref() == Some(""));
        match op {
            '-' => Ok(if unset {
                word
            } else {
                value.unwrap_or_default()
            }),
            '+' => Ok(if unset { String::new() } else { word }),
            '?' => match value {
                None => Err(format!(
                    "{name}: {}",
                    if word.is_empty() {
                        "is not allowed to be unset"
                    } else {
                        &word
                    }
                )),
                Some(v) if null_is_unset && v.is_empty() => Err(format!(
                    "{name}: {}",
                    if word.is_empty() {
                        "is not allowed to be empty"
                    } else {
                        &word
                    }
                )),
                Some(v) => Ok(v),
            },
            _ => {
                let value = value.unwrap_or_default();
                let (greedy, pattern) = match word.strip_prefix(op) {
                    Some(p) => (true, p.to_string()),
                    None => (false, word),
                };
                let pattern = Pattern::text(&pattern).map_err(|e| e.to_string())?;
                Ok(trim(&value, &pattern, op == '#', greedy))
            }
        }
    }
}

/// `${V#p}` (prefix) or `${V%p}` (suffix): removes the shortest (or, greedy, the longest)
/// match of the pattern.
fn trim(value: &str, pattern: &Pattern, prefix: bool, greedy: bool) -> String {
    let mut cuts: Vec<usize> = value.char_indices().map(|(i, _)| i).collect();
    cuts.push(value.len());
    if prefix {
        // Shortest prefix first: cut points ascending.
        if greedy {
            cuts.reverse();
        }
        for c in cuts {
            if pattern.matches(&value[..c]) {
                return value[c..].to_string();
            }
        }
    } else {
        // Shortest suffix first: cut points descending.
        if !greedy {
            cuts.reverse();
        }
        for c in cuts {
            if pattern.matches(&value[c..]) {
                return value[..c].to_string();
            }
        }
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "A" => Some("apple".into()),
            "E" => Some(String::new()),
            "P" => Some("/usr/local/bin:/usr/bin".into()),
            "F" => Some("archive.tar.gz".into()),
            _ => None,
        }
    }

    fn x(word: &str) -> String {
        expand(word, '\\', &env).unwrap_or_else(|e| panic!("{e}"))
    }

    fn bad(word: &str) -> String {
        expand(word, '\\', &env).unwrap_err().message
    }

    #[test]
    fn plain_and_braced() {
        assert_eq!(x("$A"), "apple");
        assert_eq!(x("${A}s"), "apples");
        assert_eq!(x("$As"), "");
        assert_eq!(x("x$NOPE.y"), "x.y");
        assert_eq!(x("$"), "$");
        assert_eq!(x("a$ b"), "a$ b");
        assert_eq!(x("$1x"), "x");
        assert_eq!(x("${P}"), "/usr/local/bin:/usr/bin");
    }

    #[test]
    fn modifiers() {
        assert_eq!(x("${NOPE:-dflt}"), "dflt");
        assert_eq!(x("${E:-dflt}"), "dflt");
        assert_eq!(x("${E-dflt}"), "");
        assert_eq!(x("${NOPE-dflt}"), "dflt");
        assert_eq!(x("${A:-dflt}"), "apple");
        assert_eq!(x("${A:+set}"), "set");
        assert_eq!(x("${E:+set}"), "");
        assert_eq!(x("${E+set}"), "set");
        assert_eq!(x("${NOPE+set}"), "");
        assert_eq!(x("${NOPE:-$A and ${A}}"), "apple and apple");
        assert_eq!(x("${NOPE:-'a}b'}"), "a}b");
        assert_eq!(x("${A?}"), "apple");
        assert_eq!(x("${F%.gz}"), "archive.tar");
        assert_eq!(x("${F%.*}"), "archive.tar");
        assert_eq!(x("${F%%.*}"), "archive");
        assert_eq!(x("${F#*.}"), "tar.gz");
        assert_eq!(x("${F##*.}"), "gz");
        assert_eq!(x("${P#*:}"), "/usr/bin");
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(x("'$A'"), "$A");
        assert_eq!(x("\"$A b\""), "apple b");
        assert_eq!(x(r#""\$A \"q\" \\ \n""#), r#"$A "q" \ \n"#);
        assert_eq!(x(r"\$A"), "$A");
        assert_eq!(x(r"a\ b"), "a b");
        assert_eq!(x(r"a\"), "a");
        assert_eq!(x("hello   world"), "hello   world");
        assert_eq!(x("''"), "");
        assert_eq!(x("a'b c'd"), "ab cd");
        // The escape character of `# escape=` replaces the backslash.
        assert_eq!(expand(r"c:\dir `$A", '`', &env).unwrap(), r"c:\dir $A");
    }

    #[test]
    fn errors() {
        assert_eq!(bad("${A"), "syntax error: missing '}'");
        assert_eq!(bad("${A:-x"), "syntax error: missing '}'");
        assert_eq!(bad("${}"), "syntax error: bad substitution");
        assert_eq!(bad("${:a}"), "syntax error: bad substitution");
        assert_eq!(bad("${A:=x}"), "unsupported modifier (:=) in substitution");
        assert_eq!(bad("${A/x/y}"), "unsupported modifier (/) in substitution");
        assert_eq!(
            bad("'abc"),
            "unexpected end of statement while looking for matching single-quote"
        );
        assert_eq!(
            bad("\"abc"),
            "unexpected end of statement while looking for matching double-quote"
        );
        assert_eq!(bad("${NOPE?}"), "NOPE: is not allowed to be unset");
        assert_eq!(bad("${E:?must be set}"), "E: must be set");
        assert_eq!(
            expand("${A", '\\', &env).unwrap_err().to_string(),
            "failed to process \"${A\": syntax error: missing '}'"
        );
    }

    #[test]
    fn matches_name_the_variables_used() {
        let e = expand_with_matches("$A ${NOPE:-${E}} '$Q'", '\\', &env).unwrap();
        let mut used = e.used;
        used.sort();
        assert_eq!(used, ["A", "E", "NOPE"]);
    }
}
