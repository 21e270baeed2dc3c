//! Output into a closed pipe (`rolegraph plan | head -1`) or a full disk (`> /dev/full`)
//! is no crash: a closed pipe ends the run quietly with a status that is not 101, any
//! other write error is one line and exit 1.

use crate::support;

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;

use support::{bin, repo, text};

/// Every command that prints to standard output.
fn commands(model: &str, out: &str) -> Vec<Vec<String>> {
    let list: Vec<Vec<&str>> = vec![
        vec!["plan", model],
        vec!["plan", model, "--format", "json"],
        vec!["lint", model, "--format", "json"],
        vec!["lint", model],
        vec!["graph", model],
        vec!["graph", model, "--format", "dot"],
        vec!["explain", model, "platform"],
        vec!["validate", model],
        vec!["check", model, "--out", out],
        vec!["generate", model, "--out", out, "-v"],
        vec!["schema"],
        vec!["completions", "bash"],
        vec!["man"],
        vec!["--help"],
        vec!["plan", "--help"],
    ];
    list.into_iter()
        .map(|c| c.into_iter().map(str::to_owned).collect())
        .collect()
}

/// The write end of a pipe whose read end is already closed: every write fails with
/// EPIPE, as `| head -1` does once head has exited, but without a race.
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    Stdio::from(write)
}

fn setup() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let model = repo()
        .join("examples/seqera/rolegraph.yaml")
        .display()
        .to_string();
    let out = bin()
        .args(["generate", &model, "--out", "out", "-q"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (dir, model)
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_without_a_panic() {
    let (dir, model) = setup();
    for args in commands(&model, "out") {
        let out = bin()
            .args(&args)
            .current_dir(dir.path())
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
        assert_ne!(
            out.status.code(),
            Some(0),
            "{args:?}: a lost write is no success"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_full_disk_is_one_line_and_exit_1() {
    let (dir, model) = setup();
    for args in commands(&model, "out") {
        if args.iter().any(|a| a == "--help") {
            continue; // clap prints help itself
        }
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = bin()
            .args(&args)
            .current_dir(dir.path())
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        let last: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
        assert_eq!(
            last,
            ["error: cannot write to standard output: No space left on device (os error 28)"],
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
