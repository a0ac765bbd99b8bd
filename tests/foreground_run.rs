//! A foreground `run`, attached to the CLI: on a real pseudo-terminal (raw mode, echo, resizes,
//! ^C, the exit code, with and without --init), and the CLI killed or signalled (SIGKILL leaves
//! the container running to completion; SIGTERM and SIGINT are forwarded, unless
//! --sig-proxy=false).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Berth, PtyRun, busybox, inspect, is_running, status_of, wait_child, wait_until};

fn interactive_shell_on_a_pty(init: bool) {
    let b = Berth::new();
    let img = busybox(&b);
    let mut args = vec!["run", "-it", "--rm"];
    if init {
        args.push("--init");
    }
    args.extend([img.as_str(), "sh"]);
    let mut p = PtyRun::spawn(b.command(), &args, 33, 101);
    let mut at = p.expect(0, "# ");
    // The CLI put our terminal in raw mode: what shows up is the container terminal's echo.
    assert!(!p.echoes(), "outer terminal is raw");
    p.type_text("tty\r");
    at = p.expect(at, "tty\r\n");
    at = p.expect(at, "/dev/pts/0\r\n");
    p.type_text("stty size\r");
    at = p.expect(at, "33 101\r\n");
    // A resize of our terminal reaches the container (SIGWINCH → the CLI → the monitor).
    p.resize(40, 120);
    wait_until(10, "the new size in the container", || {
        p.type_text("stty size\r");
        at = p.expect(at, "stty size\r\n");
        let size_at = at;
        at = p.expect(at, "# ");
        p.output()[size_at..at].contains("40 120\r\n")
    });
    p.type_text("echo typed-$((40+2))\r");
    at = p.expect(at, "echo typed-$((40+2))\r\n");
    at = p.expect(at, "typed-42\r\n");
    // ^C interrupts the foreground command (the terminal's foreground group is the shell's,
    // behind --init too), and the shell goes on.
    // A duration unique to this test, to see from here when the shell has started it.
    let secs = format!("{}{}", 100_000 + std::process::id(), u8::from(init));
    p.type_text(&format!("sleep {secs}\r"));
    at = p.expect(at, &format!("sleep {secs}\r\n"));
    wait_until(10, "the foreground sleep", || {
        common::process_running(&format!("sleep\x00{secs}\x00"))
    });
    p.type_text("\x03");
    at = p.expect(at, "^C");
    p.type_text("echo after-$((6*7))\r");
    p.expect(at, "after-42\r\n");
    p.type_text("exit 3\r");
    assert_eq!(wait_child(&mut p.child, 20), 3, "{}", p.output());
    assert!(p.echoes(), "terminal mode restored on exit");
    assert!(b.run(&["ps", "-aq"]).ok().stdout.is_empty());
}

#[test]
fn run_it_on_a_real_pty_echoes_resizes_and_returns_the_exit_code() {
    interactive_shell_on_a_pty(false);
}

#[test]
fn run_it_with_init_on_a_real_pty() {
    interactive_shell_on_a_pty(true);
}

// ---------------------------------------------------------------------------------------------
// The CLI killed or signalled during a foreground run

