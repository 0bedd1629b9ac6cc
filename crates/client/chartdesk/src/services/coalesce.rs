//! Requests made at about the same time sent as one (issue 25 item 1): the window adds each
//! file on its own, and each added file used to be completed alone, so a dozen dropped at once
//! raced a dozen compare-and-swaps on one manifest. Whoever finds a lane free sends everything
//! waiting; those who arrive while every lane is busy go together in the next one. One lane
//! (completes: one compare-and-swap at a time) or a few (starts: a start waiting for another's
//! round trip was the pipeline's bottleneck on a distant network).

use std::future::Future;
use std::sync::Mutex;

use tokio::sync::oneshot;

/// Items waiting for the next batch, each with where its answer goes.
type Waiting<T, R> = Vec<(Vec<T>, oneshot::Sender<Vec<R>>)>;

pub(in crate::services) struct Coalescer<T, R> {
    waiting: Mutex<Waiting<T, R>>,
    /// A permit held while a batch is in flight: with every lane busy, the next one gathers.
    lanes: tokio::sync::Semaphore,
}

impl<T, R> Default for Coalescer<T, R> {
    fn default() -> Self {
        Self::with_lanes(1)
    }
}

impl<T, R> Coalescer<T, R> {
    /// At most `lanes` batches in flight at once.
    pub fn with_lanes(lanes: usize) -> Self {
        Self {
            waiting: Mutex::new(Vec::new()),
            lanes: tokio::sync::Semaphore::new(lanes.max(1)),
        }
    }

    /// Sends `items` with whatever else is waiting, through `send` (one answer per item, in
    /// order); the answers for `items`. `lost` answers an item whose batch ended without one.
    pub async fn submit<F, Fut>(&self, items: Vec<T>, send: F, lost: impl Fn() -> R) -> Vec<R>
    where
        F: Fn(Vec<T>) -> Fut,
        Fut: Future<Output = Vec<R>>,
    {
        let count = items.len();
        let (tx, rx) = oneshot::channel();
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.push((items, tx));
        }
        {
            // Never closed: a failed acquire only means no lane to wait for.
            let _turn = self.lanes.acquire().await.ok();
            let batch = match self.waiting.lock() {
                Ok(mut waiting) => std::mem::take(&mut *waiting),
                Err(_) => Vec::new(),
            };
            // Empty when an earlier turn already sent these items.
            if !batch.is_empty() {
                let sizes: Vec<usize> = batch.iter().map(|(items, _)| items.len()).collect();
                let (all, replies): (Vec<Vec<T>>, Vec<_>) = batch.into_iter().unzip();
                let mut answers = send(all.into_iter().flatten().collect()).await.into_iter();
                for (size, reply) in sizes.into_iter().zip(replies) {
                    let mine: Vec<R> = answers.by_ref().take(size).collect();
                    let _ = reply.send(mine);
                }
            }
        }
        let mut answers = rx.await.unwrap_or_default();
        // A short answer (never expected) still gives each item its own.
        answers.resize_with(count, lost);
        answers
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn callers_arriving_while_a_batch_is_out_go_together_and_each_gets_its_own_answers() {
        let coalescer = Arc::new(Coalescer::<u32, u32>::default());
        let batches = Arc::new(AtomicUsize::new(0));
        let send = |items: Vec<u32>| {
            let batches = batches.clone();
            async move {
                batches.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                items.into_iter().map(|i| i * 10).collect::<Vec<_>>()
            }
        };
        let calls = (0..12u32).map(|i| {
            let coalescer = coalescer.clone();
            async move { coalescer.submit(vec![i, i + 100], send, || 0).await }
        });
        let answers = futures_util::future::join_all(calls).await;
        for (i, answer) in answers.into_iter().enumerate() {
            let i = i as u32;
            assert_eq!(answer, [i * 10, (i + 100) * 10]);
        }
        let sent = batches.load(Ordering::SeqCst);
        assert!(sent <= 2, "12 callers at once went in {sent} batches");
    }

    #[tokio::test]
    async fn with_two_lanes_a_second_batch_goes_while_the_first_is_out() {
        let coalescer = Arc::new(Coalescer::<u32, u32>::with_lanes(2));
        let (release, held) = tokio::sync::watch::channel(false);
        let out = Arc::new(AtomicUsize::new(0));
        let counted = out.clone();
        let send = move |items: Vec<u32>| {
            let (mut held, out) = (held.clone(), counted.clone());
            async move {
                out.fetch_add(1, Ordering::SeqCst);
                let _ = held.wait_for(|go| *go).await;
                items
            }
        };
        let first = tokio::spawn({
            let (c, send) = (coalescer.clone(), send.clone());
            async move { c.submit(vec![1], send, || 0).await }
        });
        let second = tokio::spawn({
            let c = coalescer.clone();
            async move { c.submit(vec![2], send, || 0).await }
        });
        // Both out at once, neither waiting for the other's answer (a hang is a failure).
        let both_out = async {
            while out.load(Ordering::SeqCst) < 2 {
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(5), both_out)
            .await
            .expect("the second batch went while the first was out");
        release.send_replace(true);
        assert_eq!(first.await.unwrap(), [1]);
        assert_eq!(second.await.unwrap(), [2]);
    }

    #[tokio::test]
    async fn a_short_answer_leaves_no_caller_without_one() {
        let coalescer = Coalescer::<u32, Option<u32>>::default();
        let answers = coalescer
            .submit(vec![1, 2, 3], |_| async { vec![Some(1)] }, || None)
            .await;
        assert_eq!(answers, [Some(1), None, None]);
    }
}
