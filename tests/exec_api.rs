//! The engine's `exec` with streams that are not this process's fds: `Engine::container_exec`
//! with in-memory stdin/stdout/stderr, and `Controls` that resize the process's pty (seen by
//! `stty size`) and signal it, as the Engine API server will use it with a hijacked
//! connection.
//!
//! Without libtest's harness (Cargo.toml: `harness = false`): the runtime clones the calling
//! process, which must have a single thread, and the exec relay reaps its child through
//! SIGCHLD, which no other thread may take. The test bed starts a thread (the reaper of
//! monitors), so `main` makes the container with the CLI and runs each case in a fresh
//! process of this binary, whose own stdio are pipes: its stdin holds text that must not reach
//! the exec'd process, and its stdout and stderr must stay empty.

mod common;

use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use berth::containers::exec::ExecOptions;
use berth::engine::{Attach, Engine};
use berth::monitor::client::{AttachIo, Controls};
use common::{Berth, assert_no_leftovers, busybox};

/// Set in a case's process: the case to run (its arguments: root, run root, container).
const CASE_ENV: &str = "BERTH_EXEC_API_CASE";
/// The cases: name, and what runs in its process (given the engine and the container).
type Case = (&'static str, fn(&Engine, &str));
const CASES: &[Case] = &[
    ("in_memory_streams", in_memory_streams),
    ("a_failed_stream_is_closed", a_failed_stream_is_closed),
    ("controls_signal", controls_signal),
    ("controls_resize_a_tty", controls_resize_a_tty),
    (
        "a_tty_has_its_size_before_the_process_runs",
        a_tty_has_its_size_before_the_process_runs,
    ),
];

fn main() {
    if let Ok(case) = std::env::var(CASE_ENV) {
        let a: Vec<String> = std::env::args().skip(1).collect();
        let engine = Engine::new(Path::new(&a[0]), Path::new(&a[1]));
        let (_, run) = CASES
            .iter()
            .find(|(n, _)| *n == case)
            .expect("a known case");
        run(&engine, &a[2]);
        return;
    }
    // The few libtest options that matter here: a name filter, --list, --ignored.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = |c: &str| format!("exec_api::{c}");
    if args.iter().any(|a| a == "--list") {
        for (c, _) in CASES {
            println!("{}: test", name(c));
        }
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let cases: Vec<&str> = CASES
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| filters.is_empty() || filters.iter().any(|f| name(c).contains(f.as_str())))
        .collect();
    if cases.is_empty() || args.iter().any(|a| a == "--ignored") {
        return;
    }
    let b = Berth::new();
    let img = busybox(&b);
    let id = b
        .run(&["run", "-d", "--name", "api", &img, "sleep", "300"])
        .ok()
        .stdout
        .trim()
        .to_string();
    for c in &cases {
        eprintln!("test {} ...", name(c));
        run_case(&b, c);
        eprintln!("test {} ... ok", name(c));
    }
    b.run(&["rm", "-f", "api"]).ok();
    assert_no_leftovers(&b, &[id]);
    eprintln!("exec_api: {} passed", cases.len());
}

/// Runs `case` in a process of its own; fails if it fails, takes more than a minute, or
/// writes anything to its own stdout or stderr.
fn run_case(b: &Berth, case: &str) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CASE_ENV, case)
        .arg(b.root())
        .arg(b.runroot())
        .arg("api")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the case");
    let pid = child.id() as i32;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from the process's own fd 0\n")
        .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let out = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
            panic!("{case}: did not finish within 60 s");
        }
    };
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "{case}: {}\n{stderr}{stdout}",
        out.status
    );
    assert!(
        stdout.is_empty() && stderr.is_empty(),
        "{case}: the exec wrote to this process's own fds: {stdout:?} {stderr:?}"
    );
}

/// An in-memory output stream.
#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Buf {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Buf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An output stream that calls `on_output` with everything written so far, after each write.
struct Watch<F: FnMut(&str) + Send> {
    buf: Buf,
    on_output: F,
}

impl<F: FnMut(&str) + Send> Write for Watch<F> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.write_all(data)?;
        (self.on_output)(&self.buf.text());
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Input that arrives when the test sends it (EOF once every sender is gone).
struct Feed(mpsc::Receiver<Vec<u8>>, Vec<u8>);

impl Read for Feed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.1.is_empty() {
            match self.0.recv() {
                Ok(v) => self.1 = v,
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.1.len());
        buf[..n].copy_from_slice(&self.1[..n]);
        self.1.drain(..n);
        Ok(n)
    }
}

fn sh(script: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), script.into()]
}

