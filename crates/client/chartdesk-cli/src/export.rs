use std::path::PathBuf;

use clap::Args;

use chartdesk::services::ExportSelection;
use chartdesk::Services;

#[derive(Args)]
pub struct ExportArgs {
    /// User name to sign in with (password from CHARTDESK_PASSWORD or a prompt).
    #[arg(long)]
    user: String,
    /// The patient's MRN.
    #[arg(long)]
    mrn: String,
    /// Every document of this category (repeatable).
    #[arg(long = "category")]
    categories: Vec<String>,
    /// This document (repeatable).
    #[arg(long = "doc")]
    doc_ids: Vec<String>,
    /// Where to save the ZIP (must end in .zip).
    #[arg(long)]
    out: PathBuf,
}

/// Saves the chosen documents as one ZIP with manifest.csv (clinicians and records admins),
/// as **Export selected…** does in the window.
pub async fn run(profile: &str, args: ExportArgs) -> anyhow::Result<()> {
    if args.categories.is_empty() && args.doc_ids.is_empty() {
        anyhow::bail!("Name what to export: --category CATEGORY or --doc DOCUMENT_ID");
    }
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let selection = ExportSelection {
        doc_ids: args.doc_ids,
        categories: args.categories,
    };
    let summary = services
        .documents()
        .export(&args.mrn, &selection, args.out)
        .await?;
    println!(
        "{} document(s), {} bytes, saved to {}",
        summary.files, summary.bytes, summary.path
    );
    Ok(())
}
