//! How the command line speaks: colour only where a person reads a terminal and never with
//! `NO_COLOR` (no-color.org), and how much it says (`--quiet`, `--verbose`). Set once at
//! start-up; library callers that never set it get plain text, as tests and pipes want.

use std::io::IsTerminal;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when the stream is a terminal and NO_COLOR is not set.
    Auto,
    /// Colour even into a pipe (still never with NO_COLOR).
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Error,
    Warning,
    Note,
}

struct Settings {
    stdout_color: bool,
    stderr_color: bool,
    verbosity: Verbosity,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

pub fn init(color: ColorChoice, verbosity: Verbosity) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let decide = |tty: bool| match color {
        _ if no_color => false,
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => tty,
    };
    let _ = SETTINGS.set(Settings {
        stdout_color: decide(std::io::stdout().is_terminal()),
        stderr_color: decide(std::io::stderr().is_terminal()),
        verbosity,
    });
}

pub fn verbosity() -> Verbosity {
    SETTINGS.get().map_or(Verbosity::Normal, |s| s.verbosity)
}

/// Whether `stream` gets colour.
pub fn colored(stream: Stream) -> bool {
    SETTINGS.get().is_some_and(|s| match stream {
        Stream::Stdout => s.stdout_color,
        Stream::Stderr => s.stderr_color,
    })
}

/// `text` in the style's colour, if the stream gets colour.
pub fn paint(stream: Stream, style: Style, text: &str) -> String {
    paint_if(colored(stream), style, text)
}

/// `text` in the style's colour when `color`.
pub fn paint_if(color: bool, style: Style, text: &str) -> String {
    if !color {
        return text.to_owned();
    }
    let code = match style {
        Style::Error => "1;31",
        Style::Warning => "1;33",
        Style::Note => "1;36",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// How standard error failed, if it did: 0 not at all, else the exit status it calls for.
static STDERR_FAILED: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Writes `text` to standard error. A closed or full stderr cannot report its own failure,
/// so the first failure is remembered, nothing more is written to it, and the run goes on
/// (a `generate` half done would be worse); `stderr_status` then gives the exit status.
pub fn eprint(text: &str) {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if STDERR_FAILED.load(Ordering::Relaxed) != 0 {
        return;
    }
    let mut stderr = std::io::stderr().lock();
    if let Err(err) = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush())
    {
        let status = match err.kind() {
            std::io::ErrorKind::BrokenPipe => 141,
            _ => 1,
        };
        STDERR_FAILED.store(status, Ordering::Relaxed);
    }
}

/// `eprint` with a line end.
pub fn eprintln(text: &str) {
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    eprint(&line);
}

/// The exit status a failed standard error calls for: 141 for a closed pipe, as a shell
/// reports a process that SIGPIPE ended, 1 for any other error; None if it never failed.
pub fn stderr_status() -> Option<u8> {
    match STDERR_FAILED.load(std::sync::atomic::Ordering::Relaxed) {
        0 => None,
        status => Some(status),
    }
}
