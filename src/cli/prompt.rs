//! Questions on the terminal: confirmations, a line of input, a password without echo.

use std::io::{BufRead, Write};

use anyhow::Context;

/// Asks on the terminal; without a terminal the answer is no.
pub fn confirm(prompt: &str) -> anyhow::Result<bool> {
    print!("{prompt}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    if std::io::stdin().read_line(&mut line)? == 0 {
        println!();
        return Ok(false);
    }
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// Prints `label` and reads one line from stdin, without its line end.
pub fn line(label: &str) -> anyhow::Result<String> {
    print!("{label}");
    std::io::stdout().flush()?;
    read_line()
}

/// Reads one line from stdin, without its line end.
pub fn read_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Reads a password from the terminal without echo.
pub fn password() -> anyhow::Result<String> {
    use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    let old = tcgetattr(&stdin).context("reading terminal settings")?;
    let mut quiet = old.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    tcsetattr(&stdin, SetArg::TCSANOW, &quiet).context("disabling echo")?;
    let r = line("Password: ");
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &old);
    println!();
    r
}
