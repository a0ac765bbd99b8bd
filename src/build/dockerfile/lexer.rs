//! From bytes to logical lines, as Docker's Dockerfile parser reads them: parser directives at
//! the top, comments, line continuations (comment and blank lines inside a continuation are
//! skipped), heredoc bodies after the line that names them, and each line split into its
//! keyword, its `--flags` and the rest.

use super::{Directives, ParseError, Warning};

/// A heredoc named on an instruction's line (`<<EOF`, `<<-EOF`, `<<"EOF"`) and its body.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word without its quotes.
    pub name: String,
    /// The body, each line ending in `\n`; with `<<-`, leading tabs already removed.
    pub content: String,
    /// False when (part of) the delimiter was quoted: the body is taken as it is.
    pub expand: bool,
    /// `<<-`: leading tabs of the body's lines and of the delimiter line are removed.
    pub chomp: bool,
    /// The file descriptor written before `<<` (`3<<EOF`), 0 if none.
    pub fd: u32,
}

/// One instruction as written: its lines, its keyword (as typed), its flags (each `--name=value`
/// as written, quotes removed) and what follows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawNode {
    pub start_line: usize,
    pub end_line: usize,
    pub keyword: String,
    pub flags: Vec<String>,
    pub rest: String,
    pub original: String,
    pub heredocs: Vec<Heredoc>,
}

const BOM: char = '\u{feff}';

/// The file's lines without their line ends (`\n`, `\r\n`), numbered from 1.
fn lines(text: &str) -> Vec<&str> {
    let mut v: Vec<&str> = text.split('\n').collect();
    if text.ends_with('\n') {
        v.pop();
    }
    v
}

fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

fn is_comment(line: &str) -> bool {
    trim_newline(line).trim_start().starts_with('#')
}

/// `# key = value`: a directive's key (lowercased) and value.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let key_len = rest
        .char_indices()
        .take_while(|(i, c)| {
            if *i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric()
            }
        })
        .count();
    if key_len == 0 {
        return None;
    }
    let (key, rest) = rest.split_at(key_len);
    let rest = rest.trim_start_matches([' ', '\t']).strip_prefix('=')?;
    let value = rest.trim_matches([' ', '\t']);
    if value.is_empty() {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.to_string()))
}

/// Reads directives while the file's first lines are directives.
struct DirectiveReader {
    done: bool,
    seen: Vec<String>,
}

impl DirectiveReader {
    fn read(&mut self, line: &str, d: &mut Directives) -> Result<(), String> {
        if self.done {
            return Ok(());
        }
        let Some((key, value)) = directive(line) else {
            self.done = true;
            return Ok(());
        };
        if !matches!(key.as_str(), "syntax" | "escape" | "check") {
            // An unknown directive is a comment, and ends the directives.
            self.done = true;
            return Ok(());
        }
        if self.seen.contains(&key) {
            return Err(format!("only one {key} parser directive can be used"));
        }
        self.seen.push(key.clone());
        match key.as_str() {
            "escape" => match value.as_str() {
                "\\" => d.escape = '\\',
                "`" => d.escape = '`',
                _ => {
                    return Err(format!(
                        "invalid escape token '{value}' does not match ` or \\"
                    ));
                }
            },
            "syntax" => d.syntax = Some(value),
            _ => d.check = Some(value),
        }
        Ok(())
    }
}

/// A line ending in the escape character (then optional blanks) continues on the next one:
/// the line without them, or None.
fn continued(line: &str, escape: char) -> Option<&str> {
    let t = line.trim_end_matches([' ', '\t']);
    t.strip_suffix(escape)
}

