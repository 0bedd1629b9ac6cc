//! The sandbox's virus scanner: Debian's ClamAV daemon on a loopback port, with a signature
//! database the sandbox writes. Its one signature finds the EICAR test string anywhere in a
//! file (an `.ndb` body signature), so a PDF or an image carrying it is *infected*; no official
//! database is needed (checked with clamd 1.4.6).

use std::path::{Path, PathBuf};

/// The anti-virus test string (eicar.org): harmless, and every scanner reports it.
pub const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// The signature's name, as clamd reports it (`Chartdesk.Test.EICAR.UNOFFICIAL FOUND`).
pub const SIGNATURE_NAME: &str = "Chartdesk.Test.EICAR";

/// Writes clamd's settings and database under `dir`; returns the settings file.
pub fn prepare(dir: &Path, port: u16) -> std::io::Result<PathBuf> {
    let db = dir.join("clamav-db");
    let scratch = dir.join("clamav-tmp");
    std::fs::create_dir_all(&db)?;
    std::fs::create_dir_all(&scratch)?;
    let hex: String = EICAR.bytes().map(|b| format!("{b:02x}")).collect();
    std::fs::write(
        db.join("chartdesk-test.ndb"),
        format!("{SIGNATURE_NAME}:0:*:{hex}\n"),
    )?;
    // Limits above the largest upload (50 MiB by default; 200 MiB allowed by the template).
    let settings = format!(
        "TCPSocket {port}\nTCPAddr 127.0.0.1\nForeground yes\nDatabaseDirectory {}\n\
         PidFile {}\nTemporaryDirectory {}\nStreamMaxLength 200M\nMaxFileSize 200M\n\
         MaxScanSize 800M\n",
        db.display(),
        dir.join("clamd.pid").display(),
        scratch.display(),
    );
    let path = dir.join("clamd.conf");
    std::fs::write(&path, settings)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_eicar_string_in_hex() {
        let dir = tempfile::tempdir().unwrap();
        let settings = prepare(dir.path(), 3310).unwrap();
        let ndb = std::fs::read_to_string(dir.path().join("clamav-db/chartdesk-test.ndb")).unwrap();
        assert!(ndb.starts_with("Chartdesk.Test.EICAR:0:*:58354f21"));
        assert!(std::fs::read_to_string(settings)
            .unwrap()
            .contains("TCPSocket 3310\nTCPAddr 127.0.0.1"));
    }
}
