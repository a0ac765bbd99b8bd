//! How a failure is classified, the way Docker classifies it: the CLI's exit code and the
//! Engine API's HTTP status both come from an error's [`ErrorKind`]. Every error type of the
//! core says its kind through [`Classify`]; front ends never guess it from a message. A leaf:
//! it imports nothing of berth.

/// The exit code of a failure of berth itself (bad flags, a missing image, a registry error),
/// as `docker run` uses it. The only place the number is written.
pub const EXIT_BERTH: i32 = 125;
/// The exit code of a container command that exists but cannot be executed.
pub const EXIT_CANNOT_EXECUTE: i32 = 126;
/// The exit code of a container command that does not exist.
pub const EXIT_NOT_FOUND: i32 = 127;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input: a flag, a name, a reference, a request body (HTTP 400).
    InvalidArgument,
    /// No such container, image, network or volume (404).
    NotFound,
    /// A name in use, a running container, an image or volume in use (409).
    Conflict,
    /// Nothing to do: already started, already stopped (304).
    NotModified,
    /// The container's command exists but cannot be executed (exit 126).
    CannotExecute,
    /// The container's command does not exist (exit 127).
    CommandNotFound,
    /// The feature is not available here (501).
    NotImplemented,
    /// Anything else: berth's own failure, the kernel's, a registry's (500).
    Internal,
}

impl ErrorKind {
    /// The CLI's exit code: 126 and 127 for a command that cannot run, 125 for the rest.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::CannotExecute => EXIT_CANNOT_EXECUTE,
            ErrorKind::CommandNotFound => EXIT_NOT_FOUND,
            _ => EXIT_BERTH,
        }
    }

    /// The kind of a failure that crossed a process boundary as an exit code (the monitor's
    /// and the exec helper's reports).
    pub fn from_exit_code(code: i32) -> ErrorKind {
        match code {
            EXIT_CANNOT_EXECUTE => ErrorKind::CannotExecute,
            EXIT_NOT_FOUND => ErrorKind::CommandNotFound,
            _ => ErrorKind::Internal,
        }
    }

    /// The Engine API's HTTP status.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidArgument => 400,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::NotModified => 304,
            ErrorKind::NotImplemented => 501,
            ErrorKind::CannotExecute | ErrorKind::CommandNotFound | ErrorKind::Internal => 500,
        }
    }
}

/// An error that knows its [`ErrorKind`].
pub trait Classify {
    fn kind(&self) -> ErrorKind;
}

/// An error and its causes on one line, without repeating a cause already in the message.
pub fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cause = c.source();
    }
    s.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_round_trip_and_default_to_berths_own() {
        for k in [ErrorKind::CannotExecute, ErrorKind::CommandNotFound] {
            assert_eq!(ErrorKind::from_exit_code(k.exit_code()), k);
        }
        assert_eq!(ErrorKind::NotFound.exit_code(), EXIT_BERTH);
        assert_eq!(ErrorKind::from_exit_code(1), ErrorKind::Internal);
        assert_eq!(ErrorKind::Conflict.http_status(), 409);
    }
}
