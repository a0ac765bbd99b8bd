//! Signal names and numbers as Docker accepts them (`--stop-signal`, the image's `StopSignal`,
//! `kill -s`): `SIGTERM`, `term`, `15`, `RTMIN+3`, `SIGRTMAX-1`.

use super::SpecError;

/// The classic signals by name (without `SIG`), Linux numbering.
const NAMES: [(&str, i32); 33] = [
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("IOT", libc::SIGIOT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("POLL", libc::SIGPOLL),
    ("PWR", libc::SIGPWR),
];

/// Real-time signals as Docker numbers them on Linux (glibc's SIGRTMIN is 34).
const RTMIN: i32 = 34;
const RTMAX: i32 = 64;

/// Parses a signal the way Docker does: a number (1-64), or a name with or without `SIG`, in any
/// case, including `RTMIN+n`/`RTMAX-n`.
pub fn parse_signal(raw: &str) -> Result<i32, SpecError> {
    let bad = || SpecError::InvalidSignal(raw.to_string());
    let s = raw.trim();
    if let Ok(n) = s.parse::<i64>() {
        return if (1..=RTMAX as i64).contains(&n) {
            Ok(n as i32)
        } else {
            Err(bad())
        };
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    if name == "SYS" || name == "UNUSED" {
        return Ok(libc::SIGSYS);
    }
    if let Some(&(_, n)) = NAMES.iter().find(|(n, _)| *n == name) {
        return Ok(n);
    }
    let offset = |rest: &str| -> Option<i32> {
        if rest.is_empty() {
            return Some(0);
        }
        let n: i32 = rest.parse().ok()?;
        (1..=RTMAX - RTMIN).contains(&n).then_some(n)
    };
    if let Some(rest) = name.strip_prefix("RTMIN") {
        let rest = if rest.is_empty() {
            ""
        } else {
            rest.strip_prefix('+').ok_or_else(bad)?
        };
        return offset(rest).map(|o| RTMIN + o).ok_or_else(bad);
    }
    if let Some(rest) = name.strip_prefix("RTMAX") {
        let rest = if rest.is_empty() {
            ""
        } else {
            rest.strip_prefix('-').ok_or_else(bad)?
        };
        return offset(rest).map(|o| RTMAX - o).ok_or_else(bad);
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_realtime() {
        for s in ["SIGTERM", "TERM", "term", "sigterm", "15"] {
            assert_eq!(parse_signal(s).unwrap(), 15, "{s}");
        }
        assert_eq!(parse_signal("SIGKILL").unwrap(), 9);
        assert_eq!(parse_signal("SIGWINCH").unwrap(), 28);
        assert_eq!(parse_signal("RTMIN").unwrap(), 34);
        assert_eq!(parse_signal("SIGRTMIN+3").unwrap(), 37);
        assert_eq!(parse_signal("RTMAX-1").unwrap(), 63);
        assert_eq!(parse_signal("64").unwrap(), 64);
    }

    #[test]
    fn invalid_signals() {
        for s in [
            "0", "65", "-1", "SIGFOO", "RTMIN+31", "RTMIN-1", "", "TERM2",
        ] {
            let e = parse_signal(s).unwrap_err();
            assert_eq!(e.to_string(), format!("invalid signal: {s}"));
        }
    }
}
