//! `chartdesk upload`, `outbox` and `sync`: every upload goes through the encrypted outbox
//! first, so a killed run or a dropped network loses nothing; `sync` finishes what is left.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use chartdesk::cache::OutboxItem;
use chartdesk::services::Destination;
use chartdesk::services::DrainReport;
use chartdesk::Services;
use chartdesk_records::store::Progress;

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
    /// Files sent at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
    jobs: u16,
    /// The files to add (PDF, JPEG, PNG, TIFF).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Args)]
pub struct SyncArgs {
    /// User name to sign in with (password from CHARTDESK_PASSWORD or a prompt).
    #[arg(long)]
    user: String,
    /// Files sent at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
    jobs: u16,
}

#[derive(Args)]
pub struct OutboxArgs {
    /// User name to sign in with (password from CHARTDESK_PASSWORD or a prompt); before the
    /// action: `chartdesk outbox --user NAME retry ID`.
    #[arg(long)]
    user: String,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Settle one item instead of listing them.
    #[command(subcommand)]
    action: Option<OutboxAction>,
}

#[derive(clap::Subcommand)]
pub enum OutboxAction {
    /// Send a refused item again now (e.g. after making room in preop).
    Retry {
        /// The item's doc id (from `chartdesk outbox`).
        id: String,
        /// If preop is full, replace its oldest image.
        #[arg(long)]
        replace_oldest: bool,
    },
    /// Remove an item without sending it.
    Discard {
        /// The item's doc id (from `chartdesk outbox`).
        id: String,
    },
}

/// Queues each file (refusals reported at once with their reason) and sends the outbox
/// while the rest are still being queued. Exits non-zero if any file was refused or is still
/// waiting.
pub async fn run(profile: &str, args: UploadArgs) -> anyhow::Result<()> {
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let started = Instant::now();
    let mut refused = 0usize;
    let mut mine = Vec::with_capacity(args.files.len());
    let to = Destination {
        mrn: &args.mrn,
        category: &args.category,
        replace_oldest: args.replace_oldest,
    };
    let total = args.files.len();
    let bars = Bars::new();
    let report = services
        .outbox()
        .queue_and_send(
            &args.files,
            to,
            usize::from(args.jobs),
            |item| bars.bar_for(item),
            &bars.cancel,
            |_, queued| {
                match queued {
                    Ok(doc_id) => mine.push(doc_id.to_string()),
                    Err(e) => {
                        bars.say(&format!("refused  {e}"));
                        refused += 1;
                    }
                }
                // From here a crash or a dropped network loses nothing: `chartdesk sync`
                // sends what is left.
                if mine.len() + refused == total && !mine.is_empty() {
                    bars.suspend(|| {
                        println!(
                            "{} file(s) safe in the outbox after {:.2} s",
                            mine.len(),
                            started.elapsed().as_secs_f64()
                        )
                    });
                }
            },
        )
        .await?;
    bars.print(&report);
    // The run's word is about the files it was given; items left from earlier runs are
    // mentioned, never counted against it.
    let own = own_share(&report, &mine);
    println!(
        "{} of {} files added in {:.1} s",
        own.sent,
        total,
        started.elapsed().as_secs_f64()
    );
    let not_queued = total - mine.len() - refused;
    if not_queued > 0 {
        eprintln!("{not_queued} file(s) were not queued: the run was stopped before them");
    }
    let earlier = report.sent + report.failed + report.left - (own.sent + own.failed + own.left);
    if earlier > 0 {
        eprintln!(
            "({earlier} item(s) from earlier runs were also in the outbox; `chartdesk outbox` lists any still waiting)"
        );
    }
    finish(&own, refused + not_queued)
}

/// The part of a drain that concerns `mine` (the doc ids this run queued).
fn own_share(report: &DrainReport, mine: &[String]) -> DrainReport {
    let items: Vec<_> = report
        .items
        .iter()
        .filter(|i| mine.contains(&i.doc_id))
        .cloned()
        .collect();
    let count = |word: &str| items.iter().filter(|i| i.outcome == word).count() as u32;
    DrainReport {
        sent: count("sent"),
        failed: count("failed"),
        left: count("left"),
        items,
    }
}

