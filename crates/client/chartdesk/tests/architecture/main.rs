//! The dependency rules of ARCHITECTURE.md §2: the tiers read from `cargo metadata` (a tier that
//! reaches a crate it must not is a failing test, not a review comment), the client core's own
//! module graph and every type's size read from the sources (`client_core.rs`, `type_size.rs`).

// A test: a malformed answer from cargo is a failure to report, not input to recover from.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The client core's module graph, read from its sources.
mod client_core;
/// How many methods a type of ours has, read from the sources.
mod type_size;

const SHARED_LEAVES: [&str; 4] = [
    "chartdesk-domain",
    "chartdesk-records",
    "chartdesk-signin",
    "chartdesk-api",
];
const CLIENT_CORE: &str = "chartdesk";
const DESKTOP_SHELL: &str = "chartdesk-desktop";
/// The other client shell: the `chartdesk` command line.
const COMMAND_LINE: &str = "chartdesk-cli";
const SERVER: &str = "chartdesk-server";
/// Server-tier libraries: the processing worker and the steps it calls (never the clients).
const SERVER_LIBS: [&str; 4] = [
    "chartdesk-worker",
    "chartdesk-renditions",
    "chartdesk-text",
    "chartdesk-fhir",
];
/// The local cloud's provisioning and launcher (`chartdesk sandbox`, the test kit).
const SANDBOX: &str = "chartdesk-sandbox";
/// Tools: the sandbox, the test kit (tests and benches only) and the bench floor.
const TOOLS: [&str; 3] = [SANDBOX, "chartdesk-testkit", "chartdesk-hello-window"];

/// The workspace's resolved graph: package name → the names it depends on, by kind.
struct Graph {
    ours: BTreeSet<String>,
    /// (package, include dev-dependencies) → direct dependencies.
    edges: BTreeMap<String, Vec<(String, bool)>>,
}

/// The machine's own target: what links here (other platforms' crates need not be downloaded).
fn host_triple() -> String {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc names its host")
        .to_string()
}

impl Graph {
    fn load() -> &'static Graph {
        static GRAPH: OnceLock<Graph> = OnceLock::new();
        GRAPH.get_or_init(Graph::read)
    }

    fn read() -> Graph {
        let out = Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--offline"])
            .args(["--filter-platform", &host_triple(), "--manifest-path"])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .output()
            .expect("cargo metadata runs");
        assert!(
            out.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
        let name_of: BTreeMap<&str, &str> = meta["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
            .collect();
        let ours = meta["workspace_members"]
            .as_array()
            .expect("workspace members")
            .iter()
            .map(|id| name_of[id.as_str().unwrap()].to_string())
            .collect();
        let mut edges = BTreeMap::new();
        for node in meta["resolve"]["nodes"].as_array().expect("resolve nodes") {
            let from = name_of[node["id"].as_str().unwrap()].to_string();
            let deps = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let to = name_of[d["pkg"].as_str().unwrap()].to_string();
                    let dev_only = d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|k| k["kind"].as_str() == Some("dev"));
                    (to, dev_only)
                })
                .collect();
            edges.insert(from, deps);
        }
        Graph { ours, edges }
    }

    /// Everything `root` links: its normal and build dependencies, transitively.
    fn links(&self, root: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![root.to_string()];
        while let Some(next) = todo.pop() {
            for (dep, dev_only) in self.edges.get(&next).into_iter().flatten() {
                if !dev_only && seen.insert(dep.clone()) {
                    todo.push(dep.clone());
                }
            }
        }
        seen
    }

    fn our_links(&self, root: &str) -> BTreeSet<String> {
        self.links(root)
            .into_iter()
            .filter(|d| self.ours.contains(d))
            .collect()
    }
}

fn forbidden<'a>(links: &BTreeSet<String>, names: &[&'a str]) -> Vec<&'a str> {
    names
        .iter()
        .copied()
        .filter(|n| links.contains(*n))
        .collect()
}

#[test]
fn shared_crates_never_reach_the_client_the_desktop_shell_the_server_or_tauri() {
    let graph = Graph::load();
    for leaf in SHARED_LEAVES {
        let links = graph.links(leaf);
        let bad = forbidden(&links, &[CLIENT_CORE, DESKTOP_SHELL, SERVER, "tauri"]);
        assert!(bad.is_empty(), "{leaf} links {bad:?}");
    }
}

#[test]
fn the_domain_depends_on_no_crate_of_ours() {
    let graph = Graph::load();
    let ours = graph.our_links("chartdesk-domain");
    assert!(ours.is_empty(), "chartdesk-domain links {ours:?}");
}

#[test]
fn the_wire_contract_links_the_domain_alone() {
    let graph = Graph::load();
    let ours = graph.our_links("chartdesk-api");
    assert_eq!(
        ours.into_iter().collect::<Vec<_>>(),
        ["chartdesk-domain"],
        "chartdesk-api is the vocabulary of /v1: it must not link the store or sign-in"
    );
}

#[test]
fn the_server_links_no_keychain_no_sqlite_no_tauri_and_no_client_core() {
    let graph = Graph::load();
    for server in std::iter::once(SERVER).chain(SERVER_LIBS) {
        let links = graph.links(server);
        let bad = forbidden(
            &links,
            &[
                "keyring",
                "rusqlite",
                "libsqlite3-sys",
                "tauri",
                CLIENT_CORE,
                DESKTOP_SHELL,
            ],
        );
        assert!(
            bad.is_empty(),
            "{server} (the records server's tier) links {bad:?}"
        );
    }
}

