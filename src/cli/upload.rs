use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use futures_util::{stream, StreamExt};
use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use chartdesk::cloud::Progress;
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
    /// Files sent at once (image variants use one core each).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
    jobs: u16,
    /// The files to add (PDF, JPEG, PNG, TIFF).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Adds each file with a progress bar; reports every refusal with its reason and exits
/// non-zero if any failed. Ctrl+C cancels what is still in flight (nothing half-added).
pub async fn run(profile: &str, args: UploadArgs) -> anyhow::Result<()> {
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let bars = MultiProgress::new();
    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });
    let started = Instant::now();
    let results: Vec<bool> = stream::iter(&args.files)
        .map(|path| add_one(&services, &args, path, &bars, cancel.child_token()))
        .buffer_unordered(usize::from(args.jobs))
        .collect()
        .await;
    let failed = results.iter().filter(|ok| !**ok).count();
    println!(
        "{} of {} files added in {:.1} s",
        results.len() - failed,
        results.len(),
        started.elapsed().as_secs_f64()
    );
    if failed > 0 {
        anyhow::bail!("{failed} of {} files were not added", args.files.len());
    }
    Ok(())
}

async fn add_one(
    services: &Services,
    args: &UploadArgs,
    path: &PathBuf,
    bars: &MultiProgress,
    cancel: CancellationToken,
) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = match tokio::fs::read(path).await {
        Ok(b) => b,
        Err(e) => {
            let _ = bars.println(format!(
                "refused  {}: cannot read the file ({e})",
                path.display()
            ));
            return false;
        }
    };
    let bar = bars.add(ProgressBar::new(0));
    bar.set_style(
        ProgressStyle::with_template("{msg:30!} [{bar:30}] {bytes}/{total_bytes} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(name.clone());
    let watched = bar.clone();
    let mut upload = Upload::new(&args.mrn, &args.category, &name, bytes);
    upload.replace_oldest = args.replace_oldest;
    upload.cancel = cancel;
    upload.progress = Progress::new(move |sent, total| {
        watched.set_length(total);
        watched.set_position(sent);
    });
    let outcome = services.upload_document(upload).await;
    bar.finish_and_clear();
    let line = match &outcome {
        Ok(row) => format!(
            "added    {name} ({}, {}) as {}",
            row.content_type,
            HumanBytes(row.size),
            row.id
        ),
        Err(e) => format!("refused  {name}: {e}"),
    };
    let _ = bars.println(&line);
    if !bars.is_hidden() {
        return outcome.is_ok();
    }
    // Not a terminal: indicatif prints nothing, so the lines go to the usual streams.
    if outcome.is_ok() {
        println!("{line}");
    } else {
        eprintln!("{line}");
    }
    outcome.is_ok()
}
