//! Plans and scopes of Dockerfiles as users write them.

use super::*;
use crate::build::dockerfile::{self, CommandForm, MountType};

fn opts(args: &[(&str, &str)], target: Option<&str>) -> PlanOptions {
    PlanOptions {
        build_args: args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        target: target.map(str::to_string),
        platform: Platform {
            os: "linux".into(),
            arch: "amd64".into(),
            variant: None,
        },
    }
}

fn plan_of(text: &str, o: &PlanOptions) -> Result<BuildPlan, PlanError> {
    plan(&dockerfile::parse(text.as_bytes()).unwrap(), o)
}

fn ok(text: &str, o: &PlanOptions) -> BuildPlan {
    plan_of(text, o).unwrap_or_else(|e| panic!("{e}"))
}

/// Walks a stage's steps from an empty base environment; the expanded instructions.
fn walk(p: &BuildPlan, stage: usize) -> (StageScope, Vec<Instruction>) {
    let mut scope = p.scope(stage, &["PATH=/usr/bin".to_string()]);
    let out = p.stages[stage]
        .steps
        .iter()
        .map(|s| scope.apply(s).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    (scope, out)
}

const MULTI: &str = "ARG GO=1.22
FROM golang:${GO} AS build
RUN make
FROM debian AS assets
RUN make assets
FROM build AS test
RUN go test
FROM scratch AS final
COPY --from=build /out/app /app
COPY --from=assets /assets /assets
COPY --from=alpine:3 /etc/ssl /etc/ssl
";

#[test]
fn stages_bases_and_global_args() {
    let p = ok(MULTI, &opts(&[], None));
    assert_eq!(p.stages.len(), 4);
    assert_eq!(p.stages[0].base, Base::Image("golang:1.22".into()));
    assert_eq!(p.stages[2].base, Base::Stage(0));
    assert_eq!(p.stages[3].base, Base::Scratch);
    assert_eq!(p.stages[3].deps, [0, 1]);
    assert_eq!(p.stages[3].images, ["alpine:3"]);
    // The target (the last stage) needs build and assets, not test.
    assert_eq!(p.target, 3);
    assert_eq!(p.order, [0, 1, 3]);
    assert_eq!(p.waves(), [vec![0, 1], vec![3]]);
    let p = ok(MULTI, &opts(&[("GO", "1.23")], Some("TEST")));
    assert_eq!(p.stages[0].base, Base::Image("golang:1.23".into()));
    assert_eq!(p.order, [0, 2]);
    assert_eq!(p.waves(), [vec![0], vec![2]]);
}

#[test]
fn copy_from_by_index_and_mounts_from() {
    let p = ok(
        "FROM a\nFROM b\nCOPY --from=0 /x /x\nRUN --mount=type=bind,from=0,target=/m true\n",
        &opts(&[], None),
    );
    assert_eq!(p.stages[1].deps, [0]);
    let e = plan_of("FROM a\nCOPY --from=3 /x /x\n", &opts(&[], None)).unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (2, "invalid stage index 3"));
}

#[test]
fn refusals() {
    let o = opts(&[], None);
    let e = plan_of("FROM a\nFROM b\n", &opts(&[], Some("nope"))).unwrap_err();
    assert_eq!(e.to_string(), "target stage \"nope\" could not be found");
    let e = plan_of("FROM a AS x\nFROM b AS X\n", &o).unwrap_err();
    assert_eq!(e.message, "duplicate stage name \"x\"");
    let e = plan_of("ARG A\n", &o).unwrap_err();
    assert_eq!(e.message, "dockerfile contains no stages to build");
    let e = plan_of("ARG IMG\nFROM $IMG\n", &o).unwrap_err();
    assert_eq!(e.message, "base name ($IMG) should not be blank");
    let e = plan_of("ARG V=x\nFROM a\nCOPY --from=$V /a /b\n", &o).unwrap_err();
    assert!(
        e.message
            .starts_with("variable expansion is not supported for --from"),
        "{e}"
    );
    let e = plan_of("FROM ${A\n", &o).unwrap_err();
    assert_eq!(
        e.to_string(),
        "dockerfile line 1: failed to process \"${A\": syntax error: missing '}'"
    );
    // A stage copying from a later stage that copies back: a cycle.
    let e = plan_of(
        "FROM a AS one\nCOPY --from=two /x /x\nFROM b AS two\nCOPY --from=one /y /y\n",
        &o,
    )
    .unwrap_err();
    assert!(
        e.message
            .starts_with("circular dependency detected on stage: "),
        "{e}"
    );
    let e = plan_of("FROM a AS one\nCOPY --from=one /x /x\n", &o).unwrap_err();
    assert_eq!(e.message, "circular dependency detected on stage: one");
}

