//! The hospital's policy as its records server publishes it (`/v1/client-config`): the MRN
//! format, the upload limit and accepted types, the idle lock and the upload part plan. The
//! desktop checks early with it for a friendly message; the server still decides.
//!
//! Fetched at start and at each sign-in. The last copy is kept as plain JSON in the profile's
//! data folder (`policy/<profile>.json`), not in the encrypted cache: it is needed before
//! anyone signs in (the idle lock, the MRN check of a resumed session), when no user's cache is
//! open, and it is public (the server hands it out without a token) and holds no patient data.
//! Editing it gains nothing: the server enforces its own values. Before the first successful
//! fetch, with no copy kept, the domain's defaults.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chartdesk_api::{ClientConfig, UploadProtocol};

use super::Services;
use chartdesk_domain::upload_protocol::PART_SIZE;
use chartdesk_domain::{
    accept, accept_declared, AcceptedFile, FileRefusal, MrnError, MrnFormat, ACCEPTED_TYPES,
    DEFAULT_IDLE_LOCK_SECONDS, DEFAULT_MAX_BYTES,
};

#[derive(Debug, Clone)]
pub struct HospitalPolicy {
    pub mrn_format: MrnFormat,
    pub max_upload_bytes: u64,
    /// Content types the server accepts (a subset of what the domain can recognise).
    pub accepted_types: Vec<String>,
    pub idle_lock_seconds: u32,
    pub upload: UploadProtocol,
}

impl Default for HospitalPolicy {
    fn default() -> Self {
        Self {
            mrn_format: MrnFormat::default(),
            max_upload_bytes: DEFAULT_MAX_BYTES,
            accepted_types: ACCEPTED_TYPES
                .iter()
                .map(|t| t.content_type.to_string())
                .collect(),
            idle_lock_seconds: DEFAULT_IDLE_LOCK_SECONDS,
            // Before any server has said: parts from one part's size, which every server
            // version takes (older ones refuse one PUT over 8 MiB).
            upload: UploadProtocol {
                multipart_threshold: PART_SIZE as u64,
                ..UploadProtocol::current()
            },
        }
    }
}

impl HospitalPolicy {
    /// The policy a server published; refused whole if its MRN pattern does not compile.
    pub fn from_config(config: &ClientConfig) -> Result<Self, MrnError> {
        Ok(Self {
            mrn_format: MrnFormat::new(&config.mrn_pattern)?,
            max_upload_bytes: config.max_upload_bytes,
            accepted_types: config
                .accepted_types
                .iter()
                .map(|t| t.content_type.clone())
                .collect(),
            idle_lock_seconds: config.idle_lock_seconds.max(1),
            upload: config.upload,
        })
    }

    /// The domain's checks of a file in memory, under this limit and these types.
    pub fn accept(&self, file_name: &str, bytes: &[u8]) -> Result<AcceptedFile, FileRefusal> {
        self.allowed(accept(file_name, bytes, self.max_upload_bytes)?)
    }

    /// The same checks on a declared type and size, before the bytes are read.
    pub fn accept_declared(
        &self,
        file_name: &str,
        content_type: &str,
        size: u64,
    ) -> Result<AcceptedFile, FileRefusal> {
        let file = accept_declared(file_name, content_type, size, self.max_upload_bytes)?;
        self.allowed(file)
    }

    fn allowed(&self, file: AcceptedFile) -> Result<AcceptedFile, FileRefusal> {
        if self.accepted_types.iter().any(|t| t == file.content_type) {
            Ok(file)
        } else {
            Err(FileRefusal::WrongType(file.file_name))
        }
    }

    /// Files above this go up in parts.
    pub fn multipart_threshold(&self) -> u64 {
        self.upload.multipart_threshold
    }

    /// The size parts are hashed and cut at.
    pub fn part_size(&self) -> usize {
        usize::try_from(self.upload.part_size).unwrap_or(usize::MAX)
    }
}

/// Where a profile's last copy is kept: `<data>/policy/<profile>.json`.
pub fn saved_policy_path(data_dir: &Path, profile_name: &str) -> PathBuf {
    let file: String = profile_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    data_dir.join("policy").join(format!("{file}.json"))
}

