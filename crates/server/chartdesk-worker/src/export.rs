//! A FHIR bulk export job (`exports/jobs/{job}.json`, written by the records server's
//! `$export` kick-off): each patient's Patient and DocumentReferences, mapped as the read API
//! maps them (`chartdesk_fhir`), written as NDJSON under `exports/{job}/`, then a create-only
//! outcome the status route reads. Asynchronous here so the kick-off stays short and a large
//! export fits a worker Lambda's time rather than an API request's.

use chartdesk_domain::{keys, Mrn, Patient};
use chartdesk_fhir::bulk::{
    job_key, outcome_key, output_key, record_document, searchable, ExportJob, ExportOutcome,
    OutputFile, ResourceKind,
};
use chartdesk_fhir::outcome::{outcome, SpineCode};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::StoreError;
use serde::Serialize;
use uuid::Uuid;

use crate::{Handled, ProcessError, Worker};

/// Runs one job; a job already done, or removed (cancelled) before it ran, is left alone. On
/// the last delivery a failure is recorded as the job's outcome, so its status says so.
pub(crate) async fn run(
    worker: &Worker,
    job: Uuid,
    last_attempt: bool,
) -> Result<Handled, ProcessError> {
    if worker.store().exists(&outcome_key(job)).await? {
        return Ok(Handled::AlreadyDone);
    }
    let Some(asked) = worker.store().get_json::<ExportJob>(&job_key(job)).await? else {
        return Ok(Handled::NotOurs);
    };
    let result = match export(worker, &asked.value).await {
        Ok(done) => done,
        Err(e) if last_attempt => {
            tracing::warn!(kind = e.kind(), "an export gave up after its retries");
            ExportOutcome {
                transaction_time: worker.now(),
                output: Vec::new(),
                errors: None,
                failed: Some("The export could not be made: the records could not be read".into()),
            }
        }
        Err(e) => return Err(e),
    };
    match worker
        .store()
        .put_json(&outcome_key(job), &result, Write::Create)
        .await
    {
        // An earlier delivery finished first: its outcome stands.
        Ok(_) | Err(StoreError::Conflict) => Ok(Handled::Exported),
        Err(e) => Err(e.into()),
    }
}

/// NDJSON lines of one resource type, and how many.
#[derive(Default)]
struct Lines {
    body: Vec<u8>,
    count: u32,
}

impl Lines {
    fn push<T: Serialize>(&mut self, resource: &T) {
        if let Ok(line) = serde_json::to_vec(resource) {
            self.body.extend_from_slice(&line);
            self.body.push(b'\n');
            self.count += 1;
        }
    }
}

async fn export(worker: &Worker, job: &ExportJob) -> Result<ExportOutcome, ProcessError> {
    let transaction_time = worker.now();
    let (mut patients, mut documents, mut errors) =
        (Lines::default(), Lines::default(), Lines::default());
    for stored in &job.mrns {
        let Some(patient) = read_patient(worker, stored).await? else {
            // Removed since the kick-off checked it: said in the error file, by MRN only.
            errors.push(&outcome(
                "not-found",
                Some(SpineCode::PatientNotFound),
                &format!("No patient found with MRN {stored}"),
            ));
            continue;
        };
        patients.push(&chartdesk_fhir::patient::patient(&patient, &job.mrn_system));
        let manifest = chartdesk_records::read_manifest(worker.store(), &patient.mrn)
            .await?
            .map(|v| v.value)
            .unwrap_or_default();
        let changed = |e: &chartdesk_domain::DocumentEntry| match (job.since, e.last_changed()) {
            (Some(since), Some(at)) => at > since,
            _ => true,
        };
        for entry in searchable(&manifest, job.include_history)
            .into_iter()
            .filter(|e| changed(e))
        {
            if let Some(resource) = record_document(&patient, entry) {
                documents.push(&resource);
            }
        }
    }
    let mut output = Vec::new();
    for (kind, lines) in [
        (ResourceKind::Patient, patients),
        (ResourceKind::DocumentReference, documents),
    ] {
        if job.types.contains(&kind) {
            output.push(write(worker, output_key(job.id, kind), kind.name(), lines).await?);
        }
    }
    let errors = if errors.count > 0 {
        let key = format!(
            "{}OperationOutcome.ndjson",
            chartdesk_fhir::bulk::outputs_prefix(job.id)
        );
        Some(write(worker, key, "OperationOutcome", errors).await?)
    } else {
        None
    };
    Ok(ExportOutcome {
        transaction_time,
        output,
        errors,
        failed: None,
    })
}

async fn read_patient(worker: &Worker, stored: &str) -> Result<Option<Patient>, ProcessError> {
    let Ok(mrn) = Mrn::from_stored(stored) else {
        return Ok(None);
    };
    Ok(worker
        .store()
        .get_json::<Patient>(&keys::patient(&mrn))
        .await?
        .map(|v| v.value))
}

/// One file, replaced whole on a redelivery (the outcome, written after, is what is create-only).
async fn write(
    worker: &Worker,
    key: String,
    resource_type: &str,
    lines: Lines,
) -> Result<OutputFile, ProcessError> {
    worker
        .store()
        .put_bytes(
            &key,
            lines.body,
            chartdesk_fhir::bulk::NDJSON,
            Write::Overwrite,
        )
        .await?;
    Ok(OutputFile {
        resource_type: resource_type.into(),
        key,
        count: lines.count,
    })
}

#[cfg(test)]
mod tests {
    use chartdesk_fhir::bulk::job_of_key;

    use crate::{notices, Notice};

    #[test]
    fn a_job_object_s_creation_notice_names_the_job() {
        let job = uuid::Uuid::now_v7();
        let key = chartdesk_fhir::bulk::job_key(job);
        let body = format!(
            r#"{{"Records":[{{"eventName":"ObjectCreated:Put","s3":{{"bucket":{{"name":"records"}},"object":{{"key":"{key}"}}}}}}]}}"#
        );
        let found = notices(&body, "records");
        assert_eq!(found, vec![Notice::Landed { key: key.clone() }]);
        assert_eq!(job_of_key(&key), Some(job));
        // Its files, written next, are not jobs: their notices (if any) do nothing.
        let output = chartdesk_fhir::bulk::outcome_key(job);
        assert_eq!(job_of_key(&output), None);
    }

    #[test]
    fn an_eventbridge_notice_of_a_job_names_the_job() {
        let job = uuid::Uuid::now_v7();
        let key = chartdesk_fhir::bulk::job_key(job);
        let body = format!(
            r#"{{"detail-type":"Object Created","source":"aws.s3","detail":{{"bucket":{{"name":"records"}},"object":{{"key":"{key}"}}}}}}"#
        );
        let keys: Vec<Option<uuid::Uuid>> = notices(&body, "records")
            .into_iter()
            .map(|n| match n {
                Notice::Landed { key } => job_of_key(&key),
                Notice::Scanned { .. } => None,
            })
            .collect();
        assert_eq!(keys, vec![Some(job)]);
    }
}
