//! `chartdesk patients import`: a PAS-style CSV extract registered through the records server,
//! which checks every row; a per-row report, non-zero exit if any row was refused.

use clap::{Args, Subcommand};

use chartdesk::Services;
use chartdesk_api::ImportOutcome;

#[derive(Subcommand)]
pub enum PatientsCommand {
    /// Register or update patients from FILE.csv (records admins). Header:
    /// nhs_number,mrn,given_name,family_name,birth_date,gender,postcode
    Import(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// User name to sign in with (password from CHARTDESK_PASSWORD or a prompt).
    #[arg(long)]
    user: String,
    /// The CSV file (UTF-8).
    file: std::path::PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(profile: &str, command: PatientsCommand) -> anyhow::Result<()> {
    let PatientsCommand::Import(args) = command;
    let csv = std::fs::read_to_string(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read the CSV file: {e}"))?;
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let report = services.admin().import_patients(csv).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for row in &report.rows {
            let mrn = row.mrn.as_deref().unwrap_or("-");
            println!(
                "line {:>4}  MRN {mrn:<12} {:<9} {}",
                row.line,
                format!("{:?}", row.outcome).to_lowercase(),
                if row.outcome == ImportOutcome::Refused {
                    row.message.as_str()
                } else {
                    ""
                }
            );
        }
        println!(
            "{} created, {} updated, {} unchanged, {} refused",
            report.created, report.updated, report.unchanged, report.refused
        );
    }
    if report.refused > 0 {
        anyhow::bail!(
            "{} row(s) were refused; nothing of those rows was written",
            report.refused
        );
    }
    Ok(())
}
