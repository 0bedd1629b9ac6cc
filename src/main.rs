//! `chartdesk`: the command-line face of the core (sandbox provisioning, scripted look-ups).

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
