//! Runs one of poppler's commands: no shell, no input, killed when it overruns its time (a
//! hostile PDF can make a renderer loop). Its error output is dropped: it may name the file.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::RenditionError;

/// What a well-behaved command prints at most here (`pdfinfo`'s few lines).
const MAX_OUTPUT: u64 = 1 << 20;

/// The command's standard output, if it finished in time and succeeded.
pub(crate) fn run(command: &mut Command, timeout: Duration) -> Result<Vec<u8>, RenditionError> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => RenditionError::ToolMissing,
            _ => RenditionError::Io(e),
        })?;
    // Read beside the wait, so a command that fills the pipe cannot stall until the timeout.
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(stdout) = stdout {
            // A read error leaves the output short; the exit status decides success.
            let _ = stdout.take(MAX_OUTPUT).read_to_end(&mut out);
        }
        out
    });
    let status = match child.wait_timeout(timeout)? {
        Some(status) => status,
        None => {
            // Already exited between the wait and the kill is fine: it is reaped below.
            let _ = child.kill();
            child.wait()?;
            let _ = reader.join();
            return Err(RenditionError::TimedOut);
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(RenditionError::BrokenPdf);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_that_overruns_its_time_is_killed() {
        let mut sleep = Command::new("sleep");
        sleep.arg("30");
        let err = run(&mut sleep, Duration::from_millis(200)).unwrap_err();
        assert!(matches!(err, RenditionError::TimedOut), "{err:?}");
    }

    #[test]
    fn a_missing_tool_is_named_as_missing() {
        let mut missing = Command::new("chartdesk-no-such-tool");
        let err = run(&mut missing, Duration::from_secs(5)).unwrap_err();
        assert!(matches!(err, RenditionError::ToolMissing), "{err:?}");
    }
}
