//! Registry authentication: anonymous, HTTP Basic and bearer-token flows with right, wrong and
//! missing credentials; `login` / `logout` and Docker's config.json.

mod common;

use common::{Berth, tb};

fn write_config(b: &Berth, registry: &str, user: &str, pass: &str) {
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    std::fs::create_dir_all(&b.docker_config).unwrap();
    std::fs::write(
        b.docker_config.join("config.json"),
        format!(r#"{{"auths":{{"{registry}":{{"auth":"{auth}"}}}}}}"#),
    )
    .unwrap();
}

fn check_flow(registry_key: &str, user_key: &str, pass_key: &str) {
    let b = Berth::new();
    let reg = tb(registry_key);
    let img = format!("{reg}/busybox:latest");
    // Missing credentials.
    b.run(&["pull", &img]).fails_with("pull access denied");
    // Wrong credentials in config.json.
    write_config(&b, &reg, &tb(user_key), "wrong");
    b.run(&["pull", &img]).fails_with("pull access denied");
    assert!(b.image_ids().is_empty());
    // login refuses wrong credentials and stores nothing.
    std::fs::remove_file(b.docker_config.join("config.json")).unwrap();
    b.run_stdin(
        &["login", "-u", &tb(user_key), "--password-stdin", &reg],
        "wrong\n",
    )
    .fails_with("incorrect username or password");
    assert!(!b.docker_config.join("config.json").exists());
    // Right credentials through login.
    let out = b
        .run_stdin(
            &["login", "-u", &tb(user_key), "--password-stdin", &reg],
            &format!("{}\n", tb(pass_key)),
        )
        .ok();
    assert_eq!(out.stdout.trim(), "Login Succeeded");
    let cfg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.docker_config.join("config.json")).unwrap())
            .unwrap();
    assert!(cfg["auths"][&reg]["auth"].is_string(), "{cfg}");
    b.run(&["pull", &img]).ok();
    assert_eq!(b.image_ids().len(), 1);
    // logout removes them; the next pull is anonymous again and refused.
    let out = b.run(&["logout", &reg]).ok();
    assert_eq!(
        out.stdout.trim(),
        format!("Removing login credentials for {reg}")
    );
    assert_eq!(
        b.run(&["logout", &reg]).ok().stdout.trim(),
        format!("Not logged in to {reg}")
    );
    b.run(&["pull", &img]).fails_with("pull access denied");
}

#[test]
fn basic_auth_registry() {
    check_flow("REGISTRY_BASIC", "BASIC_USER", "BASIC_PASS");
}

#[test]
fn bearer_token_registry() {
    check_flow("REGISTRY_TOKEN", "TOKEN_USER", "TOKEN_PASS");
}

#[test]
fn anonymous_registry_needs_no_credentials() {
    let b = Berth::new();
    let out = b
        .run_stdin(
            &["login", "-u", "anyone", "--password-stdin", &tb("REGISTRY")],
            "x\n",
        )
        .ok();
    assert_eq!(out.stdout.trim(), "Login Succeeded");
    b.run(&["pull", &format!("{}/busybox", tb("REGISTRY"))])
        .ok();
}

#[test]
fn login_without_a_username_on_a_pipe_is_refused() {
    let b = Berth::new();
    b.run_stdin(&["login", "--password-stdin", &tb("REGISTRY_BASIC")], "x\n")
        .fails_with("username is required");
}
