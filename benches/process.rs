//! The whole process, as a user runs it: `rolegraph generate big.yaml --out DIR` (both
//! backends, the manifest, synced writes) for synthetic models of N = 10, 100, 1,000
//! targets on one hub and 10,000 targets on 10 hubs. For each: median wall time, median
//! CPU time (user + system) and peak RSS of the child process; and `rolegraph validate` of
//! the same model, in MB/s of YAML, timed after the pairs.
//!
//! Each run is paired with the floor: a minimal program (this bench binary with `--floor`)
//! that holds every file of the same output tree in memory and writes each with one
//! `fs::write`; nothing can produce those files faster. The two alternate run by run,
//! on a tmpfs (`/dev/shm`, or `ROLEGRAPH_BENCH_DIR`), because this machine's disk speed for
//! creating files drifts; the figure that counts is the median of the per-pair ratios.
//!
//! `cargo bench --bench process` (all sizes), or `-- 1000` for some of them.

#[path = "support/synth.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Wall time, CPU time and peak RSS of one child process.
#[derive(Clone, Copy)]
struct Sample {
    wall_ms: f64,
    cpu_ms: f64,
    peak_kib: i64,
}

/// Runs `cmd` and measures it through `wait4`, which reports the child's own CPU time and
/// peak RSS (and reaps it, so `Child::wait` is not called).
#[allow(clippy::zombie_processes)]
fn measure(mut cmd: Command) -> Sample {
    let start = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value; `wait4` fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped; the pointers are valid for the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(reaped, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed with status {status}"
    );
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    Sample {
        wall_ms: wall.as_secs_f64() * 1e3,
        cpu_ms: ms(usage.ru_utime) + ms(usage.ru_stime),
        peak_kib: usage.ru_maxrss,
    }
}

