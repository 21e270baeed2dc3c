//! The allocator, set up for a short command-line run over a large model. Page faults
//! were the largest single cost of `validate`: each fresh 4 KiB page costs about 2 µs on
//! the machines measured, and a 1,000-account model touches about 1,200 of them, a
//! quarter of the run. The binary calls `tune` once at start; the library alone (tests,
//! the fuzzer) keeps the allocator's defaults and spawns no thread.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether `tune` ran: only then does reading a model prefault the heap.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
static TUNED: AtomicBool = AtomicBool::new(false);

/// Heap memory a run needs per byte of model text: `validate` of the 1,000-account
/// synthetic model touched 14 bytes of fresh heap per byte of YAML (its tree, the model
/// and the role graph), and `generate` touches more, so a run rarely leaves any of it
/// unused. Prefaulting more than a run uses made it slower, not faster.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HEAP_PER_MODEL_BYTE: usize = 14;

/// The most prefaulted at once: below `LARGE`, so that the block comes from the heap.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MOST: usize = 16 << 20;

/// The fewest bytes worth a thread: a small model's run is over before it would help.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const FEWEST: usize = 1 << 20;

/// glibc's upper limit for the mmap threshold on 64-bit systems.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const LARGE: libc::c_int = 32 << 20;

/// Sets the allocator up for this process; call it before any thread starts.
///
/// glibc gives each allocation over 128 KiB its own `mmap` and unmaps it when it is
/// freed, so the next large one (a hash table, the tree of a model, a file's text) faults
/// in fresh pages while freed memory sits unused; and it returns the heap's free top to
/// the system, to fault it in again. Serving large allocations from the heap took a
/// fifth of `validate`'s faults away; keeping up to 32 MiB of free top is what lets
/// `prefault_for_model` leave its block in the heap.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune() {
    // SAFETY: mallopt sets parameters of the allocator, before any thread exists; it
    // reads and writes no memory of ours.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE);
        libc::mallopt(libc::M_TRIM_THRESHOLD, LARGE);
    }
    TUNED.store(true, Ordering::Relaxed);
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}

/// Has a second core map the heap memory that reading a model of `model_bytes` is about
/// to use, while this thread reads it: the faults move off the critical path. The pages
/// are mapped with `MADV_POPULATE_WRITE` (Linux 5.14), which writes no byte of them; on
/// an older kernel the call fails and nothing changes. `validate` of the 1,000-account
/// model took 0.89–0.94× the time; nothing the run computes depends on it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn prefault_for_model(model_bytes: usize) {
    let bytes = model_bytes.saturating_mul(HEAP_PER_MODEL_BYTE).min(MOST);
    if !TUNED.load(Ordering::Relaxed) || bytes < FEWEST || !second_core() {
        return;
    }
    // Grows the heap by `bytes` and gives them back at once: with the trim threshold set
    // by `tune`, they stay in the heap as its free top, where the next allocations go.
    // SAFETY: a plain malloc/free pair; the address is used only as a number afterwards.
    let start = unsafe {
        let block = libc::malloc(bytes);
        if block.is_null() {
            return;
        }
        libc::free(block);
        block as usize
    };
    const PAGE: usize = 4096;
    let first = start.next_multiple_of(PAGE);
    let end = (start + bytes) / PAGE * PAGE;
    if end <= first {
        return;
    }
    let populate = move || {
        // SAFETY: the range lies in this process's heap, which stays mapped (the trim
        // threshold keeps it); populating maps pages and changes no byte of memory, so it
        // cannot disturb what the allocator has handed out meanwhile. A failure (an old
        // kernel, the range gone) leaves the pages to fault in as before.
        unsafe {
            libc::madvise(
                first as *mut libc::c_void,
                end - first,
                libc::MADV_POPULATE_WRITE,
            );
        }
    };
    // The thread is not joined: it finishes within a few milliseconds, or with the process.
    let _ = std::thread::Builder::new()
        .name("prefault".to_owned())
        .stack_size(64 << 10)
        .spawn(populate);
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn prefault_for_model(_model_bytes: usize) {}

/// Whether another core can run beside this thread.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn second_core() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}
