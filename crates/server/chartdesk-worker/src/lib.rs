//! The processing worker (ARCHITECTURE.md §9): when an original lands, it is checked whole
//! against its record, scanned for viruses, previewed, read and compared with the rest of the
//! record, once, and the outcome is recorded in the manifest (compare-and-swap) and the audit as
//! the system's action. What a clinician is shown is never the uploader's word.
//!
//! One pass is a list of steps (`steps`); a later one (barcode cover sheets, wristbands) is one
//! more entry. The worker is told by the queue (`notice`), runs as a loop polling SQS beside the
//! records server (`queue`) or as a Lambda with an SQS event source (`lambda`).

mod clamd;
mod duplicates;
mod error;
mod export;
pub mod lambda;
pub mod notice;
mod outcome;
mod process;
pub mod queue;
mod renditions_step;
mod scanner;
pub mod scratch;
mod steps;
pub mod subscriptions;
mod text_step;

pub use error::ProcessError;
pub use notice::{landed_message, notices, Notice};
pub use process::{Handled, Worker, WorkerSettings};
pub use scanner::{Scanner, Verdict};

/// The audit's actor for what the worker does.
pub const SYSTEM_ACTOR: &str = "system (document processing)";