/// stdin, stdout and stderr are buffers: input until EOF, both outputs apart, the exit code;
/// the calling thread's signal mask is as it was.
fn in_memory_streams(engine: &Engine, name: &str) {
    use nix::sys::signal::{SigSet, Signal};
    let (out, err) = (Buf::default(), Buf::default());
    let attached = Arc::new(Mutex::new(None));
    let seen = attached.clone();
    let io = AttachIo {
        stdin: Some(Box::new(io::Cursor::new(b"line one\nline two\n".to_vec()))),
        stdout: Box::new(out.clone()),
        stderr: Box::new(err.clone()),
        on_attached: Some(Box::new(move |c: Controls| {
            *seen.lock().unwrap() = Some((c.tty, c.stdin));
        })),
    };
    let o = ExecOptions {
        args: sh("cat; echo to stderr >&2; exit 3"),
        interactive: true,
        ..Default::default()
    };
    let code = engine
        .container_exec(name, o, Attach::Streams(io))
        .expect("exec");
    assert_eq!(code, 3, "{} {}", out.text(), err.text());
    assert_eq!(out.text(), "line one\nline two\n");
    assert_eq!(err.text(), "to stderr\n");
    assert_eq!(*attached.lock().unwrap(), Some((false, true)));
    let mask = SigSet::thread_get_mask().unwrap();
    assert!(!mask.contains(Signal::SIGCHLD), "SIGCHLD left blocked");
}

/// A stream whose writes fail (its reader is gone) is closed: the process gets EPIPE/SIGPIPE
/// as in a shell pipeline, and the other stream goes on.
fn a_failed_stream_is_closed(engine: &Engine, name: &str) {
    struct Gone;
    impl Write for Gone {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let err = Buf::default();
    let io = AttachIo {
        stdin: None,
        stdout: Box::new(Gone),
        stderr: Box::new(err.clone()),
        on_attached: None,
    };
    let o = ExecOptions {
        args: sh("yes; echo yes ended with $? >&2"),
        ..Default::default()
    };
    let code = engine
        .container_exec(name, o, Attach::Streams(io))
        .expect("exec");
    assert_eq!(code, 0, "{}", err.text());
    assert_eq!(err.text(), "yes ended with 141\n");
}

/// A signal sent through `Controls` reaches the process (its trap runs and sets the code).
fn controls_signal(engine: &Engine, name: &str) {
    let controls: Arc<Mutex<Option<Controls>>> = Arc::default();
    let slot = controls.clone();
    let mut sent = false;
    let out = Buf::default();
    let watch = Watch {
        buf: out.clone(),
        on_output: move |text: &str| {
            if !sent && text.contains("ready\n") {
                sent = true;
                let c = controls.lock().unwrap();
                c.as_ref().unwrap().signal(libc::SIGTERM).unwrap();
            }
        },
    };
    let io = AttachIo {
        stdin: None,
        stdout: Box::new(watch),
        stderr: Box::new(io::sink()),
        on_attached: Some(Box::new(move |c: Controls| {
            *slot.lock().unwrap() = Some(c);
        })),
    };
    let o = ExecOptions {
        args: sh("trap 'echo got TERM; exit 9' TERM; echo ready; while :; do sleep 0.1; done"),
        ..Default::default()
    };
    let code = engine
        .container_exec(name, o, Attach::Streams(io))
        .expect("exec");
    assert_eq!(code, 9, "{}", out.text());
    assert_eq!(out.text(), "ready\ngot TERM\n");
}

/// With a tty: the size sent through `Controls` when attached is the pty's before the first
/// input arrives, and a resize later is seen by the next `stty size`.
fn controls_resize_a_tty(engine: &Engine, name: &str) {
    let (feed, input) = mpsc::channel::<Vec<u8>>();
    feed.send(b"stty size\n".to_vec()).unwrap();
    let controls: Arc<Mutex<Option<Controls>>> = Arc::default();
    let slot = controls.clone();
    let mut resized = false;
    let out = Buf::default();
    let watch = Watch {
        buf: out.clone(),
        on_output: move |text: &str| {
            if !resized && text.contains("33 111\r\n") {
                resized = true;
                let c = controls.lock().unwrap();
                c.as_ref().unwrap().resize(44, 122).unwrap();
                feed.send(b"stty size; exit 4\n".to_vec()).unwrap();
            }
        },
    };
    let io = AttachIo {
        stdin: Some(Box::new(Feed(input, Vec::new()))),
        stdout: Box::new(watch),
        stderr: Box::new(io::sink()),
        on_attached: Some(Box::new(move |c: Controls| {
            assert!(c.tty && c.stdin);
            c.resize(33, 111).unwrap();
            *slot.lock().unwrap() = Some(c);
        })),
    };
    let o = ExecOptions {
        args: vec!["sh".into()],
        interactive: true,
        tty: true,
        ..Default::default()
    };
    let code = engine
        .container_exec(name, o, Attach::Streams(io))
        .expect("exec");
    let text = out.text();
    assert_eq!(code, 4, "{text:?}");
    let first = text.find("33 111\r\n").expect("the first size");
    let second = text.find("44 122\r\n").expect("the size after the resize");
    assert!(first < second, "{text:?}");
}

/// The size given with the options is the pty's when the process starts: a command that reads
/// it at once (no input, no `Controls`) sees it, every time.
fn a_tty_has_its_size_before_the_process_runs(engine: &Engine, name: &str) {
    for _ in 0..5 {
        let out = Buf::default();
        let io = AttachIo {
            stdin: None,
            stdout: Box::new(out.clone()),
            stderr: Box::new(io::sink()),
            on_attached: None,
        };
        let o = ExecOptions {
            args: sh("stty size"),
            tty: true,
            console_size: Some((27, 93)),
            ..Default::default()
        };
        let code = engine
            .container_exec(name, o, Attach::Streams(io))
            .expect("exec");
        assert_eq!((code, out.text()), (0, "27 93\r\n".to_string()));
    }
}
