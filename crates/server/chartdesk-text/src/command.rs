//! Running one text tool: no shell, its own working directory, stdin closed, and killed when the
//! document's time budget runs out. Paths handed to a tool are ours, never a user's file name.

use std::ffi::OsStr;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use crate::error::TextError;

/// The time one document may take, across every tool it needs.
pub(crate) struct Budget {
    started: Instant,
    total: Duration,
}

impl Budget {
    pub(crate) fn new(total: Duration) -> Self {
        Budget {
            started: Instant::now(),
            total,
        }
    }

    fn remaining(&self) -> Option<Duration> {
        self.total
            .checked_sub(self.started.elapsed())
            .filter(|left| !left.is_zero())
    }

    pub(crate) fn timed_out(&self) -> TextError {
        TextError::TimedOut(self.total)
    }
}

/// Runs `program` in `dir` with `args`, its standard output written to `stdout` (a file of ours)
/// or dropped. Ok(true) when it exited with success, Ok(false) when it said the input was bad.
pub(crate) fn run(
    program: &'static str,
    args: &[&OsStr],
    dir: &Path,
    stdout: Option<&Path>,
    budget: &Budget,
) -> Result<bool, TextError> {
    let io = |source| TextError::Io {
        tool: program,
        source,
    };
    let left = budget.remaining().ok_or_else(|| budget.timed_out())?;
    let out = match stdout {
        Some(path) => Stdio::from(File::create(path).map_err(io)?),
        None => Stdio::null(),
    };
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        // One thread for tesseract: the worker already runs documents side by side, and
        // OpenMP's threads on a small Lambda only slow each page down.
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => TextError::ToolMissing { tool: program },
            _ => io(source),
        })?;
    let waited = child.wait_timeout(left);
    match waited {
        Ok(Some(status)) => Ok(status.success()),
        Ok(None) => {
            stop(&mut child);
            Err(budget.timed_out())
        }
        Err(source) => {
            stop(&mut child);
            Err(io(source))
        }
    }
}

fn stop(child: &mut std::process::Child) {
    // Already gone is fine: either way nothing is left running.
    let _ = child.kill();
    let _ = child.wait();
}

/// A tool's text output, at most `max_bytes` of it, as UTF-8 (invalid bytes replaced), and
/// whether there was more.
pub(crate) fn read_capped(
    path: &Path,
    max_bytes: u64,
    tool: &'static str,
) -> Result<(String, bool), TextError> {
    let io = |source| TextError::Io { tool, source };
    let mut bytes = Vec::new();
    File::open(path)
        .map_err(io)?
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let cut = bytes.len() as u64 > max_bytes;
    bytes.truncate(usize::try_from(max_bytes).unwrap_or(usize::MAX));
    Ok((String::from_utf8_lossy(&bytes).into_owned(), cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_still_running_when_the_budget_ends_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let budget = Budget::new(Duration::from_millis(200));
        let started = Instant::now();
        let outcome = run("sleep", &["60".as_ref()], dir.path(), None, &budget);
        assert!(
            matches!(outcome, Err(TextError::TimedOut(_))),
            "{outcome:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the call returned without waiting for the tool to finish"
        );
    }

    #[test]
    fn a_missing_tool_is_named_not_reported_as_a_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        let budget = Budget::new(Duration::from_secs(5));
        let outcome = run("chartdesk-no-such-tool", &[], dir.path(), None, &budget);
        assert!(
            matches!(
                outcome,
                Err(TextError::ToolMissing {
                    tool: "chartdesk-no-such-tool"
                })
            ),
            "{outcome:?}"
        );
    }

    #[test]
    fn output_past_the_cap_is_cut_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "abcdef").unwrap();
        assert_eq!(
            read_capped(&path, 4, "test").unwrap(),
            ("abcd".into(), true)
        );
        assert_eq!(
            read_capped(&path, 6, "test").unwrap(),
            ("abcdef".into(), false)
        );
    }
}
