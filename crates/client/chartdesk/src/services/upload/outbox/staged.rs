//! An outbox item staged for the pipeline: claimed and declared first, then started with the
//! other items ready at the same time (one request for them all), then its bytes sent.

use std::sync::Arc;

use chartdesk_api::{StartUpload, StartedUpload};
use tokio_util::sync::CancellationToken;

use super::round::{Claim, Sending, SentItem};
use crate::cache::OutboxItem;
use crate::cloud::ServerError;
use crate::services::upload::send::Declared;
use crate::services::upload::sender::Sender;
use crate::services::AppError;
use chartdesk_records::store::Progress;

/// An outbox item claimed and made ready, waiting for its start (`claim_and_declare`).
pub(in crate::services) struct Staged {
    pub item: OutboxItem,
    claim: Option<Claim>,
    progress: Arc<Progress>,
    cancel: CancellationToken,
    stage: Result<Stage, AppError>,
}

impl Staged {
    /// What to start, when it is ready to be started.
    pub(in crate::services) fn declaration(&self) -> Option<&StartUpload> {
        match &self.stage {
            Ok(Stage::Declared(declared)) => Some(&declared.prepared.start),
            _ => None,
        }
    }
}

enum Stage {
    Declared(Box<Declared>),
    Gone,
    Busy,
}

impl Sender<'_> {
    /// An item claimed and declared, its start not asked for yet: the pipeline starts the
    /// items ready at once in one request (`send_pipelined`).
    pub(in crate::services::upload) async fn claim_and_declare(
        self,
        cache: Option<&crate::cache::Cache>,
        item: OutboxItem,
        progress: &impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Staged {
        let cancel = cancel.child_token();
        let claim = match cache {
            Some(cache) => Claim::take(cache, &item.doc_id),
            None => Err(AppError::NoOfflineCache),
        };
        // Only an item this sender holds shows a transfer (another window may be sending it).
        let progress = match &claim {
            Ok(Some(_)) => progress(&item),
            _ => Progress::silent(),
        };
        let (claim, stage) = match claim {
            Ok(Some(claim)) => {
                let stage = match self.prepare_item(&item, &progress, &cancel).await {
                    Ok(Some(prepared)) => {
                        Ok(Stage::Declared(Box::new(self.declare(prepared).await)))
                    }
                    Ok(None) => Ok(Stage::Gone),
                    Err(e) => Err(e),
                };
                (Some(claim), stage)
            }
            Ok(None) => (None, Ok(Stage::Busy)),
            Err(e) => (None, Err(e)),
        };
        Staged {
            item,
            claim,
            progress,
            cancel,
            stage,
        }
    }

    /// The staged item's start, asked for now with any other waiting (`None`: nothing to
    /// start: it is gone, busy, or failed before).
    pub(in crate::services::upload) async fn start_staged(
        self,
        staged: &Staged,
    ) -> Option<Result<StartedUpload, AppError>> {
        let declared = staged.declaration()?.clone();
        Some(self.start(declared).await)
    }

    /// A staged item's bytes sent as its start answer says (`None`: it was not started), or
    /// what stopped it before.
    pub(in crate::services::upload) async fn send_staged(
        self,
        staged: Staged,
        started: Option<Result<StartedUpload, AppError>>,
    ) -> SentItem {
        let Staged {
            item,
            claim,
            progress,
            cancel,
            stage,
        } = staged;
        let result = match (stage, started) {
            (Ok(Stage::Declared(declared)), Some(Ok(started))) => self
                .send_started(*declared, started, &progress, &cancel)
                .await
                .map(|complete| Sending::Ready(Box::new(complete))),
            (Ok(Stage::Declared(_)), Some(Err(e))) => Err(e),
            (Ok(Stage::Declared(_)), None) => Err(ServerError::Malformed.into()),
            (Ok(Stage::Gone), _) => Ok(Sending::Gone),
            (Ok(Stage::Busy), _) => Ok(Sending::Busy),
            (Err(e), _) => Err(e),
        };
        SentItem {
            item,
            claim,
            result,
        }
    }
}
