//! `chartdesk sandbox seed-patient`: a patient of the caller's own, written with the sandbox's
//! administrator keys (the saved `sandbox` profile), as the Rust test kit writes them.

use anyhow::Context;
use chartdesk::cloud::CloudClients;
use chartdesk::config::{Folders, Profile};
use chartdesk::services::system_clock;
use chartdesk_domain::{Category, Mrn};
use chartdesk_sandbox::SANDBOX_PROFILE;

pub async fn run(mrn: &str, categories: &[String], json: bool) -> anyhow::Result<()> {
    let mrn = Mrn::from_stored(mrn).map_err(|_| anyhow::anyhow!("That is not an MRN"))?;
    let categories = categories
        .iter()
        .map(|id| Category::from_id(id).with_context(|| format!("There is no category {id}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let profile = Profile::load(&Folders::from_env()?, SANDBOX_PROFILE)?;
    let store = CloudClients::new(&profile).await.store(&profile);
    let patient = chartdesk_sandbox::seed_patient(&store, &mrn, &categories, system_clock()())
        .await
        .context("Seeding the patient failed (is the MRN taken?)")?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "mrn": patient.mrn.as_ref(),
                "nhs_number": String::from(patient.nhs_number),
                "given_name": patient.given_name,
                "family_name": patient.family_name,
                "documents": categories.len(),
            })
        );
    } else {
        println!(
            "Seeded patient {} ({} documents)",
            mrn.as_ref(),
            categories.len()
        );
    }
    Ok(())
}
