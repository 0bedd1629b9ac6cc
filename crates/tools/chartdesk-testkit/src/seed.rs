//! Patients of a test's own (the sandbox module writes them: `chartdesk_sandbox::seed_patient`).

use chartdesk_domain::{Category, Mrn};

use crate::Cloud;

impl Cloud {
    /// Writes a patient record under `mrn` with one PDF per category given (uploaded by
    /// nurse.hughes, scanned clean), straight to the bucket as an administrator would, so a test
    /// that changes documents never races the tests that count the demo patients' documents.
    pub async fn seed_patient(&self, mrn: &str, categories: &[Category]) {
        let store = self.admin_store().await;
        let mrn = Mrn::from_stored(mrn).unwrap();
        // A seeded record is stamped with the real time, as an upload would be.
        #[allow(clippy::disallowed_methods)]
        let now = time::OffsetDateTime::now_utc();
        chartdesk_sandbox::seed_patient(&store, &mrn, categories, now)
            .await
            .unwrap_or_else(|e| panic!("seeding patient {mrn}: {e}"));
    }
}
