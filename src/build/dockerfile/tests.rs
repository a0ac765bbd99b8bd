//! The parser against Dockerfiles as users write them, and Docker's refusals.

use super::*;
use std::time::Duration;

fn ok(text: &str) -> Dockerfile {
    parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &str) -> ParseError {
    parse(text.as_bytes()).unwrap_err()
}

fn only(text: &str) -> Instruction {
    let d = ok(&format!("FROM scratch\n{text}\n"));
    assert_eq!(d.steps.len(), 2, "{:?}", d.steps);
    d.steps[1].instruction.clone()
}

#[test]
fn a_typical_multi_stage_file() {
    let d = ok(r#"# syntax=docker/dockerfile:1
ARG BASE=debian:bookworm
FROM --platform=$BUILDPLATFORM ${BASE} AS Build
WORKDIR /src
COPY --chown=1000:1000 --link . .
RUN --mount=type=cache,target=/root/.cache \
    --network=none \
    make all
FROM scratch
COPY --from=build /src/out /app
ENTRYPOINT ["/app"]
CMD ["--help"]
"#);
    assert_eq!(d.directives.syntax.as_deref(), Some("docker/dockerfile:1"));
    let kw: Vec<_> = d.steps.iter().map(|s| s.instruction.keyword()).collect();
    assert_eq!(
        kw,
        [
            "ARG",
            "FROM",
            "WORKDIR",
            "COPY",
            "RUN",
            "FROM",
            "COPY",
            "ENTRYPOINT",
            "CMD"
        ]
    );
    let Instruction::From(f) = &d.steps[1].instruction else {
        panic!()
    };
    assert_eq!(f.image, "${BASE}");
    assert_eq!(f.name.as_deref(), Some("build"));
    assert_eq!(f.platform.as_deref(), Some("$BUILDPLATFORM"));
    let Instruction::Run(r) = &d.steps[4].instruction else {
        panic!()
    };
    assert_eq!(r.command, CommandForm::Shell("make all".into()));
    assert_eq!(r.network, Some(NetworkMode::None));
    assert_eq!(r.mounts[0].kind, MountType::Cache);
    assert_eq!((d.steps[4].line, d.steps[4].end_line), (6, 8));
    let Instruction::Copy(c) = &d.steps[6].instruction else {
        panic!()
    };
    assert_eq!(c.from.as_deref(), Some("build"));
    assert_eq!(c.sources, [Source::Path("/src/out".into())]);
    assert_eq!(
        d.steps[7].instruction,
        Instruction::Entrypoint(CommandForm::Exec(vec!["/app".into()]))
    );
}

#[test]
fn keywords_are_case_insensitive() {
    let d = ok("from alpine as B\nrun echo\nWorkDir /x\n");
    assert_eq!(d.steps[2].instruction, Instruction::Workdir("/x".into()));
}

#[test]
fn errors_carry_line_and_dockers_text() {
    let e = err("FROM a\n\nFOO bar\n");
    assert_eq!(
        e.to_string(),
        "dockerfile parse error on line 3: unknown instruction: FOO"
    );
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let cases = [
        (
            "FROM a b\n",
            1,
            "FROM requires either one or three arguments",
        ),
        (
            "FROM a AS 1x\n",
            1,
            "invalid name for build stage: \"1x\", name can't start with a number or contain symbols",
        ),
        ("RUN x\n", 1, "no build stage in current context"),
        ("", 0, "file with no instructions"),
        ("# just a comment\n\n", 2, "file with no instructions"),
        (
            "FROM a\nCOPY x\n",
            2,
            "COPY requires at least two arguments, but only one was provided. Destination could not be determined.",
        ),
        ("FROM a\nENV A\n", 2, "ENV must have two arguments"),
        ("FROM a\nENV\n", 2, "ENV requires at least one argument"),
        (
            "FROM a\nENV a=b c\n",
            2,
            "Syntax error - can't find = in \"c\". Must be of the form: name=value",
        ),
        ("FROM a\nLABEL =x\n", 2, "LABEL names can not be blank"),
        ("FROM a\nARG =x\n", 2, "ARG names can not be blank"),
        ("FROM a\nUSER\n", 2, "USER requires exactly one argument"),
        (
            "FROM a\nWORKDIR\n",
            2,
            "WORKDIR requires exactly one argument",
        ),
        (
            "FROM a\nSHELL sh -c\n",
            2,
            "SHELL requires the arguments to be in JSON form",
        ),
        (
            "FROM a\nSHELL []\n",
            2,
            "SHELL requires at least one argument",
        ),
        (
            "FROM a\nCMD [1, 2]\n",
            2,
            "when using JSON array syntax, arrays must be comprised of strings only",
        ),
        ("FROM a\nCOPY --nope=1 a b\n", 2, "unknown flag: nope"),
        ("FROM a\nENV --x=1 a=b\n", 2, "unknown flag: x"),
        (
            "FROM a\nRUN --network=bridge x\n",
            2,
            "unsupported network mode \"bridge\"",
        ),
        (
            "FROM a\nRUN --mount=type=nfs,target=/x x\n",
            2,
            "unsupported mount type \"nfs\"",
        ),
        (
            "FROM a\nHEALTHCHECK NONE x\n",
            2,
            "HEALTHCHECK NONE takes no arguments",
        ),
        (
            "FROM a\nHEALTHCHECK FOO x\n",
            2,
            "unknown type \"FOO\" in HEALTHCHECK (try CMD)",
        ),
        (
            "FROM a\nHEALTHCHECK CMD\n",
            2,
            "missing command after HEALTHCHECK CMD",
        ),
        (
            "FROM a\nHEALTHCHECK --retries=-1 CMD x\n",
            2,
            "--retries cannot be negative (-1)",
        ),
        (
            "FROM a\nHEALTHCHECK --interval=1us CMD x\n",
            2,
            "Interval \"interval\" cannot be less than 1ms",
        ),
        (
            "FROM a\nONBUILD ONBUILD RUN x\n",
            2,
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        ),
        (
            "FROM a\nONBUILD FROM x\n",
            2,
            "FROM isn't allowed as an ONBUILD trigger",
        ),
        ("FROM a\nONBUILD BOGUS x\n", 2, "unknown instruction: BOGUS"),
        (
            "FROM a\nVOLUME [\"\"]\n",
            2,
            "VOLUME specified can not be an empty string",
        ),
        (
            "FROM a\nEXPOSE\n",
            2,
            "EXPOSE requires at least one argument",
        ),
        ("FROM a\nRUN\n", 2, "RUN requires at least one argument"),
        (
            "FROM a\nCOPY <<EOF <<EOF\nx\nEOF\ny\nEOF\n",
            2,
            "COPY cannot accept a heredoc as a destination",
        ),
    ];
    for (text, line, message) in cases {
        let e = err(text);
        assert_eq!((e.line, e.message.as_str()), (line, message), "{text:?}");
    }
}

#[test]
fn the_error_of_a_continued_line_names_its_first_line() {
    let e = err("FROM a\nRUN echo \\\n  a \\\n  b\nCOPY \\\n  x\n");
    assert_eq!((e.line, e.end_line), (5, 6));
}

#[test]
fn invalid_utf8_is_refused_with_its_line() {
    let e = parse(b"FROM a\nRUN \xff\n").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (2, "invalid UTF-8"));
}