#[test]
fn from_a_later_stage_name_is_an_image() {
    let p = ok("FROM later\nFROM x AS later\n", &opts(&[], Some("later")));
    assert_eq!(p.stages[0].base, Base::Image("later".into()));
    assert_eq!(p.order, [1]);
}

#[test]
fn args_before_from_only_in_from_unless_declared_again() {
    let p = ok(
        "ARG V=1\nARG IMG=busybox:$V\nFROM $IMG\nRUN echo\nWORKDIR /a$V\nARG V\nWORKDIR /b$V\n",
        &opts(&[], None),
    );
    assert_eq!(p.stages[0].base, Base::Image("busybox:1".into()));
    let (_, steps) = walk(&p, 0);
    assert_eq!(steps[1], Instruction::Workdir("/a".into()));
    assert_eq!(steps[3], Instruction::Workdir("/b1".into()));
}

#[test]
fn build_args_override_defaults_and_unused_ones_are_reported() {
    let p = ok(
        "FROM a\nARG X=dflt Y=$X-y\nLABEL x=$X y=$Y\n",
        &opts(
            &[("X", "given"), ("Z", "z"), ("HTTP_PROXY", "http://p")],
            None,
        ),
    );
    let (scope, steps) = walk(&p, 0);
    assert_eq!(
        steps[1],
        Instruction::Label(vec![
            KeyValue {
                key: "x".into(),
                value: "given".into()
            },
            KeyValue {
                key: "y".into(),
                value: "given-y".into()
            },
        ])
    );
    assert_eq!(p.unused_build_args, ["Z"]);
    assert_eq!(
        scope.args(),
        [
            ("X".to_string(), "given".to_string()),
            ("Y".into(), "given-y".into())
        ]
    );
    // Proxy args reach RUN without an ARG, and are not args (not in history).
    assert!(scope.run_env().contains(&"HTTP_PROXY=http://p".to_string()));
    assert!(scope.run_env().contains(&"X=given".to_string()));
    assert!(!scope.config_env().iter().any(|e| e.starts_with("X=")));
}

#[test]
fn env_sees_values_from_before_its_line() {
    let p = ok(
        "FROM a\nENV A=1\nENV A=2 B=$A\nENV C=\"x y\" D=${NOPE:-$A}\nENV E old form  $A\n",
        &opts(&[], None),
    );
    let (scope, _) = walk(&p, 0);
    let env = scope.config_env();
    assert_eq!(
        env,
        [
            "PATH=/usr/bin",
            "A=2",
            "B=1",
            "C=x y",
            "D=2",
            "E=old form  2"
        ]
    );
}

#[test]
fn env_wins_over_an_earlier_arg() {
    let p = ok(
        "FROM a\nARG V\nENV V=${V:-v1.0.0}\nWORKDIR /$V\n",
        &opts(&[("V", "v2")], None),
    );
    let (_, steps) = walk(&p, 0);
    assert_eq!(steps[2], Instruction::Workdir("/v2".into()));
    let p = ok(
        "FROM a\nARG V\nENV V=${V:-v1.0.0}\nWORKDIR /$V\n",
        &opts(&[], None),
    );
    let (_, steps) = walk(&p, 0);
    assert_eq!(steps[2], Instruction::Workdir("/v1.0.0".into()));
}

