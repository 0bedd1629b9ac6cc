//! `chartdesk sandbox up --spawn`: the launcher for scripts, benches and the e2e suite. Runs
//! until SIGTERM or SIGINT, then stops everything it started.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use chartdesk::config::Folders;
use chartdesk_sandbox::launch::{LaunchOptions, Programs, Sandbox, DEFAULT_CLAMD};
use tokio::signal::unix::{signal, SignalKind};

#[derive(clap::Args)]
pub struct SpawnArgs {
    /// Start the local cloud (moto) and the records server, provision them, save the profile,
    /// and keep them running until SIGTERM or Ctrl+C.
    #[arg(long)]
    pub spawn: bool,
    /// moto's port (default: a free one).
    #[arg(long, requires = "spawn")]
    moto_port: Option<u16>,
    /// The records server's port (default: a free one).
    #[arg(long, requires = "spawn")]
    server_port: Option<u16>,
    /// moto_server (default: the setup script's venv, else PATH).
    #[arg(long, env = "CHARTDESK_MOTO_SERVER")]
    moto_bin: Option<PathBuf>,
    /// The chartdesk-server binary (default: beside this program).
    #[arg(long, env = "CHARTDESK_SERVER_BIN")]
    server_bin: Option<PathBuf>,
    /// The built UI the records server serves at `/` (the browser version).
    #[arg(long, requires = "spawn")]
    web_root: Option<PathBuf>,
    /// Write moto.log and server.log here (default: the services log to stderr).
    #[arg(long, requires = "spawn")]
    log_dir: Option<PathBuf>,
    /// Also stop when the program that started this one ends, however it ends (for test
    /// harnesses and scripts that may be killed before they can send SIGTERM).
    #[arg(long, requires = "spawn")]
    stop_with_parent: bool,
}

pub async fn run(args: SpawnArgs, folders: Folders, json: bool) -> anyhow::Result<()> {
    // Read first: a parent that ends while we start must still be noticed.
    let parent = std::os::unix::process::parent_id();
    let programs = Programs {
        moto: args.moto_bin.unwrap_or_else(default_moto),
        server: match args.server_bin {
            Some(p) => p,
            None => beside_this_program("chartdesk-server")?,
        },
        clamd: DEFAULT_CLAMD.into(),
    };
    let mut options = LaunchOptions::new(programs, folders.clone());
    options.moto_port = args.moto_port;
    options.server_port = args.server_port;
    options.server.web_root = args.web_root;
    options.log_dir = args.log_dir;

    // Listening before the launch: a stop asked for while starting ends the start, and dropping
    // the half-started sandbox stops what already runs.
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut sandbox = tokio::select! {
        launched = Sandbox::launch(options) => launched?,
        _ = term.recv() => return Ok(()),
        _ = int.recv() => return Ok(()),
    };
    if json {
        // Exactly one line: callers read it and wait for nothing else on stdout. People
        // watching the terminal still get the report, beside it on stderr.
        super::print_report(&mut std::io::stderr(), &sandbox.report.sandbox, &folders)?;
        println!("{}", serde_json::to_string(&sandbox.report)?);
    } else {
        super::print_report(&mut std::io::stdout(), &sandbox.report.sandbox, &folders)?;
    }
    eprintln!("Sandbox running: SIGTERM or Ctrl+C stops it and everything it started.");
    let mut check = tokio::time::interval(Duration::from_secs(1));
    let ended = loop {
        tokio::select! {
            _ = term.recv() => break Ok(()),
            _ = int.recv() => break Ok(()),
            _ = check.tick() => {
                if let Some(name) = sandbox.exited() {
                    break Err(anyhow::anyhow!(
                        "the sandbox's {name} stopped: everything else was stopped too"
                    ));
                }
                // An orphan is handed to another parent: ours has ended.
                if args.stop_with_parent && std::os::unix::process::parent_id() != parent {
                    break Ok(());
                }
            }
        }
    };
    sandbox.stop();
    ended
}

/// The setup script's venv (`~/.cache/chartdesk/venv`), else whatever `moto_server` PATH finds.
fn default_moto() -> PathBuf {
    directories::BaseDirs::new()
        .map(|d| d.cache_dir().join("chartdesk/venv/bin/moto_server"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| "moto_server".into())
}

fn beside_this_program(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot tell where this program is")?;
    let dir = exe.parent().context("cannot tell where this program is")?;
    Ok(dir.join(name))
}
