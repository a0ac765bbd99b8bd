//! Shell-style patterns (`*`, `?`, `[a-z]`, `[^x]`/`[!x]`, `\x`), as Go's `filepath.Match`
//! reads them; `**` (any number of directories) for `.dockerignore`.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `*`: any run of characters (but `/` when paths are matched).
    Star,
    /// `**` (with its `/`): any run of whole directories, even none.
    DirStar,
    /// `**` at the end: anything.
    StarStarEnd,
    /// `?`: one character (but `/` when paths are matched).
    One,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
    /// `*` and `?` stop at `/` (paths); otherwise they match any character (strings).
    paths: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

impl Pattern {
    /// A pattern over strings (`${V#pattern}`).
    pub fn text(p: &str) -> Result<Pattern, BadPattern> {
        Pattern::compile(p, false, false)
    }

    /// A pattern over slash-separated paths, with `**` (`.dockerignore`).
    pub fn path(p: &str) -> Result<Pattern, BadPattern> {
        Pattern::compile(p, true, true)
    }

    fn compile(p: &str, paths: bool, double_star: bool) -> Result<Pattern, BadPattern> {
        let chars: Vec<char> = p.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            match c {
                '*' if double_star && chars.get(i) == Some(&'*') => {
                    i += 1;
                    if chars.get(i) == Some(&'/') {
                        i += 1;
                    }
                    if i == chars.len() {
                        tokens.push(Token::StarStarEnd);
                    } else {
                        tokens.push(Token::DirStar);
                    }
                }
                '*' => tokens.push(Token::Star),
                '?' => tokens.push(Token::One),
                '\\' => match chars.get(i) {
                    Some(&n) => {
                        tokens.push(Token::Char(n));
                        i += 1;
                    }
                    None => tokens.push(Token::Char('\\')),
                },
                '[' => {
                    let mut negated = false;
                    if matches!(chars.get(i), Some('^') | Some('!')) {
                        negated = true;
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    let mut first = true;
                    loop {
                        let Some(&c) = chars.get(i) else {
                            return Err(BadPattern);
                        };
                        if c == ']' && !first {
                            i += 1;
                            break;
                        }
                        first = false;
                        let lo = read_class_char(&chars, &mut i)?;
                        let hi = if chars.get(i) == Some(&'-') && chars.get(i + 1) != Some(&']') {
                            i += 1;
                            read_class_char(&chars, &mut i)?
                        } else {
                            lo
                        };
                        if hi < lo {
                            return Err(BadPattern);
                        }
                        ranges.push((lo, hi));
                    }
                    tokens.push(Token::Class { negated, ranges });
                }
                _ => tokens.push(Token::Char(c)),
            }
        }
        Ok(Pattern { tokens, paths })
    }

    /// Whether the whole of `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        self.match_at(0, &chars, 0)
    }

    fn match_at(&self, t: usize, s: &[char], i: usize) -> bool {
        let Some(tok) = self.tokens.get(t) else {
            return i == s.len();
        };
        match tok {
            Token::Char(c) => s.get(i) == Some(c) && self.match_at(t + 1, s, i + 1),
            Token::One => {
                s.get(i).is_some_and(|c| !(self.paths && *c == '/'))
                    && self.match_at(t + 1, s, i + 1)
            }
            Token::Class { negated, ranges } => {
                s.get(i).is_some_and(|c| {
                    !(self.paths && *c == '/')
                        && ranges.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated
                }) && self.match_at(t + 1, s, i + 1)
            }
            Token::Star => {
                let mut j = i;
                loop {
                    if self.match_at(t + 1, s, j) {
                        return true;
                    }
                    if j == s.len() || (self.paths && s[j] == '/') {
                        return false;
                    }
                    j += 1;
                }
            }
            Token::StarStarEnd => true,
            Token::DirStar => {
                // `(.*/)?`: nothing, or anything up to and including a `/`.
                if self.match_at(t + 1, s, i) {
                    return true;
                }
                (i..s.len()).any(|j| s[j] == '/' && self.match_at(t + 1, s, j + 1))
            }
        }
    }
}

fn read_class_char(chars: &[char], i: &mut usize) -> Result<char, BadPattern> {
    let c = *chars.get(*i).ok_or(BadPattern)?;
    *i += 1;
    if c == '\\' {
        let e = *chars.get(*i).ok_or(BadPattern)?;
        *i += 1;
        return Ok(e);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_patterns() {
        let p = |s| Pattern::text(s).unwrap();
        assert!(p("*.tar.gz").matches("a/b.tar.gz"));
        assert!(p("a?c").matches("abc"));
        assert!(!p("a?c").matches("ac"));
        assert!(p("[a-c]x").matches("bx"));
        assert!(p("[^a-c]x").matches("dx"));
        assert!(p("[!a-c]x").matches("dx"));
        assert!(!p("[^a-c]x").matches("ax"));
        assert!(p("\\*").matches("*"));
        assert!(!p("\\*").matches("a"));
        assert!(Pattern::text("[a").is_err());
        assert!(Pattern::text("[z-a]").is_err());
    }

    #[test]
    fn path_patterns() {
        let p = |s| Pattern::path(s).unwrap();
        assert!(p("*.go").matches("a.go"));
        assert!(!p("*.go").matches("d/a.go"));
        assert!(p("**/*.go").matches("a.go"));
        assert!(p("**/*.go").matches("d/e/a.go"));
        assert!(p("a/**/b").matches("a/b"));
        assert!(p("a/**/b").matches("a/x/y/b"));
        assert!(!p("a/**/b").matches("a/xb"));
        assert!(p("a/**").matches("a/x/y"));
        assert!(p("**").matches("anything/at/all"));
        assert!(!p("a?b").matches("a/b"));
    }
}