/// Splits the file into instructions.
pub(crate) fn nodes(
    text: &str,
    d: &mut Directives,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<RawNode>, ParseError> {
    let lines = lines(text);
    let mut reader = DirectiveReader {
        done: false,
        seen: Vec::new(),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let number = i + 1;
        let mut raw = trim_newline(lines[i]);
        if i == 0 {
            raw = raw.strip_prefix(BOM).unwrap_or(raw);
        }
        i += 1;
        let first = raw.trim_start();
        reader
            .read(first, d)
            .map_err(|m| ParseError::new(number, m))?;
        if first.starts_with('#') || first.is_empty() {
            continue;
        }
        let mut line = String::new();
        let mut complete = match continued(first, d.escape) {
            Some(head) => {
                line.push_str(head);
                false
            }
            None => {
                line.push_str(first);
                true
            }
        };
        let mut empty_continuation = false;
        while !complete && i < lines.len() {
            let next = trim_newline(lines[i]);
            reader
                .read(next.trim_start(), d)
                .map_err(|m| ParseError::new(i + 1, m))?;
            i += 1;
            if is_comment(next) {
                continue;
            }
            if next.trim_start().is_empty() {
                empty_continuation = true;
                continue;
            }
            match continued(next, d.escape) {
                Some(head) => line.push_str(head),
                None => {
                    line.push_str(next);
                    complete = true;
                }
            }
        }
        if empty_continuation {
            warnings.push(Warning {
                line: i,
                message: format!("Empty continuation line found in: {line}"),
            });
        }
        if line.trim().is_empty() {
            continue;
        }
        let (keyword, flags, rest) = split_command(&line).map_err(|m| ParseError {
            line: number,
            end_line: i,
            message: m,
        })?;
        let mut node = RawNode {
            start_line: number,
            end_line: i,
            keyword,
            flags,
            rest,
            original: line.clone(),
            heredocs: Vec::new(),
        };
        if may_have_heredocs(&node) && line.contains("<<") {
            for mut doc in heredocs_in(&line) {
                let mut terminated = false;
                while i < lines.len() {
                    let body = lines[i];
                    i += 1;
                    let mut candidate = trim_newline(body);
                    if doc.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == doc.name {
                        terminated = true;
                        break;
                    }
                    let body = if doc.chomp {
                        body.trim_start_matches('\t')
                    } else {
                        body
                    };
                    doc.content.push_str(body);
                    doc.content.push('\n');
                }
                if !terminated {
                    return Err(ParseError {
                        line: number,
                        end_line: i,
                        message: "unterminated heredoc".into(),
                    });
                }
                node.heredocs.push(doc);
            }
            node.end_line = i;
        }
        out.push(node);
    }
    Ok(out)
}

/// RUN, COPY and ADD in shell form may name heredocs.
fn may_have_heredocs(node: &RawNode) -> bool {
    let kw = node.keyword.to_ascii_lowercase();
    matches!(kw.as_str(), "run" | "copy" | "add") && json_array(&node.rest).is_none()
}

/// The words of a line that are heredoc redirections, in order.
pub(crate) fn heredocs_in(line: &str) -> Vec<Heredoc> {
    raw_words(line)
        .iter()
        .filter_map(|w| parse_heredoc(w))
        .collect()
}

/// `[n]<<[-]WORD`: a heredoc, if the word is one.
pub(crate) fn parse_heredoc(word: &str) -> Option<Heredoc> {
    let digits = word.chars().take_while(|c| c.is_ascii_digit()).count();
    let rest = word[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let (name, quoted) = unquote(rest)?;
    if name.is_empty() {
        return None;
    }
    Some(Heredoc {
        name,
        content: String::new(),
        expand: !quoted,
        chomp,
        fd: word[..digits].parse().unwrap_or(0),
    })
}

/// A word without its quotes and backslash escapes, and whether any part was quoted; None if
/// a quote is not closed.
fn unquote(word: &str) -> Option<(String, bool)> {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                quoted = true;
                loop {
                    let n = chars.next()?;
                    if n == c {
                        break;
                    }
                    if n == '\\' && c == '"' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                        continue;
                    }
                    out.push(n);
                }
            }
            '\\' => {
                if let Some(e) = chars.next() {
                    out.push(e);
                }
            }
            _ => out.push(c),
        }
    }
    Some((out, quoted))
}

