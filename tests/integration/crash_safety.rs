//! `generate` killed with SIGKILL at random points while it writes a 1000-account model:
//! after every kill each file is the complete old or the complete new version, the next
//! run is never refused as a "hand edit", and a last run repairs the tree.

use crate::support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use support::random_model::Rng;
use support::{bin, read_tree, run, text};

const ACCOUNTS: usize = 1000;
const KILLS: usize = 20;

fn model(version: &str) -> String {
    support::accounts_model(ACCOUNTS, version)
}

/// A temporary, or a file in the staging folder: a killed run's debris, which SIGKILL may
/// leave (both end in `.rolegraph-tmp`) and the next run removes.
fn is_temp(path: &str) -> bool {
    path.split('/')
        .any(|part| part.starts_with('.') && part.ends_with(".rolegraph-tmp"))
}

#[test]
fn sigkill_at_random_points_never_leaves_half_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut versions: Vec<BTreeMap<String, Vec<u8>>> = Vec::new();
    for (i, version) in ["v1", "v2"].iter().enumerate() {
        std::fs::write(root.join(format!("m{i}.yaml")), model(version)).unwrap();
        let reference = format!("ref{i}");
        let out = run(
            &[
                "generate",
                &format!("m{i}.yaml"),
                "--out",
                &reference,
                "--no-sync",
            ],
            root,
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let mut tree = read_tree(&root.join(&reference));
        tree.remove(".rolegraph-manifest");
        versions.push(tree);
    }
    assert_eq!(versions[0].len(), versions[1].len());
    let differing = versions[0]
        .iter()
        .filter(|(p, c)| versions[1][*p] != **c)
        .count();
    assert!(
        differing >= ACCOUNTS * 2,
        "only {differing} files differ between versions"
    );

    // The tree starts complete at v1; then each run writes the other version.
    let start = Instant::now();
    let out = run(&["generate", "m0.yaml", "--out", "out"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let full_run = start.elapsed();

    let seed = std::env::var("ROLEGRAPH_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("kill points from seed {seed} (ROLEGRAPH_CRASH_SEED replays), full run {full_run:?}");
    let mut rng = Rng::new(seed);
    let mut killed_mid_write = 0;
    for kill in 0..KILLS {
        // Write the version that the first renamed file is not at, so every run has
        // renames to do.
        let first_now = std::fs::read(root.join("out/cloudformation/a0000.yaml")).unwrap();
        let target = usize::from(first_now == versions[0]["cloudformation/a0000.yaml"]);
        let at_target = |tree: &BTreeMap<String, Vec<u8>>| {
            let (a, b) = (&versions[1 - target], &versions[target]);
            tree.iter()
                .filter(|(p, c)| b.get(*p) == Some(*c) && a.get(*p) != Some(*c))
                .count()
        };
        let before = at_target(&read_tree(&root.join("out")));
        let mut child = bin()
            .args(["generate", &format!("m{target}.yaml"), "--out", "out"])
            .current_dir(root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Even kills: anywhere in the run (most of which is rendering, in memory). Odd
        // kills: during the renames, a few milliseconds in all. The first files renamed
        // are `cloudformation/README.md` and then `cloudformation/a0000.yaml`; once the
        // latter changes, the process is stopped (SIGSTOP) at once, so that it is frozen
        // among the renames wherever the test's own timing falls, and then killed.
        let delay = if kill % 2 == 0 {
            let delay = Duration::from_micros(rng.range(0, full_run.as_micros() as usize) as u64);
            std::thread::sleep(delay);
            delay
        } else {
            let first = root.join("out/cloudformation/a0000.yaml");
            let old = &versions[1 - target]["cloudformation/a0000.yaml"];
            let waiting = Instant::now();
            while std::fs::read(&first).is_ok_and(|c| c == *old) {
                if waiting.elapsed() > full_run * 20 || child.try_wait().unwrap().is_some() {
                    break;
                }
            }
            // SAFETY: kill(2) with the PID of our own child, which has not been reaped.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGSTOP) };
            waiting.elapsed()
        };
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if let Some(code) = status.code() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            assert_eq!(
                code, 0,
                "kill {kill} (seed {seed}): the run finished with {code}: {stderr}"
            );
        }
        let tree = read_tree(&root.join("out"));
        let mut old = 0;
        let mut new = 0;
        for (path, contents) in &tree {
            if path == ".rolegraph-manifest" || is_temp(path) {
                continue;
            }
            let (Some(a), Some(b)) = (versions[1 - target].get(path), versions[target].get(path))
            else {
                panic!("kill {kill}: {path} belongs to neither version");
            };
            assert!(
                contents == a || contents == b,
                "kill {kill} (seed {seed}, after {delay:?}): {path} is neither version"
            );
            if contents == b && a != b {
                new += 1;
            } else if a != b {
                old += 1;
            }
        }
        assert_eq!(
            tree.keys().filter(|p| !is_temp(p)).count(),
            versions[0].len() + 1,
            "kill {kill}: files missing"
        );
        println!(
            "kill {kill}: {delay:?}, {old} old, {new} new, exited: {:?}",
            status.code()
        );
        // This run renamed some of its files but not all of them.
        if new > before && old > 0 {
            killed_mid_write += 1;
        }
    }
    println!("{killed_mid_write} of {KILLS} kills landed between the first and the last rename");
    assert!(
        killed_mid_write > 0,
        "no kill landed while files were being renamed (seed {seed})"
    );

    let out = run(&["generate", "m1.yaml", "--out", "out"], root);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the repairing run: {}",
        text(&out.stderr)
    );
    let out = run(&["check", "m1.yaml", "--out", "out"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let tree = read_tree(&root.join("out"));
    assert!(
        !tree.keys().any(|p| is_temp(p)),
        "temporary files left behind"
    );
    assert_eq!(tree.len(), versions[1].len() + 1);
}

/// The same guarantee for a model that grows: files new in this version may be absent
/// after a kill, but never half there; the repairing run leaves exactly the new set.
#[test]
fn sigkill_while_adding_files_leaves_them_whole_or_absent() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let big = model("v1");
    std::fs::write(root.join("big.yaml"), &big).unwrap();
    let out = run(&["generate", "big.yaml", "--out", "ref", "--no-sync"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let reference = read_tree(&root.join("ref"));
    let start = Instant::now();
    let out = run(
        &["generate", "big.yaml", "--out", "probe", "--no-sync"],
        root,
    );
    assert_eq!(out.status.code(), Some(0));
    let full_run = start.elapsed();
    let mut child = bin()
        .args(["generate", "big.yaml", "--out", "out"])
        .current_dir(root)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(full_run / 2);
    child.kill().unwrap();
    child.wait().unwrap();
    for (path, contents) in read_tree(&root.join("out")) {
        if path == ".rolegraph-manifest" || is_temp(&path) {
            continue;
        }
        assert_eq!(Some(&contents), reference.get(&path), "{path} is not whole");
    }
    let out = run(&["generate", "big.yaml", "--out", "out"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        read_tree(&root.join("out")),
        reference,
        "the repaired tree differs"
    );
}
