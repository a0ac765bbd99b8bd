//! Registry credentials: `login` checks them against the registry and stores them in Docker's
//! config.json; `logout` removes them.

use super::{Engine, Error, Result};
use crate::registry::auth::{self, Credentials};
use crate::registry::config::{RegistriesConfig, default_path};
use crate::registry::login::{self, LoginError};

#[derive(Debug, Clone, Default)]
pub struct LoginOptions {
    /// The registry host as the user wrote it (Docker Hub when `None`).
    pub server: Option<String>,
    pub username: String,
    pub password: String,
    /// Require HTTPS and verified certificates (`Some(false)`: allow plain HTTP and any
    /// certificate); the registry configuration decides when `None`.
    pub tls_verify: Option<bool>,
}

/// Whose credentials `logout` was asked to remove, and whether there were any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedOut {
    /// The registry's key in config.json (`https://index.docker.io/v1/` for Docker Hub).
    pub server: String,
    pub removed: bool,
}

/// Refuses an empty username (a front end that asks for the password checks this first).
pub fn check_username(registry: &str, username: &str) -> Result<()> {
    if username.is_empty() {
        return Err(Error::invalid(format!(
            "login to {registry}: the username is empty"
        )));
    }
    Ok(())
}

impl Engine {
    /// Verifies the credentials against the registry (`GET /v2/` and its challenge, as Docker
    /// does), then stores them.
    pub fn login(&self, opts: LoginOptions) -> Result<()> {
        let (registry, creds) = self.login_check(opts)?;
        auth::store(&auth::config_path(), &registry, &creds).map_err(LoginError::from)?;
        Ok(())
    }

    /// Verifies the credentials against the registry without storing them (the Engine API's
    /// `POST /auth`: the client keeps them). Returns the registry host and the credentials.
    pub fn login_check(&self, opts: LoginOptions) -> Result<(String, Credentials)> {
        let registry = login::registry_host(opts.server.as_deref());
        check_username(&registry, &opts.username)?;
        if opts.password.is_empty() {
            return Err(Error::invalid(format!(
                "login to {registry}: the password is empty"
            )));
        }
        let creds = Credentials {
            username: opts.username,
            password: opts.password,
        };
        let config = RegistriesConfig::load(&default_path())?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::io("starting the async runtime"))?;
        rt.block_on(login::verify(&registry, &creds, opts.tls_verify, &config))?;
        Ok((registry, creds))
    }

    /// Removes the stored credentials of `server` (Docker Hub when `None`).
    pub fn logout(&self, server: Option<&str>) -> Result<LoggedOut> {
        let registry = login::registry_host(server);
        let removed = auth::remove(&auth::config_path(), &registry).map_err(LoginError::from)?;
        Ok(LoggedOut {
            server: auth::server_key(&registry),
            removed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_credentials_are_refused_before_any_request() {
        let e = check_username("r:1", "").unwrap_err();
        assert_eq!(e.to_string(), "login to r:1: the username is empty");
        assert!(check_username("r:1", "u").is_ok());
        let engine = Engine::new("/nonexistent".as_ref(), "/nonexistent".as_ref());
        let e = engine
            .login(LoginOptions {
                server: Some("https://r.example:5000/v1/".into()),
                username: "u".into(),
                password: String::new(),
                tls_verify: None,
            })
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "login to r.example:5000: the password is empty"
        );
        assert!(matches!(e, Error::InvalidArgument(_)));
    }
}
