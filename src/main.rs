fn main() -> std::process::ExitCode {
    keep_large_allocations_in_the_heap();
    rolegraph::cli::run()
}

/// glibc gives each allocation over 128 KiB its own `mmap` and unmaps it when it is freed,
/// so the next large one (a hash table, the tree of a model, a file's text) faults in fresh
/// pages while freed memory sits unused in the heap. Page faults were the largest cost of
/// `validate`: serving such allocations from the heap took a fifth of its faults away.
/// The heap still returns its free top to the system as before.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_allocations_in_the_heap() {
    // glibc's upper limit for this setting on 64-bit systems.
    const THRESHOLD: libc::c_int = 32 << 20;
    // SAFETY: mallopt sets one parameter of the allocator, before any thread exists; it
    // reads and writes no memory of ours.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_allocations_in_the_heap() {}
