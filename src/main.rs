fn main() -> std::process::ExitCode {
    rolegraph::heap::tune();
    rolegraph::cli::run()
}