#[test]
fn the_text_crate_links_no_crate_of_ours_and_no_aws_sdk() {
    let graph = Graph::load();
    let links = graph.links("chartdesk-text");
    let ours = graph.our_links("chartdesk-text");
    assert!(ours.is_empty(), "chartdesk-text links {ours:?}");
    let sdk: Vec<&String> = links.iter().filter(|d| d.starts_with("aws-")).collect();
    assert!(
        sdk.is_empty(),
        "chartdesk-text reads local files only, so it builds and tests without the AWS SDK: {sdk:?}"
    );
}

#[test]
fn the_fhir_crate_is_mapping_only_no_web_server_no_aws_sdk_and_no_records_store() {
    let graph = Graph::load();
    let links = graph.links("chartdesk-fhir");
    let bad: Vec<&String> = links
        .iter()
        .filter(|d| d.starts_with("aws-") || *d == "axum" || *d == "chartdesk-records")
        .collect();
    assert!(
        bad.is_empty(),
        "chartdesk-fhir maps the domain to FHIR; the routes read and decide: {bad:?}"
    );
}

#[test]
fn the_client_core_links_no_tauri_and_no_web_server() {
    let graph = Graph::load();
    let links = graph.links(CLIENT_CORE);
    let bad = forbidden(&links, &["tauri", "wry", "axum", SERVER, DESKTOP_SHELL]);
    assert!(bad.is_empty(), "the desktop client core links {bad:?}");
}

#[test]
fn the_client_core_takes_no_dependency_of_the_command_line_or_the_sandbox() {
    // Argument parsing, prompts, progress bars and terminal logging are the command line's;
    // demo files, authenticator codes and the queue's provisioning the sandbox tool's.
    let graph = Graph::load();
    let theirs = [
        "clap",
        "indicatif",
        "rpassword",
        "tracing-subscriber",
        "totp-rs",
        "pdf-writer",
        "jpeg-encoder",
        "jpeg-decoder",
        "fast_image_resize",
        "image",
        "aws-sdk-sqs",
    ];
    let direct: Vec<&String> = graph.edges[CLIENT_CORE]
        .iter()
        .filter(|(dep, dev_only)| !dev_only && theirs.contains(&dep.as_str()))
        .map(|(dep, _)| dep)
        .collect();
    assert!(
        direct.is_empty(),
        "the desktop client core depends on {direct:?}"
    );
}

#[test]
fn the_server_and_its_tests_name_no_client_core() {
    // The server's tests take demo data and the launcher from the sandbox tool and the test kit;
    // through them they still link the core (ARCHITECTURE.md §2, known gaps), but never name it.
    let graph = Graph::load();
    let direct: Vec<&String> = graph.edges[SERVER]
        .iter()
        .map(|(dep, _)| dep)
        .filter(|dep| [CLIENT_CORE, DESKTOP_SHELL, COMMAND_LINE].contains(&dep.as_str()))
        .collect();
    assert!(
        direct.is_empty(),
        "{SERVER} (or its tests) depends on {direct:?}"
    );
}

#[test]
fn the_sandbox_and_the_command_line_link_no_tauri_and_no_server_crate() {
    // The sandbox runs the records server as a process; neither it nor the CLI builds it in.
    let graph = Graph::load();
    for package in [SANDBOX, COMMAND_LINE] {
        let links = graph.links(package);
        let mut bad = forbidden(&links, &["tauri", "axum", SERVER, DESKTOP_SHELL]);
        bad.extend(forbidden(&links, &SERVER_LIBS));
        assert!(bad.is_empty(), "{package} links {bad:?}");
    }
}

#[test]
fn the_clients_and_shared_leaves_never_link_the_server_libraries() {
    // Clients upload originals only (issue 24): previews are the server's work, not theirs.
    let graph = Graph::load();
    for package in SHARED_LEAVES.iter().chain(&[CLIENT_CORE, DESKTOP_SHELL]) {
        let bad = forbidden(&graph.links(package), &SERVER_LIBS);
        assert!(bad.is_empty(), "{package} links {bad:?}");
    }
}

#[test]
fn the_test_kit_is_linked_by_tests_and_benches_only() {
    let graph = Graph::load();
    let shipped: Vec<&String> = graph
        .ours
        .iter()
        .filter(|p| {
            p.as_str() != "chartdesk-testkit" && graph.links(p).contains("chartdesk-testkit")
        })
        .collect();
    assert!(shipped.is_empty(), "{shipped:?} ship the test kit");
}

#[test]
fn every_package_of_ours_is_placed_in_a_tier() {
    let graph = Graph::load();
    let placed: BTreeSet<&str> = SHARED_LEAVES
        .iter()
        .copied()
        .chain([CLIENT_CORE, DESKTOP_SHELL, COMMAND_LINE, SERVER])
        .chain(SERVER_LIBS)
        .chain(TOOLS)
        .collect();
    let unplaced: Vec<&String> = graph
        .ours
        .iter()
        .filter(|p| !placed.contains(p.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "{unplaced:?} belong to no tier of ARCHITECTURE.md §2: add them there and here"
    );
}