#[test]
fn crlf_and_bom() {
    let d = ok("\u{feff}FROM a\r\nRUN b \\\r\n c\r\n");
    assert_eq!(
        d.steps[1].instruction,
        Instruction::Run(Run {
            command: CommandForm::Shell("b  c".into()),
            mount_specs: vec![],
            mounts: vec![],
            network: None,
            heredocs: vec![],
        })
    );
}

#[test]
fn env_and_label_forms() {
    assert_eq!(
        only("ENV A hello   world"),
        Instruction::Env(vec![KeyValue {
            key: "A".into(),
            value: "hello   world".into()
        }])
    );
    assert_eq!(
        only(r#"ENV A="a b" B=c\ d C"#.replace(" C", "").as_str()),
        Instruction::Env(vec![
            KeyValue {
                key: "A".into(),
                value: "\"a b\"".into()
            },
            KeyValue {
                key: "B".into(),
                value: "c\\ d".into()
            },
        ])
    );
    assert_eq!(
        only(r#"LABEL "com.example.vendor"="ACME" version=1.0"#),
        Instruction::Label(vec![
            KeyValue {
                key: "\"com.example.vendor\"".into(),
                value: "\"ACME\"".into()
            },
            KeyValue {
                key: "version".into(),
                value: "1.0".into()
            },
        ])
    );
}

#[test]
fn args_with_and_without_defaults() {
    assert_eq!(
        only("ARG A B=2 C=\"x y\""),
        Instruction::Arg(vec![
            ArgDecl {
                name: "A".into(),
                default: None
            },
            ArgDecl {
                name: "B".into(),
                default: Some("2".into())
            },
            ArgDecl {
                name: "C".into(),
                default: Some("\"x y\"".into())
            },
        ])
    );
}

#[test]
fn shell_and_exec_forms() {
    assert_eq!(
        only("CMD echo hi"),
        Instruction::Cmd(CommandForm::Shell("echo hi".into()))
    );
    assert_eq!(only("CMD []"), Instruction::Cmd(CommandForm::Exec(vec![])));
    // Not valid JSON: the shell form, as Docker.
    assert_eq!(
        only("CMD [echo, hi]"),
        Instruction::Cmd(CommandForm::Shell("[echo, hi]".into()))
    );
    assert_eq!(
        only(r#"SHELL ["powershell", "-command"]"#),
        Instruction::Shell(vec!["powershell".into(), "-command".into()])
    );
    assert_eq!(
        only(r#"RUN ["sh", "-c", "echo $HOME"]"#),
        Instruction::Run(Run {
            command: CommandForm::Exec(vec!["sh".into(), "-c".into(), "echo $HOME".into()]),
            mount_specs: vec![],
            mounts: vec![],
            network: None,
            heredocs: vec![],
        })
    );
}

#[test]
fn copy_and_add_flags_and_sources() {
    let Instruction::Copy(c) = only("COPY --from=0 --chmod=755 --link a* [bc] /dst/") else {
        panic!()
    };
    assert_eq!(c.from.as_deref(), Some("0"));
    assert_eq!(c.chmod.as_deref(), Some("755"));
    assert!(c.link);
    assert_eq!(
        c.sources,
        [Source::Path("a*".into()), Source::Path("[bc]".into())]
    );
    assert_eq!(c.dest, "/dst/");
    let Instruction::Copy(c) = only(r#"COPY ["a b", "/c d/"]"#) else {
        panic!()
    };
    assert_eq!(
        (c.sources, c.dest),
        (vec![Source::Path("a b".into())], "/c d/".to_string())
    );
    let Instruction::Add(a) =
        only("ADD --checksum=sha256:abc --keep-git-dir=true https://x/y.tgz /")
    else {
        panic!()
    };
    assert_eq!(a.checksum.as_deref(), Some("sha256:abc"));
    assert!(a.keep_git_dir);
    // Labs-only flags are not part of the stable syntax.
    assert_eq!(
        err("FROM a\nCOPY --parents a b\n").message,
        "unknown flag: parents"
    );
}

#[test]
fn copy_heredocs_become_sources() {
    let d = ok("FROM a\nCOPY <<one.txt <<'two' /dst/\n1 $X\none.txt\n2 $X\ntwo\nRUN true\n");
    let Instruction::Copy(c) = &d.steps[1].instruction else {
        panic!()
    };
    let [Source::Heredoc(one), Source::Heredoc(two)] = c.sources.as_slice() else {
        panic!("{:?}", c.sources)
    };
    assert_eq!(
        (one.name.as_str(), one.content.as_str(), one.expand),
        ("one.txt", "1 $X\n", true)
    );
    assert_eq!(
        (two.name.as_str(), two.content.as_str(), two.expand),
        ("two", "2 $X\n", false)
    );
    assert_eq!(d.steps[2].line, 7);
}

#[test]
fn run_heredocs() {
    let d = ok(
        "FROM a\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nRUN python3 <<PY > /out && cat <<SH\nprint(1)\nPY\necho\nSH\n",
    );
    let Instruction::Run(r) = &d.steps[1].instruction else {
        panic!()
    };
    assert_eq!(r.command, CommandForm::Shell("<<EOF".into()));
    assert_eq!(
        r.heredocs[0].content,
        "apt-get update\napt-get install -y curl\n"
    );
    let Instruction::Run(r) = &d.steps[2].instruction else {
        panic!()
    };
    assert_eq!(r.heredocs.len(), 2);
    assert_eq!(r.heredocs[1].content, "echo\n");
    // The JSON form reads no heredoc: the next line is an instruction.
    let e = err("FROM a\nRUN [\"cat\", \"<<EOF\"]\nEOF\n");
    assert_eq!(
        (e.line, e.message.as_str()),
        (3, "unknown instruction: EOF")
    );
}

#[test]
fn healthcheck_forms() {
    assert_eq!(
        only("HEALTHCHECK NONE"),
        Instruction::Healthcheck(Healthcheck::None)
    );
    assert_eq!(
        only(
            "HEALTHCHECK --interval=5m --timeout=3s --start-period=1s --start-interval=2s --retries=3 CMD curl -f http://localhost/ || exit 1"
        ),
        Instruction::Healthcheck(Healthcheck::Check {
            test: CommandForm::Shell("curl -f http://localhost/ || exit 1".into()),
            interval: Some(Duration::from_secs(300)),
            timeout: Some(Duration::from_secs(3)),
            start_period: Some(Duration::from_secs(1)),
            start_interval: Some(Duration::from_secs(2)),
            retries: Some(3),
        })
    );
    let Instruction::Healthcheck(Healthcheck::Check { test, .. }) =
        only(r#"healthcheck cmd ["true"]"#)
    else {
        panic!()
    };
    assert_eq!(test, CommandForm::Exec(vec!["true".into()]));
}

#[test]
fn onbuild_keeps_its_expression_and_checks_its_trigger() {
    let Instruction::Onbuild(o) = only("ONBUILD COPY --chown=1 . /app") else {
        panic!()
    };
    assert_eq!(o.expression, "COPY --chown=1 . /app");
    let Instruction::Copy(c) = *o.trigger else {
        panic!()
    };
    assert_eq!(c.chown.as_deref(), Some("1"));
}

#[test]
fn the_rest_of_the_instructions() {
    assert_eq!(
        only("EXPOSE 80/tcp  443"),
        Instruction::Expose(vec!["80/tcp".into(), "443".into()])
    );
    assert_eq!(
        only("VOLUME /a /b"),
        Instruction::Volume(vec!["/a".into(), "/b".into()])
    );
    assert_eq!(
        only("VOLUME [\"/a\"]"),
        Instruction::Volume(vec!["/a".into()])
    );
    assert_eq!(only("USER app:app"), Instruction::User("app:app".into()));
    assert_eq!(
        only("STOPSIGNAL SIGKILL"),
        Instruction::StopSignal("SIGKILL".into())
    );
    assert_eq!(
        only("MAINTAINER A <a@b>"),
        Instruction::Maintainer("A <a@b>".into())
    );
    let d = ok("FROM a\nMAINTAINER x\n");
    assert!(d.warnings[0].message.contains("deprecated"));
}

#[test]
fn backtick_escape_file() {
    let d = ok(
        "# escape=`\nFROM mcr.microsoft.com/windows\nCOPY testfile.txt c:\\\nRUN dir c:\\ `\n   /b\n",
    );
    let Instruction::Copy(c) = &d.steps[1].instruction else {
        panic!()
    };
    assert_eq!(c.dest, "c:\\");
    assert_eq!(d.steps[2].instruction.keyword(), "RUN");
}

#[test]
fn parse_line_reads_a_trigger() {
    assert_eq!(
        parse_line("RUN make", '\\'),
        Ok(Instruction::Run(Run {
            command: CommandForm::Shell("make".into()),
            mount_specs: vec![],
            mounts: vec![],
            network: None,
            heredocs: vec![],
        }))
    );
    assert!(parse_line("NOPE x", '\\').is_err());
}

/// Untrusted input: whatever the bytes, the parser (and the expansion of what it read)
/// answers without panicking.
#[test]
fn arbitrary_input_never_panics() {
    const PIECES: &[&str] = &[
        "FROM a",
        "RUN ",
        "COPY ",
        "ENV ",
        "ARG ",
        "ONBUILD ",
        "HEALTHCHECK ",
        "LABEL ",
        "\n",
        "\r\n",
        "\\",
        "`",
        "#",
        "# escape=`",
        "<<",
        "<<-",
        "EOF",
        "'",
        "\"",
        "$",
        "${",
        "}",
        ":-",
        "[",
        "]",
        "\"a\"",
        ",",
        "--mount=",
        "type=cache",
        "--from=",
        "=",
        " ",
        "\t",
        "é",
        "\u{feff}",
        "AS",
        "x",
        "0",
        "-",
        "CMD",
        "SHELL",
        "--",
        "**",
        "!",
        "/",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let n = (next() % 40) as usize;
        let text: String = (0..n)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        if let Ok(d) = parse(text.as_bytes()) {
            let o = crate::build::stages::PlanOptions {
                build_args: vec![],
                target: None,
                platform: crate::build::stages::Platform::host(),
            };
            if let Ok(p) = crate::build::stages::plan(&d, &o) {
                for s in &p.order {
                    let mut scope = p.scope(*s, &[]);
                    for step in &p.stages[*s].steps {
                        let _ = scope.apply(step);
                    }
                }
            }
        }
        let _ = crate::build::substitute::expand(&text, '\\', &|_| Some("v".into()));
        let _ = crate::build::dockerignore::Dockerignore::parse(text.as_bytes())
            .map(|d| d.is_excluded(&text));
    }
}
