//! clamd's INSTREAM command (clamd(8)): the file is streamed in length-prefixed chunks, so the
//! scanner needs no access to our disk. The answer is `stream: OK`, `stream: <name> FOUND` or
//! `... ERROR`.

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{ProcessError, Verdict};

const CHUNK: usize = 64 * 1024;
/// A 50 MiB file scans in seconds; anything longer is a stuck daemon.
const SCAN_TIMEOUT: Duration = Duration::from_secs(120);

pub async fn scan_file(addr: &str, path: &Path) -> Result<Verdict, ProcessError> {
    match tokio::time::timeout(SCAN_TIMEOUT, instream(addr, path)).await {
        Ok(answer) => parse(&answer?),
        Err(_) => Err(ProcessError::Scanner("clamd did not answer in time".into())),
    }
}

async fn instream(addr: &str, path: &Path) -> Result<String, ProcessError> {
    let unreachable = |e: std::io::Error| ProcessError::Scanner(format!("clamd: {}", e.kind()));
    let mut socket = TcpStream::connect(addr).await.map_err(unreachable)?;
    socket
        .write_all(b"zINSTREAM\0")
        .await
        .map_err(unreachable)?;
    let mut file = tokio::fs::File::open(path).await?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        let len = u32::try_from(n).map_err(|_| ProcessError::Scanner("chunk too large".into()))?;
        socket
            .write_all(&len.to_be_bytes())
            .await
            .map_err(unreachable)?;
        socket.write_all(&buf[..n]).await.map_err(unreachable)?;
    }
    socket
        .write_all(&0u32.to_be_bytes())
        .await
        .map_err(unreachable)?;
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.map_err(unreachable)?;
    Ok(String::from_utf8_lossy(&answer)
        .trim_end_matches(['\0', '\n'])
        .to_string())
}

fn parse(answer: &str) -> Result<Verdict, ProcessError> {
    if answer.ends_with("FOUND") {
        Ok(Verdict::Infected)
    } else if answer.ends_with(": OK") {
        Ok(Verdict::Clean)
    } else {
        // e.g. "INSTREAM size limit exceeded. ERROR": not a verdict.
        Err(ProcessError::Scanner(format!("clamd answered {answer:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamd_answers_read_as_verdicts_and_errors_are_not_verdicts() {
        assert_eq!(parse("stream: OK").unwrap(), Verdict::Clean);
        assert_eq!(
            parse("stream: Chartdesk.Test.EICAR.UNOFFICIAL FOUND").unwrap(),
            Verdict::Infected
        );
        assert!(parse("INSTREAM size limit exceeded. ERROR").is_err());
        assert!(parse("").is_err());
    }
}
