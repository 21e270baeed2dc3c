/// mimalloc: rolegraph makes many small, short-lived allocations (one per YAML value,
/// name and statement), where glibc's allocator spent a fifth of a run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rolegraph::cli::run()
}
