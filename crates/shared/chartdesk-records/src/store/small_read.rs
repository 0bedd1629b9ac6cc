//! Reading an object only when it is small: one ranged GET, so a large object is never read
//! whole to find out that it is too large (a list's inline thumbnails).

use super::{classify, Failure, ObjectStore, StoreError};

impl ObjectStore {
    /// The object's bytes when it holds at most `max` of them; `None` when it is larger or
    /// missing. One GET of the first `max + 1` bytes.
    pub async fn get_small(&self, key: &str, max: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.watched(async {
            let sent = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(key)
                .range(format!("bytes=0-{max}"))
                .send()
                .await;
            let out = match sent {
                Ok(out) => out,
                Err(e) => {
                    return match classify(e) {
                        Failure::Service { status: 404, .. } => Ok(None),
                        other => Err(other.into()),
                    }
                }
            };
            let bytes = out
                .body
                .collect()
                .await
                .map_err(|_| StoreError::Unreachable)?
                .into_bytes();
            Ok((bytes.len() as u64 <= max).then(|| bytes.to_vec()))
        })
        .await
    }
}
