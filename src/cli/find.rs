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
}

pub async fn run(profile: &str, args: FindArgs) -> anyhow::Result<()> {
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let summary = services.find_patient(&args.query).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
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
