use clap::Subcommand;

use chartdesk::config::Folders;
use chartdesk::sandbox::{provision_with_server, SandboxReport};

#[derive(Subcommand)]
pub enum SandboxCommand {
    /// Provision an already-running local cloud at URL and save it as the profile `sandbox`.
    Up {
        /// The local cloud endpoint, e.g. http://127.0.0.1:5000
        #[arg(long)]
        endpoint: String,
        /// The records server's URL, saved in the profile (start it after a first `up`: it
        /// needs the pool and client ids that `up` prints).
        #[arg(long)]
        server: Option<String>,
        /// Print the result as JSON.
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
        } => {
            let folders = Folders::from_env()?;
            let report = provision_with_server(&endpoint, server.as_deref(), &folders).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_report(&report, &folders);
            }
            Ok(())
        }
        SandboxCommand::Scans { count, dir } => {
            std::fs::create_dir_all(&dir)?;
            for i in 0..count {
                let path = dir.join(format!("scan-{i:03}.jpg"));
                std::fs::write(&path, chartdesk::sandbox::demo_scan(i + 1))?;
            }
            println!("{count} scans written to {}", dir.display());
            Ok(())
        }
    }
}

fn print_report(r: &SandboxReport, folders: &Folders) {
    println!("Sandbox ready (profile '{}')", r.profile);
    println!("  endpoint      {}", r.endpoint);
    if let Some(server) = &r.server_url {
        println!("  server        {server}");
    }
    println!("  region        {}", r.region);
    println!("  user pool     {}", r.user_pool_id);
    println!("  app client    {}", r.client_id);
    println!("  bucket        {}", r.bucket);
    println!("  patients      {} ({} documents)", r.patients, r.documents);
    println!("  config        {}", folders.config_file().display());
    println!("Demo users (sandbox only, no real data):");
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
        println!("  {:<14} {:<26} {role}{note}", u.username, u.password);
        if let Some(secret) = &u.totp_secret {
            println!("  {:<14} authenticator (TOTP) secret: {secret}", "");
        }
    }
}
