//! Why a document got no previews, in words a records admin can act on. No file names or
//! paths: the worker logs these by kind.

#[derive(Debug, thiserror::Error)]
pub enum RenditionError {
    #[error("this kind of file has no previews")]
    UnsupportedType,
    #[error("the file is not the {claimed} it claims to be")]
    NotWhatItClaims { claimed: &'static str },
    #[error("the image could not be read")]
    UnreadableImage,
    #[error("a page uses a colour format that cannot be previewed")]
    UnsupportedColour,
    #[error("the image is too large to preview ({width} x {height} pixels; at most {max_megapixels} million)")]
    TooLarge {
        width: u32,
        height: u32,
        max_megapixels: u64,
    },
    #[error("the document has too many pages to preview (at most {max})")]
    TooManyPages { max: u32 },
    #[error("the PDF could not be read")]
    BrokenPdf,
    #[error("making the preview took too long")]
    TimedOut,
    #[error("the PDF tools (poppler) are not installed")]
    ToolMissing,
    #[error("the file could not be read from disk")]
    Io(#[from] std::io::Error),
}