#[test]
fn platform_args_need_an_arg_in_the_stage() {
    let p = ok(
        "FROM --platform=$BUILDPLATFORM a\nWORKDIR /$TARGETARCH\nARG TARGETARCH\nWORKDIR /$TARGETARCH\n",
        &opts(&[], None),
    );
    assert_eq!(p.stages[0].platform.as_deref(), Some("linux/amd64"));
    let (_, steps) = walk(&p, 0);
    assert_eq!(steps[0], Instruction::Workdir("/".into()));
    assert_eq!(steps[2], Instruction::Workdir("/amd64".into()));
}

#[test]
fn which_instructions_expand() {
    let p = ok(
        "FROM a\nENV D=/dst U=app P=80 M=/cache\n\
         COPY --chown=$U:$U src/$U [\"$D/x\"] ${D}/\n\
         RUN echo $D\n\
         CMD echo $D\n\
         EXPOSE $P/tcp\n\
         USER $U\n\
         VOLUME $D\n\
         STOPSIGNAL SIG$U\n\
         RUN --mount=type=cache,target=$M true\n\
         COPY <<EOF <<'RAW' /f\n$D \\$D \"q\"\nEOF\n$D\nRAW\n",
        &opts(&[], None),
    );
    let (_, steps) = walk(&p, 0);
    let Instruction::Copy(c) = &steps[1] else {
        panic!()
    };
    assert_eq!(c.chown.as_deref(), Some("app:app"));
    assert_eq!(
        c.sources,
        [
            Source::Path("src/app".into()),
            Source::Path("[/dst/x]".into())
        ]
    );
    assert_eq!(c.dest, "/dst/");
    let Instruction::Run(r) = &steps[2] else {
        panic!()
    };
    assert_eq!(r.command, CommandForm::Shell("echo $D".into()));
    assert_eq!(
        steps[3],
        Instruction::Cmd(CommandForm::Shell("echo $D".into()))
    );
    assert_eq!(steps[4], Instruction::Expose(vec!["80/tcp".into()]));
    assert_eq!(steps[5], Instruction::User("app".into()));
    assert_eq!(steps[6], Instruction::Volume(vec!["/dst".into()]));
    assert_eq!(steps[7], Instruction::StopSignal("SIGapp".into()));
    let Instruction::Run(r) = &steps[8] else {
        panic!()
    };
    assert_eq!(
        (r.mounts[0].kind, r.mounts[0].target.as_deref()),
        (MountType::Cache, Some("/cache"))
    );
    let Instruction::Copy(c) = &steps[9] else {
        panic!()
    };
    let [Source::Heredoc(a), Source::Heredoc(b)] = c.sources.as_slice() else {
        panic!()
    };
    assert_eq!(a.content, "/dst $D \"q\"\n");
    assert_eq!(b.content, "$D\n");
}

#[test]
fn a_substitution_error_names_its_line() {
    let p = ok("FROM a\nWORKDIR ${X:?needs X}\n", &opts(&[], None));
    let mut scope = p.scope(0, &[]);
    let e = scope.apply(&p.stages[0].steps[0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "dockerfile line 2: failed to process \"${X:?needs X}\": X: needs X"
    );
}

#[test]
fn scratch_starts_with_dockers_path_and_shell_follows_shell() {
    let p = ok(
        "FROM scratch\nSHELL [\"/bin/bash\", \"-c\"]\n",
        &opts(&[], None),
    );
    let mut scope = p.scope(0, &[]);
    assert_eq!(scope.config_env(), [format!("PATH={DEFAULT_PATH}")]);
    scope.apply(&p.stages[0].steps[0]).unwrap();
    assert_eq!(scope.shell(), ["/bin/bash", "-c"]);
}
