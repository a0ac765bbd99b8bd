//! Questions on the terminal (`prune` without `-f`).

use std::io::Write;

/// Asks on the terminal; without a terminal (or an answer) the answer is no.
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
