//! Configuration: named profiles in `config.toml` in the OS config folder, with env overrides.
//!
//! A profile is either the local cloud (`endpoint` set: moto on loopback) or real AWS.
//! The code path is the same; only the endpoint and the credentials differ.
//!
//! A profile says where the server is, plus what is local to this computer (cache limits,
//! keychain, sign-in flow). The hospital's policy (MRN format, upload limit, idle lock) is the
//! records server's word (`services::HospitalPolicy`): set here by an older profile or the
//! environment, it is ignored with a warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::auth::KeychainBackend;
use chartdesk_signin::{AuthFlow, PasswordPolicy};

pub const CONFIG_FILE: &str = "config.toml";
pub const DEFAULT_PROFILE: &str = "sandbox";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "No configuration or data folder could be found for this user; set CHARTDESK_CONFIG_DIR"
    )]
    NoHome,
    #[error("Cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Cannot write the configuration file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("The configuration file {path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("There is no profile named '{0}' in the configuration. For the local sandbox, run `chartdesk sandbox up --endpoint URL` first")]
    UnknownProfile(String),
    #[error("Profile '{profile}' is missing the field '{field}'")]
    MissingField {
        profile: String,
        field: &'static str,
    },
    #[error("{field} must be {expected}")]
    BadValue {
        field: &'static str,
        expected: &'static str,
    },
}

/// Where Chartdesk keeps its configuration and its data.
#[derive(Debug, Clone)]
pub struct Folders {
    pub config: PathBuf,
    pub data: PathBuf,
}

impl Folders {
    /// The OS folders, moved by `CHARTDESK_CONFIG_DIR` / `CHARTDESK_DATA_DIR` (tests use temp folders).
    // A config reader: the environment is read here and nowhere else.
    #[allow(clippy::disallowed_methods)]
    pub fn from_env() -> Result<Self, ConfigError> {
        let dirs = directories::ProjectDirs::from("org", "Chartdesk", "Chartdesk");
        let pick = |var: &str, default: Option<&Path>| -> Result<PathBuf, ConfigError> {
            match std::env::var_os(var) {
                Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
                _ => default.map(Path::to_path_buf).ok_or(ConfigError::NoHome),
            }
        };
        Ok(Self {
            config: pick(
                "CHARTDESK_CONFIG_DIR",
                dirs.as_ref().map(|d| d.config_dir()),
            )?,
            data: pick("CHARTDESK_DATA_DIR", dirs.as_ref().map(|d| d.data_dir()))?,
        })
    }

    pub fn config_file(&self) -> PathBuf {
        self.config.join(CONFIG_FILE)
    }
}

/// A profile as written in the file: every field optional so a missing one can be named.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// Local cloud endpoint (moto). Absent for real AWS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The records server's base URL (`http://127.0.0.1:PORT` in the sandbox).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_flow: Option<AuthFlow>,
    /// The pool's password rules, shown when a user must choose a new password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
    /// Where the refresh token is kept (`platform` unless stated; `keyutils` for headless Linux).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keychain: Option<KeychainBackend>,
    /// Offline cache size limit in MiB (default 2048); least recently opened files go first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_limit_mib: Option<u64>,
    /// Patients not opened for this many days leave the cache (default 30).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_retention_days: Option<u32>,
    /// Clear the offline copy (not the outbox) at sign-out (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clear_cache_on_sign_out: Option<bool>,
    /// Hospital policy an older profile may still hold; now the records server's word, so
    /// read only to warn that it is ignored, and never written back.
    #[serde(default, skip_serializing)]
    pub mrn_pattern: Option<toml::Value>,
    #[serde(default, skip_serializing)]
    pub idle_lock_seconds: Option<toml::Value>,
    #[serde(default, skip_serializing)]
    pub max_upload_mib: Option<toml::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigFile {
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileFile>,
}

impl ConfigFile {
    /// A missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.into(),
                    source,
                })
            }
        };
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.message().to_string(),
        })
    }

    /// Writes atomically (temp file + rename) so a crash never leaves half a config.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let write_err = |source| ConfigError::Write {
            path: path.into(),
            source,
        };
        let text = toml::to_string_pretty(self)
            .map_err(|e| write_err(std::io::Error::other(e.to_string())))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text).map_err(write_err)?;
        std::fs::rename(&tmp, path).map_err(write_err)
    }
}

/// A complete, validated profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub region: String,
    pub user_pool_id: String,
    pub client_id: String,
    /// The records bucket: only `chartdesk sandbox up` uses it (the app reaches records through
    /// the server alone); empty when the profile leaves it out.
    pub bucket: String,
    pub endpoint: Option<String>,
    /// The records server, when the profile names one.
    pub server_url: Option<String>,
    pub auth_flow: AuthFlow,
    pub password_policy: PasswordPolicy,
    pub keychain: KeychainBackend,
    pub offline: OfflineSettings,
    /// Hospital policy the profile file or the environment tried to set, ignored (the
    /// records server's client config decides): named once in a warning.
    pub ignored_settings: Vec<&'static str>,
}

/// How much the offline cache may keep, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfflineSettings {
    pub limit_bytes: u64,
    pub retention_days: u32,
    pub clear_on_sign_out: bool,
}

