//! The virus verdict, from the scanner the deployment chose: ClamAV (clamd, beside the worker)
//! or GuardDuty Malware Protection for S3 (it tags the object and sends a result event).

use std::path::Path;

use chartdesk_records::store::RecordStore;

use crate::clamd;
use crate::ProcessError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    Infected,
    /// No verdict yet (GuardDuty has not finished): the document stays *pending*.
    NotYet,
    /// The scanner could not check the file (unsupported, denied, failed): never served.
    Unscannable,
}

impl Verdict {
    /// GuardDuty's `scanResultStatus` / `GuardDutyMalwareScanStatus` tag values.
    pub fn from_guardduty(status: &str) -> Self {
        match status {
            "NO_THREATS_FOUND" => Verdict::Clean,
            "THREATS_FOUND" => Verdict::Infected,
            "UNSUPPORTED" | "ACCESS_DENIED" | "FAILED" => Verdict::Unscannable,
            _ => Verdict::NotYet,
        }
    }
}

/// GuardDuty's tag on a scanned object.
pub const GUARDDUTY_TAG: &str = "GuardDutyMalwareScanStatus";

#[derive(Debug, Clone)]
pub enum Scanner {
    /// clamd's INSTREAM over TCP (`host:port`).
    ClamAv {
        addr: String,
    },
    GuardDuty,
}

impl Scanner {
    /// The verdict on the original at `key`, whose bytes are at `path`.
    pub async fn verdict(
        &self,
        store: &dyn RecordStore,
        key: &str,
        path: &Path,
    ) -> Result<Verdict, ProcessError> {
        match self {
            Scanner::ClamAv { addr } => clamd::scan_file(addr, path).await,
            Scanner::GuardDuty => Ok(store
                .tag(key, GUARDDUTY_TAG)
                .await?
                .map(|v| Verdict::from_guardduty(&v))
                .unwrap_or(Verdict::NotYet)),
        }
    }
}