#[test]
fn sigkill_of_the_cli_leaves_the_container_running_to_completion() {
    let b = Berth::new();
    let img = busybox(&b);
    let mut cli = b
        .command()
        .args([
            "run",
            "--name",
            "survivor",
            &img,
            "sh",
            "-c",
            "sleep 2; echo done",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(30, "the container to run", || is_running(&b, "survivor"));
    cli.kill().unwrap(); // SIGKILL
    assert_eq!(wait_child(&mut cli, 5), -libc::SIGKILL);
    assert!(
        status_of(&b, "survivor").starts_with("Up "),
        "still running"
    );
    wait_until(15, "the container to finish", || {
        status_of(&b, "survivor").starts_with("Exited (0)")
    });
    let logs = b.run(&["logs", "survivor"]).ok();
    assert_eq!(logs.stdout, "done\n");
    b.run(&["rm", "survivor"]).ok();
}

/// Starts a foreground `run` of `script` (which prints `ready` when it is), waits until it is
/// ready, sends `sig` to the CLI and returns the CLI's exit code.
fn signal_foreground_run(
    b: &Berth,
    img: &str,
    name: &str,
    script: &str,
    sig: nix::sys::signal::Signal,
) -> i32 {
    let mut cli = b
        .command()
        .args(["run", "--name", name, img, "sh", "-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_ready(b, name, &mut cli);
    signal(&cli, sig);
    wait_child(&mut cli, 10)
}

/// Waits until the container of the foreground `run` in `cli` has printed `ready` (after
/// installing its traps): the CLI then relays its output, so it forwards signals too.
#[track_caller]
fn wait_for_ready(b: &Berth, name: &str, cli: &mut Child) {
    let stdout = cli.stdout.take().expect("the CLI's stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Reads to the end, so that the CLI never blocks on a full pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) if line == "ready" => return,
            Ok(_) => {}
            Err(_) if Instant::now() < deadline && cli.try_wait().unwrap().is_none() => {}
            Err(_) => {
                let _ = cli.kill();
                let status = cli.wait().unwrap();
                let mut stderr = String::new();
                if let Some(mut e) = cli.stderr.take() {
                    let _ = e.read_to_string(&mut stderr);
                }
                panic!(
                    "{name} did not get ready: {status:?}\nstderr: {stderr}\nps: {}",
                    b.run(&["ps", "-a"]).stdout
                );
            }
        }
    }
}

/// Sends `sig` to the CLI.
fn signal(cli: &Child, sig: nix::sys::signal::Signal) {
    let pid = nix::unistd::Pid::from_raw(cli.id() as i32);
    nix::sys::signal::kill(pid, sig).expect("signal the CLI");
}

#[test]
fn sigterm_and_sigint_to_a_foreground_run_are_forwarded() {
    use nix::sys::signal::Signal;
    let b = Berth::new();
    let img = busybox(&b);
    let code = signal_foreground_run(
        &b,
        &img,
        "term",
        "trap 'exit 9' TERM; echo ready; sleep 100 & wait",
        Signal::SIGTERM,
    );
    assert_eq!(code, 9);
    let code = signal_foreground_run(
        &b,
        &img,
        "int",
        "trap 'exit 7' INT; echo ready; sleep 100 & wait",
        Signal::SIGINT,
    );
    assert_eq!(code, 7);
    assert_eq!(inspect(&b, "term")["State"]["ExitCode"], 9);
    // With -i the CLI has a stdin thread too: the signal must still reach the container.
    let mut cli = b
        .command()
        .args([
            "run",
            "-i",
            "--name",
            "interactive",
            &img,
            "sh",
            "-c",
            "trap 'exit 9' TERM; echo ready; sleep 100 & wait",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_ready(&b, "interactive", &mut cli);
    signal(&cli, Signal::SIGTERM);
    assert_eq!(wait_child(&mut cli, 10), 9);
    b.run(&["rm", "interactive"]).ok();
    // --sig-proxy=false: the CLI's own default action (it dies), the container goes on.
    let mut cli = b
        .command()
        .args([
            "run",
            "--sig-proxy=false",
            "--name",
            "noproxy",
            &img,
            "sh",
            "-c",
            "trap 'exit 9' TERM; sleep 2 & wait",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(30, "the container to run", || is_running(&b, "noproxy"));
    signal(&cli, Signal::SIGTERM);
    assert_eq!(wait_child(&mut cli, 5), -libc::SIGTERM);
    assert_eq!(b.run(&["wait", "noproxy"]).ok().stdout.trim(), "0");
    b.run(&["rm", "term", "int", "noproxy"]).ok();
}
