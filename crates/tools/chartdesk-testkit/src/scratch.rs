//! One temp folder per test process for what its shared statics hold: the cloud's profile,
//! caches and logs, the scanner's database, s3s-fs's buckets. A static is never dropped, so
//! its `TempDir` would outlive every run; instead a watcher removes the whole folder once this
//! process has ended, however it ended (the launcher's services stop the same way).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// Reads until this process's end closes its stdin, waits for the services (stopped by their
/// own watchers at the same moment) to let go of their files, then removes the folder ($1).
const JANITOR: &str = r#"read _; sleep 1; rm -rf -- "$1" || { sleep 2; rm -rf -- "$1"; }"#;

/// This test process's scratch folder (made on first use).
pub fn scratch() -> &'static Path {
    static SCRATCH: OnceLock<(PathBuf, Child)> = OnceLock::new();
    &SCRATCH
        .get_or_init(|| {
            let dir = tempfile::Builder::new()
                .prefix("chartdesk-tests-")
                .tempdir()
                .unwrap()
                .keep();
            let janitor = Command::new("sh")
                .arg("-c")
                .arg(JANITOR)
                .arg("chartdesk-tests-janitor")
                .arg(&dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                // Its own group: a Ctrl+C meant for the tests does not stop it before it cleans.
                .process_group(0)
                .spawn()
                .unwrap();
            (dir, janitor)
        })
        .0
}

/// A new folder inside `scratch()`.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir_in(scratch()).unwrap()
}
