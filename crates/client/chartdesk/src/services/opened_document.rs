//! What opening a document gives the viewer.

use chartdesk_api::DocumentView;

/// A document's bytes and what the viewer needs to show them.
pub struct OpenedDocument {
    /// The rendition these bytes are (an optimized view asked for offline may come back as the
    /// original kept before); `content_type` is theirs.
    pub view: DocumentView,
    pub content_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for OpenedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedDocument")
            .field("view", &self.view)
            .field("content_type", &self.content_type)
            .field("size", &self.bytes.len())
            .finish_non_exhaustive()
    }
}
