//! What a client's HTTP requests to this store's presigned `memory:` URLs do: the PUT of an
//! object or a part (checksum and condition checked, as S3 does) and the GET.

use super::{refused, InMemoryRecordStore};
use crate::store::object_store::{sha256_base64, Write};
use crate::store::record_store::Presigned;
use crate::store::StoreError;

fn header<'a>(request: &'a Presigned, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl InMemoryRecordStore {
    /// What a client's HTTP PUT of a presigned request does: checks the signed checksum and
    /// condition, stores the body; returns the ETag.
    pub fn send(&self, request: &Presigned, body: &[u8]) -> Result<String, StoreError> {
        let rest = request
            .url
            .strip_prefix("memory:")
            .ok_or_else(|| refused(400, "NotThisStore"))?;
        let sha256 = sha256_base64(body);
        if header(request, "x-amz-checksum-sha256") != Some(sha256.as_str()) {
            return Err(refused(400, "BadDigest"));
        }
        let Some((key, query)) = rest.split_once('?') else {
            let write = match header(request, "if-none-match") {
                Some("*") => Write::Create,
                _ => Write::Overwrite,
            };
            return self.store(rest, body.to_vec(), write, sha256);
        };
        let (id, number) = query
            .strip_prefix("upload=")
            .and_then(|q| q.split_once("&part="))
            .and_then(|(id, n)| Some((id, n.parse::<i32>().ok()?)))
            .ok_or_else(|| refused(400, "InvalidRequest"))?;
        let mut bucket = self.lock();
        bucket.counter += 1;
        let etag = format!("\"part-{}\"", bucket.counter);
        match bucket.uploads.get_mut(id) {
            Some(upload) if upload.key == key => {
                upload
                    .parts
                    .insert(number, (etag.clone(), body.to_vec(), sha256));
                Ok(etag)
            }
            _ => Err(refused(404, "NoSuchUpload")),
        }
    }

    /// What a client's HTTP GET of a presigned URL answers: the object's bytes.
    pub fn fetch(&self, url: &str) -> Result<Vec<u8>, StoreError> {
        let key = url
            .strip_prefix("memory:")
            .ok_or_else(|| refused(400, "NotThisStore"))?;
        self.lock()
            .objects
            .get(key)
            .map(|o| o.body.clone())
            .ok_or_else(|| refused(404, "NoSuchKey"))
    }
}
