fn main() -> std::process::ExitCode {
    rolegraph::cli::run()
}
