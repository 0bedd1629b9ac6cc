//! The outbox drained as a pipeline: `jobs` items always sending (nobody waits for a round's
//! slowest file). Items are claimed, declared and started ahead of the sending (up to
//! `AHEAD_ITEMS`, within `AHEAD_MIB` of files), the starts asked for at about the same time in
//! one request; whatever has finished sending is
//! completed together in one request while the rest keep sending. So the server reads each
//! record once per batch, attaches a batch with one compare-and-swap per patient, and each
//! item stays under its claim until it is settled. Items come as a stream, so files still
//! being queued are sent as they land (issue 25).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

use super::round::{OnCancel, Outcome, SentItem};
use crate::cache::OutboxItem;
use crate::cloud::ServerError;
use crate::services::upload::sender::Sender;
use crate::services::AppError;
use chartdesk_records::store::Progress;

/// How far ahead of the senders items are claimed, declared and started: at most this many
/// items (each holds an open lock file: a desktop's open-file limit can be 256) and this many
/// MiB of their files. Enough that the starts of a batch of scans go in a few requests rather
/// than one or two a file (each reads the record on the server); little enough that a slow
/// link reaches an item well before half its URLs' 15 minutes are gone (128 MiB at 5 Mbit/s is
/// about 3.5 minutes), and that items queued before chunks do not wait with their bytes in
/// memory.
const AHEAD_ITEMS: usize = 32;
const AHEAD_MIB: u32 = 128;

/// What one item of a pipelined send came to, with its place in the stream.
pub(in crate::services) struct Piped {
    pub index: usize,
    pub item: OutboxItem,
    pub outcome: Result<Outcome, AppError>,
}

impl Sender<'_> {
    /// Sends `items` `jobs` at a time, as they come. Once a send finds no network (or
    /// `offline` is set already), the items not yet started are left queued without trying.
    pub(in crate::services::upload) async fn send_pipelined(
        self,
        items: impl Stream<Item = OutboxItem>,
        jobs: usize,
        progress: &impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
        offline: bool,
    ) -> Vec<Piped> {
        let cache = self.app.cache().await.ok();
        let offline = AtomicBool::new(offline);
        let (sent_tx, mut sent_rx) =
            tokio::sync::mpsc::unbounded_channel::<(usize, Result<SentItem, OutboxItem>)>();
        let jobs = jobs.max(1);
        // `jobs` items send their bytes at a time; up to `AHEAD_ITEMS` more (within
        // `AHEAD_MIB`) are claimed, declared and started ahead of them, so a start is rarely on
        // the path of a free sender, and the starts asked for meanwhile go as one request
        // (`Sender::start`; issue 25 item 1: with only `jobs` ahead, items came one at a time
        // as sends ended: a 24-file sync made 18 starts, a 100-file upload 56).
        let sending = tokio::sync::Semaphore::new(jobs);
        let ahead = tokio::sync::Semaphore::new(AHEAD_MIB as usize);
        let senders = async {
            items
                .enumerate()
                .for_each_concurrent(jobs + AHEAD_ITEMS, |(index, item)| {
                    let (sent_tx, cache, offline) = (sent_tx.clone(), cache.as_ref(), &offline);
                    let (sending, ahead) = (&sending, &ahead);
                    async move {
                        // Fair: items take their place ahead in the order they came.
                        let mib = item.size.div_ceil(1 << 20).clamp(1, u64::from(AHEAD_MIB));
                        let mib = u32::try_from(mib).unwrap_or(AHEAD_MIB);
                        let held = ahead.acquire_many(mib).await.ok();
                        if offline.load(Ordering::SeqCst) {
                            let _ = sent_tx.send((index, Err(item)));
                            return;
                        }
                        let staged = self.claim_and_declare(cache, item, progress, cancel).await;
                        let start = match staged.declaration() {
                            // Once the network is known gone, no more are asked for.
                            Some(_) if offline.load(Ordering::SeqCst) => {
                                Some(Err(ServerError::Unreachable.into()))
                            }
                            _ => self.start_staged(&staged).await,
                        };
                        let asked = std::time::Instant::now();
                        // Nothing to send (busy elsewhere, gone, refused): no longer ahead.
                        let held = held.filter(|_| matches!(start, Some(Ok(_))));
                        let _turn = sending.acquire().await;
                        // Sending now, no longer ahead.
                        drop(held);
                        // Its URLs may have run out while it waited (slow links, big files):
                        // asked again, which is idempotent, once half their time is gone.
                        let start = match (start, staged.declaration()) {
                            (Some(Ok(started)), Some(declared))
                                if asked.elapsed().as_secs() > started.expires_in_seconds / 2 =>
                            {
                                // The multipart upload the first answer opened goes on.
                                let mut again = declared.clone();
                                if let Some(opened) =
                                    started.objects.iter().find_map(|o| o.multipart.as_ref())
                                {
                                    again.resume_upload_id = Some(opened.upload_id.clone());
                                }
                                Some(self.start(again).await)
                            }
                            (start, _) => start,
                        };
                        let sent = self.send_staged(staged, start).await;
                        if sent.unreachable() {
                            offline.store(true, Ordering::SeqCst);
                        }
                        let _ = sent_tx.send((index, Ok(sent)));
                    }
                })
                .await;
            // The last sender gone closes the channel: the completer ends after the last batch.
            drop(sent_tx);
        };
        let completer = async {
            let mut outcomes = Vec::new();
            while let Some(first) = sent_rx.recv().await {
                let mut batch = vec![first];
                // Everything that finished while the previous batch was completing goes now.
                while let Ok(more) = sent_rx.try_recv() {
                    batch.push(more);
                }
                let (mut ready, mut sent_at) = (Vec::new(), Vec::new());
                for (index, sent) in batch {
                    match sent {
                        Ok(sent) => {
                            sent_at.push((index, sent.item.clone()));
                            ready.push(sent);
                        }
                        Err(item) => outcomes.push(Piped {
                            index,
                            item,
                            outcome: Ok(Outcome::Left(ServerError::Unreachable.into())),
                        }),
                    }
                }
                let settled = self.finish_sent(ready, OnCancel::KeepQueued).await;
                outcomes.extend(sent_at.into_iter().zip(settled).map(
                    |((index, item), outcome)| Piped {
                        index,
                        item,
                        outcome,
                    },
                ));
            }
            outcomes
        };
        let ((), outcomes) = tokio::join!(senders, completer);
        outcomes
    }
}
