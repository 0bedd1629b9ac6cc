//! A service process that cannot outlive the process that started it.
//!
//! Each service runs under a one-line `sh` watcher in a process group of its own: the watcher
//! starts the service, then blocks reading its stdin, a pipe whose only writer is this process.
//! When this process closes the pipe (a clean stop) or dies in any way (SIGKILL included, the
//! kernel closes its descriptors), the read returns and the watcher stops the service and waits
//! for it. Why not `PR_SET_PDEATHSIG`: setting it in the child needs `unsafe` `pre_exec` (the
//! workspace forbids unsafe code), and it fires when the spawning *thread* ends, which in a test
//! process is the first test's thread. The own process group keeps a terminal's Ctrl+C away from
//! the watchers: the launcher handles it and stops them in order.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `"$@"` in the background, waits for end-of-file on stdin, then stops it and waits;
/// then removes the folder named in `REMOVE_AFTER_STOP`, if set (the service does not see it).
/// A TERM, HUP or INT sent to the watcher itself (a supervisor stopping every process) stops
/// the service the same way, rather than leaving it and its folder.
const WATCHER: &str = r#"after="$CHARTDESK_REMOVE_AFTER_STOP"; unset CHARTDESK_REMOVE_AFTER_STOP
"$@" & child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM HUP INT
read -r _; kill -TERM "$child" 2>/dev/null; wait "$child"; wait "$child" 2>/dev/null
[ -z "$after" ] || rm -rf -- "$after""#;

/// A service setting naming a folder its watcher removes once the service has stopped: its
/// working files go with it even when the launcher was killed and could not remove them.
pub const REMOVE_AFTER_STOP: &str = "CHARTDESK_REMOVE_AFTER_STOP";

/// How a service is started: its program, arguments and the settings it gets on top of the
/// launcher's environment.
#[derive(Debug, Clone)]
pub struct ServiceCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Settings of the launcher's environment the service must not see.
    pub env_remove: Vec<String>,
}

/// Where a service's stdout and stderr go: never the launcher's stdout, which carries its one
/// JSON line.
#[derive(Debug, Clone)]
pub enum LogTo {
    /// The launcher's stderr.
    Stderr,
    /// A file, appended to.
    File(PathBuf),
    Nowhere,
}

impl LogTo {
    fn stdio(&self) -> std::io::Result<Stdio> {
        Ok(match self {
            LogTo::Stderr => {
                use std::os::fd::AsFd;
                Stdio::from(std::io::stderr().as_fd().try_clone_to_owned()?)
            }
            LogTo::File(path) => Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            ),
            LogTo::Nowhere => Stdio::null(),
        })
    }
}

/// A running service under its watcher. Dropping it stops the service.
#[derive(Debug)]
pub struct Supervised {
    name: &'static str,
    watcher: Child,
    /// The folder the watcher removes after the service stops; removed here if the watcher
    /// had to be killed.
    remove_after: Option<PathBuf>,
}

impl Supervised {
    pub fn spawn(
        name: &'static str,
        service: &ServiceCommand,
        log: &LogTo,
    ) -> std::io::Result<Self> {
        let mut command = Command::new("sh");
        let named = service.env.iter().find(|(k, _)| k == REMOVE_AFTER_STOP);
        let own = match named {
            Some(_) => None,
            None => {
                // A temp folder of its own, which its watcher removes: what a service killed
                // mid-work leaves there (the worker's copy of a document) goes with it.
                let own = tempfile::Builder::new()
                    .prefix("chartdesk-service-")
                    .tempdir()?;
                command
                    .env("TMPDIR", own.path())
                    .env(REMOVE_AFTER_STOP, own.path());
                // Until the watcher runs, dropping it (an error below) removes it.
                Some(own)
            }
        };
        command
            .arg("-c")
            .arg(WATCHER)
            .arg(name)
            .arg(&service.program)
            .args(&service.args)
            .envs(service.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(log.stdio()?)
            .stderr(log.stdio()?)
            .process_group(0);
        for key in &service.env_remove {
            command.env_remove(key);
        }
        let watcher = command.spawn()?;
        tracing::debug!(service = name, "started");
        let remove_after = match own {
            Some(own) => Some(own.keep()),
            None => named.map(|(_, folder)| PathBuf::from(folder)),
        };
        Ok(Self {
            name,
            watcher,
            remove_after,
        })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the watcher (and so, as far as we can tell, the service) still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.watcher.try_wait(), Ok(None))
    }

    /// Stops the service and waits (up to `grace`) for it to be gone; past that the watcher is
    /// killed outright.
    pub fn stop(&mut self, grace: Duration) {
        // End of file on the watcher's stdin: it stops the service and waits for it.
        drop(self.watcher.stdin.take());
        let deadline = Instant::now() + grace;
        loop {
            match self.watcher.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() >= deadline => {
                    tracing::warn!(service = self.name, "did not stop in time: killed");
                    // The watcher leads its own group: the negative id reaches the service too.
                    let _ = Command::new("kill")
                        .args(["-KILL", "--", &format!("-{}", self.watcher.id())])
                        .status();
                    let _ = self.watcher.wait();
                    // Killed with its service: what the watcher would have removed.
                    if let Some(folder) = &self.remove_after {
                        let _ = std::fs::remove_dir_all(folder);
                    }
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        tracing::debug!(service = self.name, "stopped");
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        if self.watcher.stdin.is_some() {
            self.stop(Duration::from_secs(10));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(script: &str) -> ServiceCommand {
        ServiceCommand {
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            env: vec![],
            env_remove: vec![],
        }
    }

    /// The service's own temp folder, once it has written `ready` there.
    fn own_folder(process: &Supervised) -> PathBuf {
        let folder = process.remove_after.clone().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !folder.join("ready").exists() {
            assert!(Instant::now() < deadline, "the service never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        folder
    }

    #[test]
    fn a_stopped_service_leaves_no_temp_folder() {
        let script = r#"echo x > "$TMPDIR/ready"; exec sleep 30"#;
        let mut process = Supervised::spawn("test", &service(script), &LogTo::Nowhere).unwrap();
        let folder = own_folder(&process);
        process.stop(Duration::from_secs(10));
        assert!(!folder.exists(), "removed by its watcher");
    }

    #[test]
    fn a_service_killed_for_ignoring_the_stop_leaves_no_temp_folder_either() {
        // Deaf to SIGTERM: the watcher waits on it until the launcher kills them both.
        let script = r#"trap '' TERM; echo x > "$TMPDIR/ready"; while :; do sleep 1; done"#;
        let mut process = Supervised::spawn("test", &service(script), &LogTo::Nowhere).unwrap();
        let folder = own_folder(&process);
        process.stop(Duration::from_millis(500));
        assert!(!folder.exists(), "removed by the launcher");
    }
}
