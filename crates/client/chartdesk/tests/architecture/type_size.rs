//! No type of ours gathers every operation: each type's own methods are counted from the
//! packages' sources (the client core, the shared crates, the server, the desktop shell, the
//! tools).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// No type has more methods than this (ARCHITECTURE.md §2): past it, a type is doing several
/// jobs and should hand some to a component or a handle.
const MOST_METHODS: usize = 30;

/// Every `.rs` file the product is built from (each crate's `src/`, `src-tauri/src/`),
/// with the package folder it belongs to: two types of one name in two crates are two types.
fn product_files() -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    // This package is crates/client/chartdesk: the repository is three folders up.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let mut packages = vec![("chartdesk-desktop".to_string(), root.join("src-tauri"))];
    // Every tier folder under crates/, so a new tier is read without being listed here.
    let folders = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.is_dir())
            .collect()
    };
    for tier in folders(&root.join("crates")) {
        for path in folders(&tier) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            packages.push((name, path));
        }
    }
    let mut files = Vec::new();
    for (name, package) in packages {
        let mut found = Vec::new();
        if package.join("src").is_dir() {
            walk(&package.join("src"), &mut found);
        }
        files.extend(found.into_iter().map(|f| (name.clone(), f)));
    }
    files
}

/// Each type's methods in its own `impl` blocks (trait impls are the trait's shape, not the
/// type's), counted over every file under the packages' `src/` (their `tests/` aside): `impl Type {` or `impl<'a> path::Type<'a> {` at the start
/// of a line, up to the `}` that closes it, and the `fn`s one level in. An `impl` line read as
/// neither kind (a `where` clause, say) is returned too, so the count cannot skip it unseen.
fn methods_per_type() -> (BTreeMap<String, usize>, Vec<String>) {
    let header =
        regex::Regex::new(r"^impl(?:<.*>)? (?:dyn )?(?:\w+::)*(\w+)(?:<.*>)?(?: \+ '\w+)? \{$")
            .unwrap();
    // A trait impl, its header on one line or the first of several (`where` clauses).
    let trait_impl = regex::Regex::new(r"^impl\b.* for ").unwrap();
    let method = regex::Regex::new(
        r#"^    (?:pub(?:\([\w: ]+\))? )?(?:const )?(?:async )?(?:unsafe )?(?:extern "\w+" )?fn \w"#,
    )
    .unwrap();
    let mut counts = BTreeMap::new();
    let mut unread = Vec::new();
    for (package, file) in product_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut current: Option<String> = None;
        for line in text.lines() {
            // `impl` or `impl<`, never a macro such as `impl_foo!`.
            if line.starts_with("impl ") || line.starts_with("impl<") {
                current = match header.captures(line) {
                    Some(found) if !trait_impl.is_match(line) => {
                        Some(format!("{package}::{}", &found[1]))
                    }
                    _ if trait_impl.is_match(line) => None,
                    _ => {
                        unread.push(format!("{}: {line}", file.display()));
                        None
                    }
                };
            } else if line.starts_with('}') {
                current = None;
            } else if let Some(name) = &current {
                if method.is_match(line) {
                    *counts.entry(name.clone()).or_insert(0) += 1;
                }
            }
        }
    }
    (counts, unread)
}

#[test]
fn no_type_of_ours_has_more_than_thirty_methods() {
    let (counts, unread) = methods_per_type();
    assert!(
        unread.is_empty(),
        "impl lines the count cannot read: {unread:?}"
    );
    let too_many: Vec<(&String, &usize)> =
        counts.iter().filter(|(_, n)| **n > MOST_METHODS).collect();
    assert!(
        too_many.is_empty(),
        "types over {MOST_METHODS} methods (give a job to a component or handle): {too_many:?}"
    );
    // The count reads what it should: the client core's facade, the cache and every handle,
    // the S3 store, the server's and the window's state, the sign-in crate's user pool.
    for name in [
        "chartdesk-server::AppState",
        "chartdesk-desktop::AppState",
        "chartdesk-signin::UserPool",
        "chartdesk-records::ObjectStore",
        "chartdesk::RecordsServer",
        "chartdesk::Services",
        "chartdesk::Cache",
        "chartdesk::OutboxRows",
        "chartdesk::Patients",
        "chartdesk::Documents",
        "chartdesk::Outbox",
        "chartdesk::OfflineCopy",
        "chartdesk::RecordsAdmin",
        "chartdesk::ServerReads",
        "chartdesk::OfflineAudit",
        "chartdesk::Sender",
    ] {
        assert!(
            counts.get(name).is_some_and(|n| *n > 1),
            "{name}: {counts:?}"
        );
    }
}
