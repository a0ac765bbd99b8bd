//! `login` and `logout`.

use std::io::IsTerminal;

use anyhow::bail;
use clap::Args;

use super::{GlobalOpts, prompt};
use crate::engine::auth::{LoginOptions, check_username};
use crate::registry::login::registry_host;

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

pub fn login(g: &GlobalOpts, a: LoginArgs) -> anyhow::Result<i32> {
    let registry = registry_host(a.server.as_deref());
    if a.password.is_some() && a.password_stdin {
        bail!("--password and --password-stdin are mutually exclusive");
    }
    let tty = std::io::stdin().is_terminal();
    let username = match a.username {
        Some(u) => u,
        None if tty && !a.password_stdin => prompt::line("Username: ")?,
        None => {
            bail!("login to {registry}: a username is required (-u) when stdin is not a terminal")
        }
    };
    check_username(&registry, &username)?;
    let password = if a.password_stdin {
        prompt::read_line()?
    } else {
        match a.password {
            Some(p) => {
                eprintln!(
                    "WARNING! Using --password via the CLI is insecure. Use --password-stdin."
                );
                p
            }
            None if tty => prompt::password()?,
            None => bail!("login to {registry}: a password is required (-p or --password-stdin)"),
        }
    };
    g.engine().login(LoginOptions {
        server: a.server,
        username,
        password,
        tls_verify: a.tls_verify,
    })?;
    println!("Login Succeeded");
    Ok(0)
}

pub fn logout(g: &GlobalOpts, a: LogoutArgs) -> anyhow::Result<i32> {
    let out = g.engine().logout(a.server.as_deref())?;
    if out.removed {
        println!("Removing login credentials for {}", out.server);
    } else {
        println!("Not logged in to {}", out.server);
    }
    Ok(0)
}
