//! The allocator, set up for a short command-line run over a large model. Page faults
//! were the largest single cost of `validate`: each fresh 4 KiB page costs about 2 µs on
//! the machines measured, and a 1,000-account model touches about 1,200 of them, a
//! quarter of the run. The binary calls `tune` once at start; the library alone (tests,
//! the fuzzer) keeps the allocator's defaults and never prefaults.

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

/// Has the kernel map the heap memory that reading a model of `model_bytes` is about to
/// use, on another core, while this thread reads the model into it: the faults move off
/// the critical path. The pages are mapped with `MADV_POPULATE_WRITE` (Linux 5.14), which
/// writes no byte of them; where the kernel lacks it, or io_uring, nothing changes.
///
/// The work goes to an io_uring worker, a kernel thread, rather than to a thread of our
/// own: once a process has started a second thread, glibc's malloc locks its arena on
/// every call that misses the per-thread cache, which is most calls here, and a thread
/// that only started and ended made `validate` of the 1,000-account model 1.10× slower.
/// The worker is kept off this thread's core, where it would compete with the reading:
/// unpinned it gained 3.5%, pinned 17%.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn prefault_for_model(model_bytes: usize) {
    let bytes = model_bytes.saturating_mul(HEAP_PER_MODEL_BYTE).min(MOST);
    if !TUNED.load(Ordering::Relaxed) || bytes < FEWEST {
        return;
    }
    let Some(cores) = other_cores() else {
        return;
    };
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
    if end > first {
        populate_elsewhere(first, end - first, &cores);
    }
}

/// Queues `MADV_POPULATE_WRITE` of `len` bytes at `start` on a one-entry io_uring, forced
/// to the ring's worker on one of `cores`, and does not wait for it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn populate_elsewhere(start: usize, len: usize, cores: &libc::cpu_set_t) {
    let Ok(len) = libc::off_t::try_from(len) else {
        return;
    };
    let Ok(mut ring) = io_uring::IoUring::new(1) else {
        return;
    };
    // Linux 5.14, like the advice itself; without it the worker runs where it is put.
    let _ = ring.submitter().register_iowq_aff(cores);
    let populate = io_uring::opcode::Madvise::new(
        start as *const libc::c_void,
        len,
        libc::MADV_POPULATE_WRITE,
    )
    .build()
    .flags(io_uring::squeue::Flags::ASYNC);
    // SAFETY: the request names no buffer of ours, only a range of this process's heap,
    // which stays mapped (the trim threshold keeps it); populating maps pages and changes
    // no byte of memory, so it cannot disturb what the allocator hands out meanwhile.
    if unsafe { ring.submission().push(&populate) }.is_err() {
        return;
    }
    if ring.submit().is_ok() {
        // The ring lives as long as the process, so that closing it cannot cancel the
        // request; nobody reads its completion.
        std::mem::forget(ring);
    }
}

/// The cores this process may run on, less the one this thread is on; `None` when that
/// leaves none, where a worker would only take turns with this thread.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn other_cores() -> Option<libc::cpu_set_t> {
    // SAFETY: `cpu_set_t` is plain bits; sched_getaffinity writes at most its size, and
    // the CPU_* helpers stay within it.
    unsafe {
        let mut cores: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of_val(&cores), &mut cores) != 0 {
            return None;
        }
        if let Ok(here) = usize::try_from(libc::sched_getcpu()) {
            libc::CPU_CLR(here, &mut cores);
        }
        (libc::CPU_COUNT(&cores) > 0).then_some(cores)
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn prefault_for_model(_model_bytes: usize) {}