/// Blank-separated words, keeping quotes and escapes; a quoted part may hold blanks.
fn raw_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                word.push(c);
                if c == q {
                    quote = None;
                } else if c == '\\'
                    && q == '"'
                    && let Some(n) = chars.next()
                {
                    word.push(n);
                }
            }
            None if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            None => {
                word.push(c);
                if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c == '\\'
                    && let Some(n) = chars.next()
                {
                    word.push(n);
                }
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A line's keyword (as written), its leading `--flags` and the rest (trimmed).
pub(crate) fn split_command(line: &str) -> Result<(String, Vec<String>, String), String> {
    let line = line.trim();
    let (keyword, rest) = match line.find(char::is_whitespace) {
        Some(at) => (&line[..at], line[at..].trim_start()),
        None => (line, ""),
    };
    let (flags, rest) = extract_flags(rest);
    Ok((keyword.to_string(), flags, rest.trim().to_string()))
}

/// The `--name[=value]` words at the start of an instruction's arguments (quotes and `\`
/// escapes in them removed), and what follows them. A lone `--` ends the flags.
pub(crate) fn extract_flags(line: &str) -> (Vec<String>, &str) {
    let mut words = Vec::new();
    let bytes = line.as_bytes();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && (bytes[pos] as char).is_ascii_whitespace() {
            pos += 1;
        }
        if !line[pos..].starts_with("--") {
            return (words, &line[pos..]);
        }
        let mut word = String::new();
        let mut blank_ok = false;
        let mut chars = line[pos..].char_indices();
        let mut end = line.len();
        let mut quote: Option<char> = None;
        while let Some((i, c)) = chars.next() {
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                } else if c == '\\' {
                    match chars.next() {
                        Some((_, n)) => word.push(n),
                        None => quote = None,
                    }
                } else {
                    word.push(c);
                }
                continue;
            }
            if c.is_whitespace() {
                end = pos + i;
                break;
            }
            match c {
                '\'' | '"' => {
                    quote = Some(c);
                    blank_ok = true;
                }
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                _ => word.push(c),
            }
        }
        if word == "--" {
            return (words, &line[end..]);
        }
        if blank_ok || !word.is_empty() {
            words.push(word);
        }
        pos = end;
        if pos >= line.len() {
            return (words, "");
        }
    }
}

