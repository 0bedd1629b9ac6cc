//! The records server binary in worker mode, as the template runs it outside Lambda, on a
//! bucket and queue of the test's own. Killed (SIGKILL) and reaped when dropped, so no worker
//! outlives its test, whichever assertion fails; its log is printed then if the test failed.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the worker prints on stdout once it polls the queue (`main.rs`).
const STARTED: &str = "processing documents from the queue";

pub struct WorkerProcess {
    child: Child,
    /// stdout and stderr as read so far, for a failing test's message.
    log: Arc<Mutex<String>>,
}

impl WorkerProcess {
    /// Starts a worker on `bucket` and `queue_url` with the server's least-privilege identity
    /// and nothing else from this process's environment but `PATH` (Tesseract, poppler), and
    /// returns once it says it is polling.
    /// Its temp folder (`TMPDIR`, where its scratch folders go) is `temp`.
    pub async fn start(bucket: &str, queue_url: &str, temp: &std::path::Path) -> WorkerProcess {
        let cloud = chartdesk_testkit::cloud();
        let report = &cloud.report;
        let mut command = Command::new(env!("CARGO_BIN_EXE_chartdesk-server"));
        command.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command.env("TMPDIR", temp);
        let child = command
            .envs([
                ("CHARTDESK_MODE", "worker"),
                ("CHARTDESK_BUCKET", bucket),
                ("CHARTDESK_QUEUE_URL", queue_url),
                // The verdict is not what these tests are about (GuardDuty's: none yet).
                ("CHARTDESK_SCANNER", "guardduty"),
                ("CHARTDESK_RETRY_SECONDS", "1"),
                ("AWS_REGION", &report.region),
                ("AWS_ENDPOINT_URL", &cloud.endpoint),
                ("AWS_ACCESS_KEY_ID", &report.server_access_key_id),
                ("AWS_SECRET_ACCESS_KEY", &report.server_secret_access_key),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting chartdesk-server in worker mode");
        let mut worker = WorkerProcess {
            child,
            log: Arc::default(),
        };
        let (started, said) = tokio::sync::oneshot::channel();
        let stdout = worker.child.stdout.take().unwrap();
        let log = worker.log.clone();
        // Read to the end on threads of their own, so a full pipe never stalls the worker.
        std::thread::spawn(move || {
            let mut started = Some(started);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.trim() == STARTED {
                    if let Some(s) = started.take() {
                        let _ = s.send(());
                    }
                }
                log.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let mut stderr = worker.child.stderr.take().unwrap();
        let log = worker.log.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut chunk) {
                log.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        });
        let said = tokio::time::timeout(Duration::from_secs(30), said).await;
        assert!(
            matches!(said, Ok(Ok(()))),
            "the worker never said it was polling:\n{}",
            worker.log()
        );
        worker
    }

    /// What it printed so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGKILL, as the OOM killer or a lost host ends it: nothing of it runs afterwards.
    pub fn kill(mut self) {
        self.stop();
        assert!(self.child.try_wait().unwrap().is_some(), "still running");
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!("worker log:\n{}", self.log());
        }
    }
}
