use clap::Args;

use chartdesk::Services;
use chartdesk_domain::Category;

#[derive(Args)]
pub struct DocsArgs {
    /// User name to sign in with (password from CHARTDESK_PASSWORD or a prompt).
    #[arg(long)]
    user: String,
    /// The patient's MRN.
    #[arg(long)]
    mrn: String,
    /// Only this category (preop, lab, radiology, intraop, ot_notes, postop, discharge).
    #[arg(long)]
    category: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Lists a patient's attached documents, per category, newest first.
pub async fn run(profile: &str, args: DocsArgs) -> anyhow::Result<()> {
    let services = Services::start(profile).await?;
    super::sign_in(&services, &args.user).await?;
    let categories: Vec<&str> = match &args.category {
        Some(c) => vec![c.as_str()],
        None => Category::ALL.iter().map(|c| c.id()).collect(),
    };
    let mut rows = Vec::new();
    for category in categories {
        rows.extend(services.documents().list(&args.mrn, category).await?);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    for r in &rows {
        let stamp = r.stamp.as_deref().unwrap_or("");
        println!(
            "{:<10} {:<36} {:<25} {:>9}  {:<12} {stamp}",
            r.category.id(),
            r.id,
            r.file_name,
            r.size,
            &r.created[..10.min(r.created.len())]
        );
    }
    Ok(())
}
