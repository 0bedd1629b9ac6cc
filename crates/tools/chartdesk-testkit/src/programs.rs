//! Where the kit finds moto and the records server.

use std::path::PathBuf;

use chartdesk::sandbox::launch::Programs;

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
    let server = std::env::var_os("CHARTDESK_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // target/debug/deps/<test>-… → target/debug/chartdesk-server
            let exe = std::env::current_exe().unwrap();
            exe.parent()
                .and_then(|deps| deps.parent())
                .unwrap()
                .join("chartdesk-server")
        });
    Programs {
        moto,
        server,
        clamd: chartdesk::sandbox::launch::DEFAULT_CLAMD.into(),
    }
}
