use clap::Args;

use chartdesk::Services;

#[derive(Args)]
pub struct FindArgs {
    /// User name to sign in with (password from CHARTDESK_PASSWORD or a prompt).
    #[arg(long)]
    user: String,
    /// NHS number (e.g. "943 476 5919") or MRN.
    query: String,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// For a restricted record: why you open it (direct_care, clinical_emergency,
    /// safeguarding, other). Recorded in the audit trail.
    #[arg(long)]
    reason: Option<String>,
    /// Your own words for the reason (needed with `other`).
    #[arg(long)]
    detail: Option<String>,
}

pub async fn run(profile: &str, args: FindArgs) -> anyhow::Result<()> {
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let reason = match &args.reason {
        Some(r) => Some(chartdesk_domain::StatedReason::parse(
            Some(r),
            args.detail.as_deref(),
        )?),
        None => None,
    };
    // The record as the server has it now (audited), never only the copy cached on this
    // computer; that copy only when the server cannot be reached, and then said so.
    let summary = services
        .patients()
        .find_current(&args.query, reason)
        .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
    }
    if let Some(at) = &summary.synced_at {
        println!("Offline — showing the copy saved on this computer at {at}");
    }
    let b = &summary.banner;
    println!(
        "{}  NHS {}  born {}  MRN {}",
        b.display_name, b.nhs_number, b.birth_date, b.mrn
    );
    if b.restricted {
        println!("  RESTRICTED RECORD");
    }
    if b.superseded {
        println!("  SUPERSEDED RECORD");
    }
    for t in &summary.tiles {
        let colour = if t.has_documents { "blue" } else { "grey" };
        println!("  {:<10} {:>3}  {colour}", t.label, t.count);
    }
    Ok(())
}
