//! `login` and `logout`.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use clap::Args;

use crate::reference::DEFAULT_REGISTRY;
use crate::registry::auth::{self, Credentials};
use crate::registry::config::{RegistriesConfig, default_path};
use crate::registry::login;

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Registry host (default: Docker Hub)
    pub server: Option<String>,
    /// Username
    #[arg(short, long)]
    pub username: Option<String>,
    /// Password (prefer --password-stdin)
    #[arg(short, long)]
    pub password: Option<String>,
    /// Read the password from stdin
    #[arg(long)]
    pub password_stdin: bool,
    /// Require HTTPS and verify certificates
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub tls_verify: Option<bool>,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Registry host (default: Docker Hub)
    pub server: Option<String>,
}

/// `https://host:port/v1/` or `host:port` → `host:port`; Docker Hub's spellings → `docker.io`.
fn registry_host(server: Option<&str>) -> String {
    let s = server.unwrap_or(DEFAULT_REGISTRY);
    let s = s
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let s = s.split('/').next().unwrap_or(s);
    match s {
        "index.docker.io" | "registry-1.docker.io" => DEFAULT_REGISTRY.to_string(),
        other => other.to_string(),
    }
}

fn prompt(label: &str) -> anyhow::Result<String> {
    print!("{label}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Reads a password from the terminal without echo.
fn prompt_password() -> anyhow::Result<String> {
    use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    let old = tcgetattr(&stdin).context("reading terminal settings")?;
    let mut quiet = old.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    tcsetattr(&stdin, SetArg::TCSANOW, &quiet).context("disabling echo")?;
    let r = prompt("Password: ");
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &old);
    println!();
    r
}

pub fn login(a: LoginArgs) -> anyhow::Result<i32> {
    let registry = registry_host(a.server.as_deref());
    if a.password.is_some() && a.password_stdin {
        bail!("--password and --password-stdin are mutually exclusive");
    }
    let tty = std::io::stdin().is_terminal();
    let username = match a.username {
        Some(u) => u,
        None if tty && !a.password_stdin => prompt("Username: ")?,
        None => {
            bail!("login to {registry}: a username is required (-u) when stdin is not a terminal")
        }
    };
    if username.is_empty() {
        bail!("login to {registry}: the username is empty");
    }
    let password = if a.password_stdin {
        let mut s = String::new();
        std::io::stdin().lock().read_line(&mut s)?;
        s.trim_end_matches(['\n', '\r']).to_string()
    } else {
        match a.password {
            Some(p) => {
                eprintln!(
                    "WARNING! Using --password via the CLI is insecure. Use --password-stdin."
                );
                p
            }
            None if tty => prompt_password()?,
            None => bail!("login to {registry}: a password is required (-p or --password-stdin)"),
        }
    };
    if password.is_empty() {
        bail!("login to {registry}: the password is empty");
    }
    let creds = Credentials { username, password };
    let config = RegistriesConfig::load(&default_path())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(login::verify(&registry, &creds, a.tls_verify, &config))?;
    let path = auth::config_path();
    auth::store(&path, &registry, &creds)?;
    println!("Login Succeeded");
    Ok(0)
}

pub fn logout(a: LogoutArgs) -> anyhow::Result<i32> {
    let registry = registry_host(a.server.as_deref());
    let shown = auth::server_key(&registry);
    if auth::remove(&auth::config_path(), &registry)? {
        println!("Removing login credentials for {shown}");
    } else {
        println!("Not logged in to {shown}");
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_spellings() {
        assert_eq!(registry_host(None), "docker.io");
        assert_eq!(
            registry_host(Some("https://index.docker.io/v1/")),
            "docker.io"
        );
        assert_eq!(registry_host(Some("127.0.0.1:5601")), "127.0.0.1:5601");
        assert_eq!(
            registry_host(Some("http://r.example:5000/")),
            "r.example:5000"
        );
    }
}