/// Words separated by blanks, quotes and escapes kept in them (Docker's reading of ENV, LABEL
/// and ARG before the shell lexer runs over each word).
pub(crate) fn words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut blank_ok = false;
    let mut quote: Option<char> = None;
    let mut chars = rest.chars().peekable();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            if c == escape && q != '\'' {
                match chars.next() {
                    Some(n) => {
                        word.push(c);
                        word.push(n);
                        continue;
                    }
                    None => {
                        quote = None;
                        continue;
                    }
                }
            }
            word.push(c);
            continue;
        }
        if !in_word {
            if c.is_whitespace() {
                continue;
            }
            in_word = true;
        }
        if c.is_whitespace() {
            in_word = false;
            if blank_ok || !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            blank_ok = false;
            continue;
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
            blank_ok = true;
        }
        if c == escape {
            if let Some(n) = chars.next() {
                word.push(c);
                word.push(n);
            }
            continue;
        }
        word.push(c);
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// The arguments in JSON (exec) form, if `rest` is a JSON array; `Some(Err)` if it is an
/// array with something other than strings in it.
pub(crate) fn json_array(rest: &str) -> Option<Result<Vec<String>, String>> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return None;
    }
    let value: Vec<serde_json::Value> = serde_json::from_str(rest).ok()?;
    let mut out = Vec::with_capacity(value.len());
    for v in value {
        match v {
            serde_json::Value::String(s) => out.push(s),
            _ => {
                return Some(Err(
                    "when using JSON array syntax, arrays must be comprised of strings only".into(),
                ));
            }
        }
    }
    Some(Ok(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Directives, Vec<RawNode>) {
        let mut d = Directives::default();
        let mut w = Vec::new();
        let n = nodes(text, &mut d, &mut w).unwrap();
        (d, n)
    }

    #[test]
    fn directives_only_at_the_top() {
        let (d, n) = parse("# syntax=docker/dockerfile:1\n#escape=`\nFROM x\n# escape=\\\n");
        assert_eq!(d.syntax.as_deref(), Some("docker/dockerfile:1"));
        assert_eq!(d.escape, '`');
        assert_eq!(n.len(), 1);
        let (d, _) = parse("# comment\n# escape=`\nFROM x\n");
        assert_eq!(d.escape, '\\');
        let (d, _) = parse("\n# escape=`\nFROM x\n");
        assert_eq!(d.escape, '\\');
        // An unknown directive ends the directives too.
        let (d, _) = parse("# unknown=1\n# escape=`\nFROM x\n");
        assert_eq!(d.escape, '\\');
        let (d, _) = parse("#  ESCAPE  =  `  \nFROM x\n");
        assert_eq!(d.escape, '`');
    }

    #[test]
    fn directive_errors() {
        let mut d = Directives::default();
        let e = nodes("# escape=x\nFROM a\n", &mut d, &mut Vec::new()).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("invalid escape token 'x'"), "{e}");
        let e = nodes(
            "# syntax=a\n# syntax=b\nFROM a\n",
            &mut Directives::default(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "only one syntax parser directive can be used")
        );
    }

    #[test]
    fn continuations_skip_comments_and_blank_lines() {
        let (_, n) = parse(
            "FROM x\nRUN echo a \\\n  # a comment\n\n   b \\  \n  c\nRUN d\r\nRUN e\\\\\nf\n",
        );
        assert_eq!(n.len(), 4);
        assert_eq!(n[1].rest, "echo a    b   c");
        assert_eq!((n[1].start_line, n[1].end_line), (2, 6));
        assert_eq!(n[2].rest, "d");
        assert_eq!(n[3].rest, "e\\f");
    }

    #[test]
    fn backtick_escape_continues_lines() {
        let (_, n) = parse("# escape=`\nFROM x\nRUN dir c:\\ `\n  d:\\\n");
        assert_eq!(n[1].rest, "dir c:\\   d:\\");
    }

    #[test]
    fn heredocs_are_read_after_their_line() {
        let (_, n) = parse(
            "FROM x\nRUN <<EOF bash\necho $HOME\n  EOF\nEOF\nRUN <<-'END' cat\n\t\tx\n\tEND\nCOPY <<A <<\"B\" /dst/\na\nA\nb\nB\nRUN [\"a\", \"<<EOF\"]\n",
        );
        assert_eq!(n.len(), 5);
        let run = &n[1];
        assert_eq!(run.heredocs[0].name, "EOF");
        assert_eq!(run.heredocs[0].content, "echo $HOME\n  EOF\n");
        assert!(run.heredocs[0].expand);
        assert_eq!((run.start_line, run.end_line), (2, 5));
        let chomped = &n[2].heredocs[0];
        assert_eq!((chomped.content.as_str(), chomped.expand), ("x\n", false));
        assert!(chomped.chomp);
        let copy = &n[3];
        assert_eq!(copy.heredocs.len(), 2);
        assert_eq!(copy.heredocs[0].content, "a\n");
        assert_eq!(copy.heredocs[1].name, "B");
        assert!(!copy.heredocs[1].expand);
        assert!(n[4].heredocs.is_empty());
    }

    #[test]
    fn unterminated_heredoc_is_refused() {
        let e = nodes(
            "FROM x\nRUN <<EOF\nls\n",
            &mut Directives::default(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "unterminated heredoc"));
    }

    #[test]
    fn heredoc_words() {
        assert!(parse_heredoc("<<").is_none());
        assert!(parse_heredoc("<<<x").is_none());
        assert!(parse_heredoc("a<<EOF").is_none());
        let h = parse_heredoc("3<<-E\"O\"F").unwrap();
        assert_eq!(
            (h.name.as_str(), h.fd, h.chomp, h.expand),
            ("EOF", 3, true, false)
        );
        // A quoted `<<EOF` is not a heredoc.
        assert!(heredocs_in("RUN echo '<<EOF'").is_empty());
    }

    #[test]
    fn flags_are_split_from_the_rest() {
        let (f, r) = extract_flags("--from=build --chown=\"a b\" src dst");
        assert_eq!(f, ["--from=build", "--chown=a b"]);
        assert_eq!(r, "src dst");
        let (f, r) = extract_flags("-- --x y");
        assert!(f.is_empty());
        assert_eq!(r.trim(), "--x y");
        let (f, r) = extract_flags("--link");
        assert_eq!((f, r), (vec!["--link".to_string()], ""));
    }

    #[test]
    fn words_keep_quotes() {
        assert_eq!(
            words(r#"a="b c" d=e\ f 'g h'"#, '\\'),
            [r#"a="b c""#, r"d=e\ f", "'g h'"]
        );
        assert_eq!(words("  ", '\\'), Vec::<String>::new());
    }

    #[test]
    fn json_form() {
        assert_eq!(
            json_array(r#"["a", "b c"]"#),
            Some(Ok(vec!["a".into(), "b c".into()]))
        );
        assert!(json_array("[a]").is_none());
        assert!(json_array("echo [").is_none());
        assert!(matches!(json_array("[1]"), Some(Err(_))));
    }
}
