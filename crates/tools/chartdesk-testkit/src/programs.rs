//! Where the kit finds moto and the records server.

use std::path::PathBuf;

use chartdesk_sandbox::launch::Programs;

/// moto from `CHARTDESK_MOTO_SERVER`, the setup script's venv or PATH; the server from
/// `CHARTDESK_SERVER_BIN` or the build folder this test binary was built in.
// A test kit finds its tools through the environment, as the scripts tell it to.
#[allow(clippy::disallowed_methods)]
pub fn programs() -> Programs {
    let moto = std::env::var_os("CHARTDESK_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let venv = std::env::var_os("CHARTDESK_CACHE")
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/chartdesk"))
                })
                .map(|c| c.join("venv/bin/moto_server"));
            match venv {
                Some(p) if p.exists() => p,
                _ => "moto_server".into(),
            }
        });
    let server = built("CHARTDESK_SERVER_BIN", "chartdesk-server");
    Programs {
        moto,
        server,
        clamd: chartdesk_sandbox::launch::DEFAULT_CLAMD.into(),
    }
}

/// The `chartdesk` command line (another package's binary, which `cargo test --workspace`
/// builds first for that package's own test): `CHARTDESK_BIN`, or the build folder this test
/// binary was built in.
pub fn command_line() -> PathBuf {
    built("CHARTDESK_BIN", "chartdesk")
}

/// A binary of ours: from `variable`, or beside this test binary's build folder.
// A test kit finds its tools through the environment, as the scripts tell it to.
#[allow(clippy::disallowed_methods)]
fn built(variable: &str, name: &str) -> PathBuf {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // target/debug/deps/<test>-… → target/debug/<name>
            let exe = std::env::current_exe().unwrap();
            let path = exe
                .parent()
                .and_then(|deps| deps.parent())
                .unwrap()
                .join(name);
            assert!(
                path.exists(),
                "{} is not built: cargo build --workspace --bin {name}",
                path.display()
            );
            path
        })
}