/// The floor: read every file under `src` into memory, then write each one under `dst`
/// with a single `fs::write`.
fn floor(src: &Path, dst: &Path) {
    fn read(dir: &Path, rel: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let rel = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                read(&entry.path(), &rel, out);
            } else {
                out.push((rel, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    read(src, Path::new(""), &mut files);
    let mut made = std::collections::BTreeSet::new();
    for (rel, bytes) in &files {
        let target = dst.join(rel);
        let parent = target.parent().unwrap().to_path_buf();
        if made.insert(parent.clone()) {
            std::fs::create_dir_all(&parent).unwrap();
        }
        std::fs::write(&target, bytes).unwrap();
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

struct Case {
    targets: usize,
    hubs: usize,
    runs: usize,
}

struct Result {
    /// `rolegraph validate` of the same model: median wall time, and the model's size.
    validate_ms: f64,
    model_bytes: u64,
    wall_ms: f64,
    cpu_ms: f64,
    peak_kib: i64,
    floor_ms: f64,
    ratio: f64,
    files: usize,
}

fn bench(case: &Case, root: &Path) -> Result {
    let dir = root.join(format!("n{}-h{}", case.targets, case.hubs));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("big.yaml");
    std::fs::write(&model, synth::model_with_hubs(case.targets, case.hubs)).unwrap();
    let exe = env!("CARGO_BIN_EXE_rolegraph");
    let generate = |out: &Path| {
        let mut cmd = Command::new(exe);
        cmd.arg("generate")
            .arg(&model)
            .arg("--out")
            .arg(out)
            .arg("--quiet");
        cmd
    };
    // The tree the floor copies: what `generate` writes.
    let reference = dir.join("reference");
    measure(generate(&reference));
    let files = count_files(&reference);
    let me = std::env::current_exe().unwrap();
    let (mut ours, mut floors, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut validations = Vec::new();
    for run in 0..case.runs {
        let (out, copy) = (
            dir.join(format!("out-{run}")),
            dir.join(format!("floor-{run}")),
        );
        let mut floor_cmd = Command::new(&me);
        floor_cmd.arg("--floor").arg(&reference).arg(&copy);
        let (a, b) = if run % 2 == 0 {
            let a = measure(generate(&out));
            (a, measure(floor_cmd))
        } else {
            let b = measure(floor_cmd);
            (measure(generate(&out)), b)
        };
        ratios.push(a.wall_ms / b.wall_ms);
        ours.push(a);
        floors.push(b);
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_dir_all(&copy);
    }
    // `validate` in a phase of its own: between the pairs, the kernel's work on the trees
    // just written and removed lands on it (right after a removal, 10.2 ms where the
    // same binary took 9.0 ms alone).
    for _ in 0..case.runs {
        let mut validate = Command::new(exe);
        validate.arg("validate").arg(&model).arg("--quiet");
        validations.push(measure(validate).wall_ms);
    }
    let model_bytes = std::fs::metadata(&model).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_dir_all(&dir);
    Result {
        validate_ms: median(validations),
        model_bytes,
        wall_ms: median(ours.iter().map(|s| s.wall_ms).collect()),
        cpu_ms: median(ours.iter().map(|s| s.cpu_ms).collect()),
        peak_kib: ours.iter().map(|s| s.peak_kib).max().unwrap_or(0),
        floor_ms: median(floors.iter().map(|s| s.wall_ms).collect()),
        ratio: median(ratios),
        files,
    }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            if e.file_type().unwrap().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [flag, src, dst] = args.as_slice()
        && flag == "--floor"
    {
        floor(Path::new(src), Path::new(dst));
        return;
    }
    let all = [
        Case {
            targets: 10,
            hubs: 1,
            runs: 21,
        },
        Case {
            targets: 100,
            hubs: 1,
            runs: 21,
        },
        Case {
            targets: 1000,
            hubs: 1,
            runs: 21,
        },
        Case {
            targets: 10000,
            hubs: 10,
            runs: 7,
        },
    ];
    let chosen: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let root = std::env::var_os("ROLEGRAPH_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/dev/shm"))
        .join(format!("rolegraph-bench-{}", std::process::id()));
    println!("output on {}", root.display());
    println!(
        "| targets | hubs | files | runs | wall (median) | CPU (median) | peak RSS | floor (median) | ratio (median of pairs) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut results = Vec::new();
    for case in all
        .iter()
        .filter(|c| chosen.is_empty() || chosen.contains(&c.targets))
    {
        let r = bench(case, &root);
        println!(
            "| {} | {} | {} | {} | {:.1} ms | {:.1} ms | {:.1} MiB | {:.1} ms | {:.2} |",
            case.targets,
            case.hubs,
            r.files,
            case.runs,
            r.wall_ms,
            r.cpu_ms,
            r.peak_kib as f64 / 1024.0,
            r.floor_ms,
            r.ratio
        );
        results.push((case.targets, r));
    }
    let _ = std::fs::remove_dir_all(&root);
    let find = |n: usize| results.iter().find(|(t, _)| *t == n).map(|(_, r)| r);
    if let (Some(one), Some(ten)) = (find(1000), find(10000)) {
        println!(
            "10,000 targets on 10 hubs took {:.1}x the time of 1,000 on one (target: at most 11x)",
            ten.wall_ms / one.wall_ms
        );
    }
    for (targets, r) in &results {
        println!(
            "validate of the {targets}-target model ({} KB): {:.1} ms, {:.1} MB/s of YAML (target at 1,000: at least 40 MB/s)",
            r.model_bytes / 1000,
            r.validate_ms,
            r.model_bytes as f64 / 1e6 / (r.validate_ms / 1e3)
        );
    }
    if let Some(one) = find(1000) {
        println!(
            "1,000 targets: {:.2}x the floor (target: at most 1.6x), peak {:.1} MiB (target: at most 30 MiB)",
            one.ratio,
            one.peak_kib as f64 / 1024.0
        );
    }
}
