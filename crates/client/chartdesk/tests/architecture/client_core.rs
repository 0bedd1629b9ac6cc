//! The client core's module graph (`src/`), read from its sources: no module cycles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn core_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file of the client core.
fn core_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&core_src(), &mut files);
    files
}

/// The client core's modules (`src/`), each with the modules of ours it names through `crate::`
/// or `super::` paths. A module naming its own ancestor is not counted: a child using its
/// parent's items is how Rust modules nest.
fn client_module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = core_src();
    let files = core_files();
    let module_of = |path: &std::path::Path| -> String {
        let relative = path.strip_prefix(&src).unwrap().with_extension("");
        let parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .filter(|p| p != "mod" && p != "lib" && p != "main")
            .collect();
        parts.join("::")
    };
    let modules: BTreeMap<String, String> = files
        .iter()
        .map(|f| (module_of(f), std::fs::read_to_string(f).unwrap()))
        .collect();
    // Where each type, function or constant of ours is defined, so that a path through a
    // re-export (`crate::cache::Cache`) or to an item alone (`impl super::Patients<'_>`) counts
    // as naming the module that defines it.
    let type_def =
        regex::Regex::new(r"(?m)^(?:pub(?:\([\w: ]+\))? )?(?:async )?(?:struct|enum|trait|type|fn|const|static) (\w+)")
            .unwrap();
    let mut defined_in: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for (module, text) in &modules {
        for found in type_def.captures_iter(text) {
            let name = found.get(1).unwrap().as_str();
            defined_in.entry(name).or_default().push(module);
        }
    }
    // `crate::a::b`, `super::a`, and grouped imports (`use super::{a, b::{c, d}};`).
    let paths = regex::Regex::new(r"\b(crate|super)::(\{[^;]*\}|(?:\w+::)*\w+)").unwrap();
    let mut graph = BTreeMap::new();
    for (module, text) in &modules {
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
        let mut names = BTreeSet::new();
        for found in paths.captures_iter(text) {
            let base = if &found[1] == "crate" { "" } else { parent };
            for path in expand_group(&found[2]) {
                let parts: Vec<&str> = path.split("::").collect();
                let module_at = |k: usize| -> String {
                    let name = parts[..k].join("::");
                    match (base.is_empty(), k) {
                        (true, _) => name,
                        (false, 0) => base.to_string(),
                        (false, _) => format!("{base}::{name}"),
                    }
                };
                // The longest prefix that is a module of ours (none: the path's base).
                let k = (1..=parts.len())
                    .rev()
                    .find(|&k| modules.contains_key(&module_at(k)))
                    .unwrap_or(0);
                let scope = module_at(k);
                // A type named right after it: the one module within it that defines the type.
                let defining =
                    parts
                        .get(k)
                        .and_then(|name| defined_in.get(name))
                        .and_then(|found| {
                            let within: Vec<&&String> = found
                                .iter()
                                .filter(|m| {
                                    scope.is_empty()
                                        || m.as_str() == scope
                                        || m.starts_with(&format!("{scope}::"))
                                })
                                .collect();
                            (within.len() == 1).then(|| within[0].to_string())
                        });
                let target = defining.or_else(|| (k > 0).then_some(scope));
                if let Some(target) = target {
                    let ancestor = module.starts_with(&format!("{target}::"));
                    if &target != module && !ancestor && !target.is_empty() {
                        names.insert(target);
                    }
                }
            }
        }
        graph.insert(module.clone(), names);
    }
    graph
}

/// The paths a grouped import names: `{a, b::{c, d}}` → `a`, `b::c`, `b::d`.
fn expand_group(text: &str) -> Vec<String> {
    let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
        return vec![text.to_string()];
    };
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .flat_map(|item| match item.split_once("::") {
            Some((head, rest)) if rest.starts_with('{') => expand_group(rest)
                .into_iter()
                .map(|r| format!("{head}::{r}"))
                .collect(),
            _ => vec![item.split(" as ").next().unwrap_or(item).to_string()],
        })
        .collect()
}

#[test]
fn the_client_core_has_no_module_cycles() {
    let graph = client_module_graph();
    // A cycle through `from` exists when `from` is reachable again from one of its targets.
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(next) = todo.pop() {
            if next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                todo.extend(graph.get(&next).into_iter().flatten().cloned());
            }
        }
        false
    };
    let cycles: Vec<(String, String)> = graph
        .iter()
        .flat_map(|(m, targets)| targets.iter().map(move |t| (m.clone(), t.clone())))
        .filter(|(m, t)| m < t && reaches(t, m))
        .collect();
    assert!(
        cycles.is_empty(),
        "modules that depend on each other (directly or round a loop): {cycles:?}"
    );
    assert!(graph.len() > 50, "the walk found the core's modules");
}
