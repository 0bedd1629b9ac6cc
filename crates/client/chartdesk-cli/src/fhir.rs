//! `chartdesk fhir export`: a FHIR bulk export of some patients' records (records admins),
//! progress on stderr, the NDJSON files saved into a folder, counts printed.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use chartdesk::Services;

#[derive(Subcommand)]
pub enum FhirCommand {
    /// Export patients' records as FHIR R4 NDJSON (Patient, DocumentReference) through the
    /// records server's $export (records admins).
    Export(FhirExportArgs),
}

#[derive(Args)]
pub struct FhirExportArgs {
    /// User name to sign in with (password from CHARTDESK_PASSWORD or a prompt).
    #[arg(long)]
    user: String,
    /// A patient's MRN (repeatable).
    #[arg(long = "patient", required = true)]
    patients: Vec<String>,
    /// The folder to save the NDJSON files in (made if missing).
    #[arg(long)]
    out: PathBuf,
}

pub async fn run(profile: &str, command: FhirCommand) -> anyhow::Result<()> {
    let FhirCommand::Export(args) = command;
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let summary = services
        .admin()
        .fhir_export(&args.patients, &args.out, &|line| eprintln!("{line}"))
        .await?;
    for file in &summary.files {
        println!(
            "{:<18} {:>6}  {}",
            file.resource_type, file.count, file.path
        );
    }
    println!("as of {}", summary.transaction_time);
    Ok(())
}
