//! Listing keys under a prefix: all of them, or one page at a time.

use super::{classify, ObjectStore, StoreError};

impl ObjectStore {
    /// Every key under `prefix` (all pages).
    pub async fn list_keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(classify)?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_string)),
            );
        }
        Ok(keys)
    }

    /// One page of keys under `prefix` in S3's (lexical) order: at most `max` (S3 caps a page
    /// at 1000), starting after `start_after`.
    pub async fn list_keys_page(
        &self,
        prefix: &str,
        start_after: Option<&str>,
        max: i32,
    ) -> Result<Vec<String>, StoreError> {
        let page = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .set_start_after(start_after.map(str::to_string))
            .max_keys(max)
            .send()
            .await
            .map_err(classify)?;
        Ok(page
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect())
    }

    /// The "folders" directly under `prefix` (keys cut at the next `/`, all pages): one per
    /// patient under `patients/`, however many objects each holds.
    pub async fn list_prefixes(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut prefixes = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .delimiter("/")
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(classify)?;
            prefixes.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_string)),
            );
        }
        Ok(prefixes)
    }
}
