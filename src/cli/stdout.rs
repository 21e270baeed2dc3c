//! Standard output for the commands. Here, not in `term`, because a failed write is an
//! error, printed as a `Diagnostic`, and `diag` itself paints with `term`.

/// Writes to standard output, where a closed pipe or a full disk is no crash: a closed
/// pipe (`rolegraph plan | head -1`) ends the process quietly with status 141, as a shell
/// reports a process that SIGPIPE ended; any other error is one line and exit 1.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let Err(err) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    else {
        return;
    };
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
    crate::diag::Diagnostic::nowhere(format!("cannot write to standard output: {err}")).eprint();
    std::process::exit(1);
}

/// `out` with a line end.
pub fn outln(text: &str) {
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    out(&line);
}