fn load(path: &Path) -> Option<(ClientConfig, HospitalPolicy)> {
    let text = std::fs::read(path).ok()?;
    let config: ClientConfig = serde_json::from_slice(&text).ok()?;
    let policy = HospitalPolicy::from_config(&config).ok()?;
    Some((config, policy))
}

/// Atomically (temp file + rename), so a crash never leaves half a copy.
fn save(path: &Path, config: &ClientConfig) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = serde_json::to_vec_pretty(config).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

impl Services {
    /// The policy in force: the server's last word, the saved copy, or the domain's defaults.
    pub fn policy(&self) -> Arc<HospitalPolicy> {
        self.policy
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set_policy(&self, policy: HospitalPolicy) {
        *self
            .policy
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(policy);
    }

    /// Keeps the server's policy at `path` and starts from the copy kept there, if any.
    pub fn keeping_policy_at(mut self, path: PathBuf) -> Self {
        if let Some((_, policy)) = load(&path) {
            self.set_policy(policy);
        }
        self.policy_file = Some(path);
        self
    }

    /// Asks the server for its policy and keeps it; `false` (the policy in force unchanged)
    /// when the server cannot be reached or answers something unusable.
    pub async fn refresh_policy(&self) -> bool {
        let Some(server) = self.records.server() else {
            return false;
        };
        let config = match server.client_config().await {
            Ok(config) => config,
            Err(e) => {
                tracing::info!(kind = e.kind(), code = ?e.code(), "the hospital policy could not be fetched; keeping the one in force");
                return false;
            }
        };
        let Ok(policy) = HospitalPolicy::from_config(&config) else {
            tracing::warn!(
                "the records server's MRN pattern does not compile; keeping the policy in force"
            );
            return false;
        };
        if let Some(path) = &self.policy_file {
            if let Err(e) = save(path, &config) {
                tracing::warn!(kind = ?e.kind(), "the hospital policy could not be kept for offline starts");
            }
        }
        self.set_policy(policy);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chartdesk_api::AcceptedFileType;

    fn published(pattern: &str, max_upload_bytes: u64, types: &[&str]) -> ClientConfig {
        ClientConfig {
            version: "1".into(),
            sandbox: false,
            idle_lock_seconds: 60,
            break_glass_reasons: Vec::new(),
            mrn_pattern: pattern.into(),
            max_upload_bytes,
            accepted_types: types
                .iter()
                .map(|t| AcceptedFileType {
                    content_type: t.to_string(),
                    extensions: vec!["x".into()],
                })
                .collect(),
            preop_image_limit: 3,
            upload: UploadProtocol::current(),
        }
    }

    #[test]
    fn a_type_the_server_no_longer_accepts_is_refused_before_sending() {
        let policy =
            HospitalPolicy::from_config(&published("^[0-9]{6}$", 100, &["application/pdf"]))
                .unwrap();
        assert!(policy.accept("a.pdf", b"%PDF-1.4").is_ok());
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        assert_eq!(
            policy.accept("a.png", &png).unwrap_err(),
            FileRefusal::WrongType("a.png".into())
        );
        assert!(matches!(
            policy.accept_declared("b.pdf", "application/pdf", 101),
            Err(FileRefusal::TooLarge { .. })
        ));
    }

    #[test]
    fn the_kept_copy_survives_a_restart_and_a_broken_one_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = saved_policy_path(dir.path(), "ward/../pc");
        assert!(path.starts_with(dir.path().join("policy")));
        assert!(load(&path).is_none(), "nothing kept yet");
        save(&path, &published("^AB[0-9]{4}$", 7, &["image/png"])).unwrap();
        let (_, policy) = load(&path).unwrap();
        assert!(policy.mrn_format.parse("AB1234").is_ok());
        assert_eq!(policy.max_upload_bytes, 7);
        std::fs::write(&path, b"{not json").unwrap();
        assert!(load(&path).is_none());
    }

    #[test]
    fn before_any_fetch_the_domain_defaults_apply() {
        let policy = HospitalPolicy::default();
        assert_eq!(policy.max_upload_bytes, DEFAULT_MAX_BYTES);
        assert_eq!(policy.idle_lock_seconds, DEFAULT_IDLE_LOCK_SECONDS);
        assert!(policy.mrn_format.parse("123456").is_ok());
        assert_eq!(policy.accepted_types.len(), ACCEPTED_TYPES.len());
    }
}