/// Sends whatever waits in the outbox; non-zero exit if anything is left.
pub async fn sync(profile: &str, args: SyncArgs) -> anyhow::Result<()> {
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let report = drain(&services, args.jobs).await?;
    println!("{} sent", report.sent);
    finish(&report, 0)
}

pub async fn outbox(profile: &str, args: OutboxArgs) -> anyhow::Result<()> {
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let items = services.outbox().items().await?;
    if let Some(action) = args.action {
        let id = match &action {
            OutboxAction::Retry { id, .. } | OutboxAction::Discard { id } => id.clone(),
        };
        if !items.iter().any(|i| i.doc_id == id) {
            anyhow::bail!("No item {id} waits in the outbox (`chartdesk outbox` lists them)");
        }
        return match action {
            OutboxAction::Discard { .. } => {
                services.outbox().discard_outbox_item(&id).await?;
                println!("discarded {id}");
                Ok(())
            }
            OutboxAction::Retry { replace_oldest, .. } => {
                services
                    .outbox()
                    .retry_outbox_item(&id, replace_oldest)
                    .await?;
                let report = drain(&services, 2).await?;
                finish(&own_share(&report, &[id]), 0)
            }
        };
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(());
    }
    if items.is_empty() {
        println!("The outbox is empty.");
    }
    for i in &items {
        println!(
            "{:<7} {}  MRN {}  {:<10} {} ({}){}",
            format!("{:?}", i.state).to_lowercase(),
            i.queued_at,
            i.mrn,
            i.category,
            i.file_name,
            HumanBytes(i.size),
            i.last_error
                .as_deref()
                .map(|e| format!("  last try: {e}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// Sends whatever waits in the outbox, with `Bars`.
async fn drain(services: &Services, jobs: u16) -> anyhow::Result<DrainReport> {
    let bars = Bars::new();
    let report = services
        .outbox()
        .drain_outbox_cancellable(usize::from(jobs), |item| bars.bar_for(item), &bars.cancel)
        .await?;
    bars.print(&report);
    Ok(report)
}

/// One progress bar per document; Ctrl+C cancels what is in flight (it stays queued).
struct Bars {
    bars: MultiProgress,
    cancel: CancellationToken,
}

impl Bars {
    fn new() -> Self {
        let cancel = CancellationToken::new();
        let on_interrupt = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_interrupt.cancel();
            }
        });
        Self {
            bars: MultiProgress::new(),
            cancel,
        }
    }

    fn bar_for(&self, item: &OutboxItem) -> Arc<Progress> {
        let bar = self.bars.add(ProgressBar::new(item.size));
        bar.set_style(
            ProgressStyle::with_template("{msg:30!} [{bar:30}] {bytes}/{total_bytes} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(item.file_name.clone());
        let cancel = self.cancel.clone();
        Progress::new(move |sent, total| {
            if cancel.is_cancelled() {
                bar.abandon();
                return;
            }
            bar.set_length(total);
            bar.set_position(sent);
            if sent == total && total > 0 {
                bar.finish_and_clear();
            }
        })
    }

    /// A line on stderr above the bars.
    fn say(&self, line: &str) {
        self.suspend(|| eprintln!("{line}"));
    }

    fn suspend(&self, f: impl FnOnce()) {
        self.bars.suspend(f);
    }

    /// The bars cleared, then each item's outcome.
    fn print(&self, report: &DrainReport) {
        self.bars.clear().ok();
        for item in &report.items {
            let line = format!(
                "{:<8} {}{}",
                match item.outcome.as_str() {
                    "sent" => "added",
                    "failed" => "refused",
                    _ => "queued",
                },
                item.file_name,
                item.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_else(|| format!(" as {}", item.doc_id))
            );
            if item.outcome == "sent" {
                println!("{line}");
            } else {
                eprintln!("{line}");
            }
        }
    }
}

fn finish(report: &DrainReport, refused: usize) -> anyhow::Result<()> {
    if report.left > 0 {
        anyhow::bail!(
            // Not only the network: a record busy with another complete leaves a file too.
            "{} file(s) still wait in the outbox, each for the reason above; run `chartdesk sync` to try them again",
            report.left
        );
    }
    if report.failed as usize + refused > 0 {
        anyhow::bail!(
            "{} file(s) were not added (see the reasons above; `chartdesk outbox` lists those waiting for a decision)",
            report.failed as usize + refused
        );
    }
    Ok(())
}
