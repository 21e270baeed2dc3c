//! Shell conventions: completion scripts and man pages, checked by the programs that
//! read them (bash, groff) where those are installed.

use crate::support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{require_tool, run, text};

const COMMANDS: [&str; 9] = [
    "generate",
    "check",
    "lint",
    "graph",
    "explain",
    "plan",
    "completions",
    "man",
    "validate",
];

fn feed(program: &str, args: &[&str], input: &[u8]) -> (bool, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), text(&out.stderr))
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn completions_name_every_command_and_bash_parses_them() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell], dir.path());
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for command in COMMANDS {
            assert!(
                script.contains(command),
                "{shell} completion lacks {command}"
            );
        }
        if shell == "bash" && require_tool("bash", installed("bash")) {
            let (ok, err) = feed("bash", &["-n"], &out.stdout);
            assert!(ok, "bash -n: {err}");
        }
    }
    let out = run(&["completions", "tcsh"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_pages_render_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let groff = require_tool("groff", installed("groff"));
    for command in std::iter::once(None).chain(COMMANDS.map(Some)) {
        let mut args = vec!["man"];
        args.extend(command);
        let out = run(&args, dir.path());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let page = text(&out.stdout);
        let title = match command {
            Some(c) => format!(".TH rolegraph-{c} 1"),
            None => ".TH rolegraph 1".to_owned(),
        };
        assert!(page.contains(&title), "{args:?}: {page}");
        if groff {
            let (ok, err) = feed("groff", &["-k", "-man", "-Tutf8", "-ww", "-z"], &out.stdout);
            assert!(ok && err.is_empty(), "{args:?}: groff says {err}");
        }
    }
    let out = run(&["man", "nope"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no command `nope`"));
}

/// A model with lint warnings (the example is clean).
fn warned() -> String {
    support::repo()
        .join("golden/seqera-warnings/rolegraph.yaml")
        .display()
        .to_string()
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rolegraph.yaml"),
        "version: 1\nname: x\nrolez: 1\n",
    )
    .unwrap();
    let stderr = |args: &[&str], no_color: bool| {
        let mut cmd = support::bin();
        cmd.args(args)
            .current_dir(dir.path())
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        text(&out.stderr)
    };
    // Into a pipe, auto means no colour.
    assert!(!stderr(&["validate"], false).contains('\x1b'));
    let painted = stderr(&["validate", "--color", "always"], false);
    assert!(painted.contains("\x1b[1;31merror\x1b[0m: "), "{painted}");
    assert!(!stderr(&["validate", "--color", "always"], true).contains('\x1b'));
    assert!(!stderr(&["validate", "--color", "never"], false).contains('\x1b'));
}

#[test]
fn quiet_and_verbose_set_how_much_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = run(
        &["generate", &warned(), "--out", "q", "--quiet"],
        dir.path(),
    );
    assert_eq!(quiet.status.code(), Some(0), "{}", text(&quiet.stderr));
    assert!(
        quiet.stdout.is_empty() && quiet.stderr.is_empty(),
        "{}{}",
        text(&quiet.stdout),
        text(&quiet.stderr)
    );
    let check = run(&["check", &warned(), "--out", "q", "-q"], dir.path());
    assert_eq!(check.status.code(), Some(0));
    assert!(check.stdout.is_empty(), "{}", text(&check.stdout));

    let verbose = run(
        &["generate", &warned(), "--out", "v", "--verbose"],
        dir.path(),
    );
    assert_eq!(verbose.status.code(), Some(0), "{}", text(&verbose.stderr));
    let stdout = text(&verbose.stdout);
    assert!(
        stdout.contains("wrote v/terraform/providers.tf\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("wrote 14 of 14 files to v (0 unchanged)\n"),
        "{stdout}"
    );
    // Lint warnings are shown unless quiet.
    assert!(text(&verbose.stderr).contains("warning[RG006]"));

    let both = run(&["validate", &warned(), "-q", "-v"], dir.path());
    assert_eq!(both.status.code(), Some(2));
}
