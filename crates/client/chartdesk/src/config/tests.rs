use super::*;

fn file_with(name: &str, p: ProfileFile) -> ConfigFile {
    let mut f = ConfigFile::default();
    f.profiles.insert(name.into(), p);
    f
}

fn complete() -> ProfileFile {
    ProfileFile {
        region: Some("eu-west-2".into()),
        user_pool_id: Some("eu-west-2_abc".into()),
        client_id: Some("client".into()),
        bucket: Some("records".into()),
        ..Default::default()
    }
}

#[test]
fn cache_budget_defaults_and_can_be_set() {
    let p = Profile::resolve(&file_with("prod", complete()), "prod", |_| None).unwrap();
    assert_eq!(p.offline.limit_bytes, 2048 * 1024 * 1024);
    assert_eq!(p.offline.retention_days, 30);
    assert!(p.ignored_settings.is_empty());
    let mut f = complete();
    f.cache_retention_days = Some(7);
    let env = |k: &str| (k == "CHARTDESK_CACHE_LIMIT_MIB").then(|| "512".to_string());
    let p = Profile::resolve(&file_with("prod", f), "prod", env).unwrap();
    assert_eq!(p.offline.limit_bytes, 512 * 1024 * 1024);
    assert_eq!(p.offline.retention_days, 7);
}

#[test]
fn hospital_policy_in_an_old_profile_or_the_environment_is_ignored_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CONFIG_FILE);
    std::fs::write(
        &path,
        "[profiles.ward]\nregion = \"eu-west-2\"\nuser_pool_id = \"p\"\nclient_id = \"c\"\n\
         mrn_pattern = \"([\"\nidle_lock_seconds = 60\nmax_upload_mib = 200\n",
    )
    .unwrap();
    let file = ConfigFile::load(&path).unwrap();
    let env = |k: &str| (k == "CHARTDESK_MRN_PATTERN").then(|| "not a number".to_string());
    let p = Profile::resolve(&file, "ward", env).unwrap();
    assert_eq!(
        p.ignored_settings,
        [
            "mrn_pattern",
            "idle_lock_seconds",
            "max_upload_mib",
            "CHARTDESK_MRN_PATTERN"
        ]
    );
    // Saving the profile again drops them.
    file.save(&path).unwrap();
    let again = ConfigFile::load(&path).unwrap();
    let p = Profile::resolve(&again, "ward", |_| None).unwrap();
    assert!(p.ignored_settings.is_empty());
}

#[test]
fn a_missing_field_is_named() {
    let mut p = complete();
    p.client_id = None;
    let err = Profile::resolve(&file_with("prod", p), "prod", |_| None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Profile 'prod' is missing the field 'client_id'"
    );
}

#[test]
fn env_overrides_win_over_the_file() {
    let env = |k: &str| (k == "CHARTDESK_BUCKET").then(|| "override".to_string());
    let p = Profile::resolve(&file_with("prod", complete()), "prod", env).unwrap();
    assert_eq!(p.bucket, "override");
    assert_eq!(p.region, "eu-west-2");
    assert!(p.endpoint.is_none());
}

#[test]
fn an_unknown_profile_says_how_to_create_the_sandbox() {
    let err = Profile::resolve(&ConfigFile::default(), "sandbox", |_| None).unwrap_err();
    assert!(err.to_string().contains("chartdesk sandbox up"));
}

#[test]
fn config_file_round_trips_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join(CONFIG_FILE);
    let f = file_with("sandbox", complete());
    f.save(&path).unwrap();
    assert_eq!(ConfigFile::load(&path).unwrap(), f);
    assert_eq!(
        ConfigFile::load(&dir.path().join("none")).unwrap(),
        ConfigFile::default()
    );
}

#[test]
fn invalid_toml_is_reported_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CONFIG_FILE);
    std::fs::write(&path, "profiles = [").unwrap();
    let err = ConfigFile::load(&path).unwrap_err();
    assert!(err.to_string().contains(CONFIG_FILE));
}
