use clap::Subcommand;

use chartdesk::config::Folders;
use chartdesk_sandbox::{provision_with_server, SandboxReport};

mod seed;
mod spawn;

#[derive(Subcommand)]
pub enum SandboxCommand {
    /// Provision an already-running local cloud at URL and save it as the profile `sandbox`;
    /// with `--spawn`, start the local cloud and the records server first and keep them running.
    Up {
        /// The local cloud endpoint, e.g. http://127.0.0.1:5000
        #[arg(long, required_unless_present = "spawn", conflicts_with = "spawn")]
        endpoint: Option<String>,
        /// The records server's URL, saved in the profile (start it after a first `up`: it
        /// needs the pool and client ids that `up` prints).
        #[arg(long, conflicts_with = "spawn")]
        server: Option<String>,
        /// Print the result as JSON (with `--spawn`: exactly one line, once everything answers).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        spawn: spawn::SpawnArgs,
    },
    /// Write a patient of the caller's own into the sandbox (found by MRN only, "Seeded
    /// Testpatient"): one PDF per category given. For tests that must not change the demo
    /// patients, or that run alone.
    SeedPatient {
        /// The new record's MRN (refused if it is taken).
        #[arg(long)]
        mrn: String,
        /// A category to give one document (repeat for more).
        #[arg(long = "category")]
        categories: Vec<String>,
        /// Print the patient as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write COUNT camera-sized demo scans (about 2 MB JPEGs, no patient data) into DIR, for
    /// upload benchmarks and trying bulk upload by hand.
    Scans {
        #[arg(long, default_value_t = 50)]
        count: u32,
        dir: std::path::PathBuf,
    },
}

pub async fn run(command: SandboxCommand) -> anyhow::Result<()> {
    match command {
        SandboxCommand::Up {
            endpoint,
            server,
            json,
            spawn,
        } => {
            let folders = Folders::from_env()?;
            let Some(endpoint) = endpoint.filter(|_| !spawn.spawn) else {
                return spawn::run(spawn, folders, json).await;
            };
            let report = provision_with_server(&endpoint, server.as_deref(), &folders).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_report(&mut std::io::stdout(), &report, &folders)?;
            }
            Ok(())
        }
        SandboxCommand::SeedPatient {
            mrn,
            categories,
            json,
        } => seed::run(&mrn, &categories, json).await,
        SandboxCommand::Scans { count, dir } => {
            std::fs::create_dir_all(&dir)?;
            for i in 0..count {
                let path = dir.join(format!("scan-{i:03}.jpg"));
                std::fs::write(&path, chartdesk_sandbox::demo_scan(i + 1))?;
            }
            println!("{count} scans written to {}", dir.display());
            Ok(())
        }
    }
}

/// The report for people, on `out` (stdout, or stderr beside the launcher's JSON line).
pub(super) fn print_report(
    out: &mut dyn std::io::Write,
    r: &SandboxReport,
    folders: &Folders,
) -> std::io::Result<()> {
    writeln!(out, "Sandbox ready (profile '{}')", r.profile)?;
    writeln!(out, "  endpoint      {}", r.endpoint)?;
    if let Some(server) = &r.server_url {
        writeln!(out, "  server        {server}")?;
    }
    writeln!(out, "  region        {}", r.region)?;
    writeln!(out, "  user pool     {}", r.user_pool_id)?;
    writeln!(out, "  app client    {}", r.client_id)?;
    writeln!(out, "  bucket        {}", r.bucket)?;
    writeln!(
        out,
        "  patients      {} ({} documents)",
        r.patients, r.documents
    )?;
    writeln!(out, "  config        {}", folders.config_file().display())?;
    writeln!(out, "Demo users (sandbox only, no real data):")?;
    for u in &r.users {
        let role = u
            .role
            .map(|r| r.group())
            .unwrap_or("(no group: sees 'no access')");
        let note = if u.must_change_password {
            "  (temporary password: must choose a new one at first sign-in)"
        } else {
            ""
        };
        writeln!(out, "  {:<14} {:<26} {role}{note}", u.username, u.password)?;
        if let Some(secret) = &u.totp_secret {
            writeln!(out, "  {:<14} authenticator (TOTP) secret: {secret}", "")?;
        }
    }
    Ok(())
}
