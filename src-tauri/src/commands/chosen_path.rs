//! A path the user chose in an OS dialog: the one way a command learns where to write, so the
//! path never comes from the web view.

use std::path::PathBuf;

use chartdesk::UiError;
use tauri_plugin_dialog::FilePath;

/// What the dialog `show` opens answers: `None` when the user closed it.
pub async fn chosen(
    show: impl FnOnce(Box<dyn FnOnce(Option<FilePath>) + Send>),
) -> Result<Option<PathBuf>, UiError> {
    let (sender, answer) = tokio::sync::oneshot::channel();
    show(Box::new(move |path| {
        let _ = sender.send(path);
    }));
    let Some(path) = answer.await.ok().flatten() else {
        return Ok(None);
    };
    path.into_path()
        .map(Some)
        .map_err(|_| UiError::invalid_request("Choose a folder on this computer"))
}
