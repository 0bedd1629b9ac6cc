//! Settings for the Linux window's web view (WebKitGTK) that only its environment can carry, so
//! they are chosen before WebKit starts its web process, which inherits them. Measured with the
//! bench's window row (a 300-page PDF read to the end, summed RSS of the app and WebKit):
//! together they took what reading adds to the window from about 220 MB to about 130 MB, and the
//! window at rest from about 560 MB to about 510 MB. A variable the user set is never overridden.

use std::ffi::OsString;
use std::path::Path;

/// Skia draws on the CPU instead of through OpenGL. Without a GPU, OpenGL is Mesa's software
/// renderer (llvmpipe), which keeps its compiler and every GL texture in the web process's own
/// memory; Skia's CPU renderer does the same drawing with neither.
pub const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";
/// glibc's malloc settings for the web process.
pub const GLIBC_TUNABLES: &str = "GLIBC_TUNABLES";
/// A fixed mmap threshold of 128 KiB: every large block (a canvas's pixels, a decoded page) gets
/// its own mapping, returned to the system when freed. By default glibc raises the threshold
/// after each such free, so later pages' pixels land in the heap and stay resident there.
pub const MALLOC_TUNING: &str = "glibc.malloc.mmap_threshold=131072";

/// What the machine offers the web view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Machine {
    /// A DRM render node (`/dev/dri/renderD*`): a GPU that OpenGL can draw with.
    pub has_gpu: bool,
}

impl Machine {
    /// Looks for a render node under `dri` (normally `/dev/dri`). Virtual desktops and thin
    /// clients, common on wards, often have none.
    pub fn probe(dri: &Path) -> Self {
        let has_gpu = std::fs::read_dir(dri)
            .map(|entries| {
                entries
                    .flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
            })
            .unwrap_or(false);
        Self { has_gpu }
    }
}

/// The variables to set on `machine`, given what the environment already holds (`current`).
pub fn tuning(
    machine: Machine,
    current: impl Fn(&str) -> Option<OsString>,
) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if !machine.has_gpu && current(CPU_RENDERING).is_none() {
        out.push((CPU_RENDERING, "1"));
    }
    if current(GLIBC_TUNABLES).is_none() {
        out.push((GLIBC_TUNABLES, MALLOC_TUNING));
    }
    out
}

/// Sets the tuning for this machine. Call first thing in `main`, before any thread starts
/// (changing the environment is not thread-safe) and before the web view is made.
#[cfg(target_os = "linux")]
// It reads the user's environment on purpose: a setting they made wins over our tuning.
#[allow(clippy::disallowed_methods)]
pub fn apply() {
    let machine = Machine::probe(Path::new("/dev/dri"));
    for (name, value) in tuning(machine, |name| std::env::var_os(name)) {
        std::env::set_var(name, value);
    }
}

/// Other systems' web views (WKWebView, WebView2) take no such settings.
#[cfg(not(target_os = "linux"))]
pub fn apply() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn unset(_: &str) -> Option<OsString> {
        None
    }

    #[test]
    fn a_machine_without_a_gpu_draws_on_the_cpu_and_maps_large_blocks_apart() {
        let set = tuning(Machine { has_gpu: false }, unset);
        assert_eq!(
            set,
            vec![(CPU_RENDERING, "1"), (GLIBC_TUNABLES, MALLOC_TUNING)]
        );
    }

    #[test]
    fn a_machine_with_a_gpu_keeps_gpu_drawing() {
        let set = tuning(Machine { has_gpu: true }, unset);
        assert_eq!(set, vec![(GLIBC_TUNABLES, MALLOC_TUNING)]);
    }

    #[test]
    fn what_the_user_set_is_left_alone() {
        let set = tuning(Machine { has_gpu: false }, |name| {
            Some(OsString::from(format!("{name}-by-user")))
        });
        assert!(set.is_empty(), "{set:?}");
    }

    #[test]
    fn a_render_node_under_dri_is_a_gpu_and_a_missing_dri_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!Machine::probe(&dir.path().join("absent")).has_gpu);
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(
            !Machine::probe(dir.path()).has_gpu,
            "a display card alone is no render node"
        );
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(Machine::probe(dir.path()).has_gpu);
    }
}