pub const DEFAULT_CACHE_LIMIT_MIB: u64 = 2048;
pub const DEFAULT_CACHE_RETENTION_DAYS: u32 = 30;

/// Picks one optional field of a profile.
type FieldOf = fn(&mut ProfileFile) -> &mut Option<String>;

/// Env overrides, one per field: `CHARTDESK_REGION`, `CHARTDESK_USER_POOL_ID`, …
const OVERRIDES: [(&str, FieldOf); 6] = [
    ("CHARTDESK_REGION", |p| &mut p.region),
    ("CHARTDESK_USER_POOL_ID", |p| &mut p.user_pool_id),
    ("CHARTDESK_CLIENT_ID", |p| &mut p.client_id),
    ("CHARTDESK_BUCKET", |p| &mut p.bucket),
    ("CHARTDESK_ENDPOINT", |p| &mut p.endpoint),
    ("CHARTDESK_SERVER_URL", |p| &mut p.server_url),
];

/// Hospital policy a desktop no longer takes from its environment (the server's settings of
/// the same names still apply on the server).
const RETIRED_ENV: [&str; 3] = [
    "CHARTDESK_MRN_PATTERN",
    "CHARTDESK_IDLE_LOCK_SECONDS",
    "CHARTDESK_MAX_UPLOAD_MIB",
];

impl Profile {
    /// Loads profile `name` from the folders' config file, then applies env overrides.
    // A config reader: the environment's overrides are read here and nowhere else.
    #[allow(clippy::disallowed_methods)]
    pub fn load(folders: &Folders, name: &str) -> Result<Self, ConfigError> {
        let file = ConfigFile::load(&folders.config_file())?;
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Self::resolve(&file, name, env)
    }

    /// Pure resolution, so tests need no process environment.
    pub fn resolve(
        file: &ConfigFile,
        name: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut raw = file.profiles.get(name).cloned();
        for (var, field) in OVERRIDES {
            if let Some(v) = env(var) {
                *field(raw.get_or_insert_with(ProfileFile::default)) = Some(v);
            }
        }
        let mut raw = raw.ok_or_else(|| ConfigError::UnknownProfile(name.to_string()))?;
        if let Some(v) = env("CHARTDESK_KEYCHAIN") {
            raw.keychain = Some(match v.as_str() {
                "platform" => KeychainBackend::Platform,
                "keyutils" => KeychainBackend::Keyutils,
                _ => {
                    return Err(ConfigError::BadValue {
                        field: "CHARTDESK_KEYCHAIN",
                        expected: "platform or keyutils",
                    })
                }
            });
        }
        let need = |v: Option<String>, field: &'static str| {
            v.ok_or(ConfigError::MissingField {
                profile: name.to_string(),
                field,
            })
        };
        if let Some(n) = number(&env, "CHARTDESK_CACHE_LIMIT_MIB", "a whole number of MiB")? {
            raw.cache_limit_mib = Some(n);
        }
        let ignored_settings = ignored_policy(&raw, &env);
        if !ignored_settings.is_empty() {
            tracing::warn!(
                profile = name,
                ignored = ?ignored_settings,
                "hospital policy is set on the records server now; these desktop settings are ignored"
            );
        }
        let offline = OfflineSettings {
            limit_bytes: raw.cache_limit_mib.unwrap_or(DEFAULT_CACHE_LIMIT_MIB) * 1024 * 1024,
            retention_days: raw
                .cache_retention_days
                .unwrap_or(DEFAULT_CACHE_RETENTION_DAYS),
            clear_on_sign_out: raw.clear_cache_on_sign_out.unwrap_or(false),
        };
        Ok(Self {
            name: name.to_string(),
            region: need(raw.region, "region")?,
            user_pool_id: need(raw.user_pool_id, "user_pool_id")?,
            client_id: need(raw.client_id, "client_id")?,
            bucket: raw.bucket.unwrap_or_default(),
            server_url: raw.server_url.map(|u| u.trim_end_matches('/').to_string()),
            endpoint: raw.endpoint,
            auth_flow: raw.auth_flow.unwrap_or_default(),
            password_policy: raw.password_policy.unwrap_or_default(),
            keychain: raw.keychain.unwrap_or_default(),
            offline,
            ignored_settings,
        })
    }
}

/// The retired policy settings an old profile or the environment still holds.
fn ignored_policy(raw: &ProfileFile, env: &impl Fn(&str) -> Option<String>) -> Vec<&'static str> {
    let in_file = [
        ("mrn_pattern", raw.mrn_pattern.is_some()),
        ("idle_lock_seconds", raw.idle_lock_seconds.is_some()),
        ("max_upload_mib", raw.max_upload_mib.is_some()),
    ];
    let in_file = in_file.into_iter().filter(|(_, set)| *set).map(|(n, _)| n);
    let in_env = RETIRED_ENV.into_iter().filter(|var| env(var).is_some());
    in_file.chain(in_env).collect()
}

/// A whole-number environment override, if set.
fn number<T: std::str::FromStr>(
    env: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    expected: &'static str,
) -> Result<Option<T>, ConfigError> {
    env(var)
        .map(|v| {
            v.trim().parse().map_err(|_| ConfigError::BadValue {
                field: var,
                expected,
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests;
