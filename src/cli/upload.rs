use std::path::PathBuf;

use clap::Args;

use chartdesk::services::Upload;
use chartdesk::Services;

#[derive(Args)]
pub struct UploadArgs {
    /// User name to sign in with (password from CHARTDESK_PASSWORD or a prompt).
    #[arg(long)]
    user: String,
    /// The patient's MRN.
    #[arg(long)]
    mrn: String,
    /// preop, lab, radiology, intraop, ot_notes, postop or discharge.
    #[arg(long)]
    category: String,
    /// If preop already holds 3 images, replace the oldest (it is kept, marked replaced).
    #[arg(long)]
    replace_oldest: bool,
    /// The files to add (PDF, JPEG, PNG, TIFF).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Adds each file; reports every refusal with its reason and exits non-zero if any failed.
pub async fn run(profile: &str, args: UploadArgs) -> anyhow::Result<()> {
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let mut failed = 0usize;
    for path in &args.files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("refused  {}: cannot read the file ({e})", path.display());
                failed += 1;
                continue;
            }
        };
        let upload = Upload {
            mrn: &args.mrn,
            category: &args.category,
            file_name: &name,
            bytes,
            replace_oldest: args.replace_oldest,
        };
        match services.upload_document(upload).await {
            Ok(row) => println!(
                "added    {name} ({}, {} bytes) as {}",
                row.content_type, row.size, row.id
            ),
            Err(e) => {
                eprintln!("refused  {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} files were not added", args.files.len());
    }
    Ok(())
}
