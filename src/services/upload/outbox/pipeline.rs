//! The outbox drained as a pipeline: `jobs` items always in flight (nobody waits for a
//! round's slowest file), and whatever has finished sending is completed together in one
//! request while the rest keep sending. So the server still attaches a batch with one
//! compare-and-swap per patient, and each item stays under its claim until it is settled.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::round::{OnCancel, Outcome, SentItem};
use crate::cache::OutboxItem;
use crate::cloud::{Progress, ServerError};
use crate::services::{AppError, Services};

impl Services {
    /// Sends `items` `jobs` at a time; each outcome comes back with its index in `items`.
    /// Once a send finds no network (or `offline` is set already), the items not yet
    /// started are left queued without trying.
    pub(in crate::services) async fn send_pipelined(
        &self,
        items: &[OutboxItem],
        jobs: usize,
        progress: &impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
        offline: bool,
    ) -> Vec<(usize, Result<Outcome, AppError>)> {
        let cache = self.cache().await.ok();
        let offline = AtomicBool::new(offline);
        let (sent_tx, mut sent_rx) =
            tokio::sync::mpsc::unbounded_channel::<(usize, Option<SentItem<'_>>)>();
        let senders = async {
            futures_util::stream::iter(items.iter().enumerate())
                .for_each_concurrent(jobs.max(1), |(index, item)| {
                    let (sent_tx, cache, offline) = (sent_tx.clone(), cache.as_ref(), &offline);
                    async move {
                        if offline.load(Ordering::SeqCst) {
                            let _ = sent_tx.send((index, None));
                            return;
                        }
                        let sent = self.claim_and_send(cache, item, progress, cancel).await;
                        if sent.unreachable() {
                            offline.store(true, Ordering::SeqCst);
                        }
                        let _ = sent_tx.send((index, Some(sent)));
                    }
                })
                .await;
            // The last sender gone closes the channel: the completer ends after the last batch.
            drop(sent_tx);
        };
        let completer = async {
            let mut outcomes = Vec::with_capacity(items.len());
            while let Some(first) = sent_rx.recv().await {
                let mut batch = vec![first];
                // Everything that finished while the previous batch was completing goes now.
                while let Ok(more) = sent_rx.try_recv() {
                    batch.push(more);
                }
                let (mut ready, mut indexes) = (Vec::new(), Vec::new());
                for (index, sent) in batch {
                    match sent {
                        Some(sent) => {
                            ready.push(sent);
                            indexes.push(index);
                        }
                        None => outcomes
                            .push((index, Ok(Outcome::Left(ServerError::Unreachable.into())))),
                    }
                }
                let settled = self.finish_sent(ready, OnCancel::KeepQueued).await;
                outcomes.extend(indexes.into_iter().zip(settled));
            }
            outcomes
        };
        let ((), outcomes) = tokio::join!(senders, completer);
        outcomes
    }
}
