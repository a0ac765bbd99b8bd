//! The Dockerfile, read whole before any work: parser directives, instructions with their
//! lines, heredocs, flags and forms. Pure: bytes in, a [`Dockerfile`] or a [`ParseError`]
//! (with the line and Docker's text) out.

pub(crate) mod flags;
pub mod instructions;
pub mod lexer;
pub mod mount;

pub use instructions::{
    Add, ArgDecl, CommandForm, Copy, From, Healthcheck, Instruction, KeyValue, NetworkMode,
    Onbuild, Run, Source,
};
pub use lexer::Heredoc;
pub use mount::{Mount, MountType, Sharing};

use crate::error::{Classify, ErrorKind};

/// The parser directives at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directives {
    /// `# syntax=`: recorded, not acted on (berth has one Dockerfile frontend).
    pub syntax: Option<String>,
    /// `# escape=`: `\` (the default) or `` ` ``.
    pub escape: char,
    /// `# check=`: recorded.
    pub check: Option<String>,
}

impl Default for Directives {
    fn default() -> Directives {
        Directives {
            syntax: None,
            escape: '\\',
            check: None,
        }
    }
}

/// Something Docker accepts but warns about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

/// A Dockerfile that cannot be built as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dockerfile parse error on line {line}: {message}")]
pub struct ParseError {
    /// The first line of the instruction (1-based).
    pub line: usize,
    /// Its last line.
    pub end_line: usize,
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line,
            end_line: line,
            message: message.into(),
        }
    }
}

impl Classify for ParseError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidArgument
    }
}

/// One instruction and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub line: usize,
    pub end_line: usize,
    /// The logical line as written (continuations joined), without heredoc bodies.
    pub original: String,
    pub instruction: Instruction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub directives: Directives,
    pub steps: Vec<Step>,
    pub warnings: Vec<Warning>,
}

/// Parses a whole Dockerfile. Every instruction is read and checked: an unknown instruction,
/// a bad flag or form, or anything but ARG before the first FROM is refused with its line.
pub fn parse(bytes: &[u8]) -> Result<Dockerfile, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        ParseError::new(line, "invalid UTF-8")
    })?;
    let mut directives = Directives::default();
    let mut warnings = Vec::new();
    let nodes = lexer::nodes(text, &mut directives, &mut warnings)?;
    if nodes.is_empty() {
        let lines = text.lines().count();
        return Err(ParseError::new(lines, "file with no instructions"));
    }
    let mut steps = Vec::with_capacity(nodes.len());
    let mut seen_from = false;
    for node in &nodes {
        let instruction =
            instructions::instruction(node, directives.escape).map_err(|m| ParseError {
                line: node.start_line,
                end_line: node.end_line,
                message: m,
            })?;
        match &instruction {
            Instruction::From(_) => seen_from = true,
            Instruction::Arg(_) => {}
            _ if !seen_from => {
                return Err(ParseError {
                    line: node.start_line,
                    end_line: node.end_line,
                    message: "no build stage in current context".into(),
                });
            }
            Instruction::Maintainer(_) => warnings.push(Warning {
                line: node.start_line,
                message: "MAINTAINER instruction is deprecated in favor of using label".into(),
            }),
            _ => {}
        }
        steps.push(Step {
            line: node.start_line,
            end_line: node.end_line,
            original: node.original.clone(),
            instruction,
        });
    }
    Ok(Dockerfile {
        directives,
        steps,
        warnings,
    })
}

/// Reads one instruction line outside a Dockerfile: an ONBUILD trigger of a base image, or
/// a `commit --change`.
pub fn parse_line(line: &str, escape: char) -> Result<Instruction, String> {
    let (keyword, flags, rest) = lexer::split_command(line)?;
    if keyword.is_empty() {
        return Err("empty instruction".into());
    }
    let node = lexer::RawNode {
        start_line: 1,
        end_line: 1,
        keyword,
        flags,
        rest,
        original: line.to_string(),
        heredocs: Vec::new(),
    };
    instructions::instruction(&node, escape)
}

#[cfg(test)]
mod tests;
