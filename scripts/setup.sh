#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build, run and test Chartdesk.
# Idempotent: every step checks first, so warm runs cost seconds.
#   --bench: also the benchmark's peers (scripts/bench.sh; the test command runs its smoke run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${CHARTDESK_CACHE:-$HOME/.cache/chartdesk}"
mkdir -p "$cache"

# The cargo tools need only the toolchain and a C compiler (no other apt package), so on a
# fresh machine they compile in the background while apt, pip and npm wait on the network;
# waited for at the end. Without a C compiler yet, they start once apt has installed one.
cargo_tools() {
  # WebDriver bridge for the desktop end-to-end test.
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "setup: installing tauri-driver"
    cargo install tauri-driver --locked --version '^2' -q
  fi

  # Unused-dependency check for the test command (0.9.1 builds with rustc 1.95).
  if [ ! -x "$HOME/.cargo/bin/cargo-machete" ]; then
    echo "setup: installing cargo-machete"
    cargo install cargo-machete --version 0.9.1 --locked -q
  fi

  # A second, stricter S3 server for the conformance tests (checks signatures and expiry).
  if [ ! -x "$HOME/.cargo/bin/s3s-fs" ]; then
    echo "setup: installing s3s-fs"
    cargo install s3s-fs --version 0.14.1 --locked --features binary -q
  fi
}
cargo_tools_pid=""
start_cargo_tools() {
  # In a process group of its own (job control on for the launch), so a setup that fails or is
  # interrupted stops the compilers too rather than leaving them beside the next build.
  set -m
  cargo_tools &
  cargo_tools_pid=$!
  set +m
}
trap '[ -z "$cargo_tools_pid" ] || kill -- -"$cargo_tools_pid" 2>/dev/null || true' EXIT

# chromium + chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): the browser end-to-end
# test drives the same UI, served by the records server, in a real headless Chromium.
apt_pkgs=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev
  libsoup-3.0-dev libssl-dev pkg-config xvfb xauth webkit2gtk-driver keyutils
  python3-venv curl build-essential chromium chromium-driver)
# The test command lints the scripts with shellcheck (scripts/test.sh).
apt_pkgs+=(shellcheck)
# Document processing (crates/server/): poppler (pdfinfo, pdftoppm, pdftotext), English OCR and
# the ClamAV daemon the sandbox's scanner runs.
apt_pkgs+=(poppler-utils tesseract-ocr tesseract-ocr-eng clamav clamav-daemon)
# The tools the benchmark measures us against (rclone, the AWS CLI, libvips, ImageMagick).
if [ "${1:-}" = "--bench" ]; then apt_pkgs+=(rclone awscli libvips-tools imagemagick); fi
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The tools start now unless apt is about to install the compiler's own packages (a machine
# with gcc but no build-essential: linking while apt replaces the C library fails).
if command -v cc >/dev/null 2>&1 && [[ " ${missing[*]} " != *" build-essential "* ]]; then
  start_cargo_tools
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -n "$cargo_tools_pid" ] || start_cargo_tools

# The local cloud: moto's server in its own venv, outside the clone, with the Python tools the
# tests use beside it, installed in one pip run (one resolve, parallel downloads):
#  - pycognito: an independent SRP implementation the tests check ours against;
#  - openapi-spec-validator: the outside check of the published OpenAPI document (test.sh);
#  - schemathesis: the fuzzer run against that document (scripts/fuzz-api.sh);
#  - fhir.resources: the outside check of the FHIR API's answers (R4B models, tests/server/fhir);
#  - fhirpy: a FHIR client no one here wrote, for the server tests' client session.
venv="$cache/venv"
[ -x "$venv/bin/pip" ] || { echo "setup: creating the moto venv in $venv"; python3 -m venv "$venv"; }
pip_missing=()
[ -x "$venv/bin/moto_server" ] || pip_missing+=('moto[server]>=5.2,<5.3')
"$venv/bin/python" -c 'import pycognito' 2>/dev/null || pip_missing+=('pycognito==2024.5.1')
"$venv/bin/python" -c 'import openapi_spec_validator' 2>/dev/null || pip_missing+=('openapi-spec-validator>=0.7,<0.10')
[ -x "$venv/bin/schemathesis" ] || pip_missing+=('schemathesis==4.32.5')
"$venv/bin/python" -c 'import fhir.resources.R4B' 2>/dev/null || pip_missing+=('fhir.resources>=8,<9')
"$venv/bin/python" -c 'import fhirpy' 2>/dev/null || pip_missing+=('fhirpy>=2.3,<3')
if [ ${#pip_missing[@]} -gt 0 ]; then
  echo "setup: installing Python packages: ${pip_missing[*]}"
  "$venv/bin/pip" install -q --disable-pip-version-check "${pip_missing[@]}"
fi

# UI packages.
if [ ! -d "$root/ui/node_modules" ] || [ "$root/ui/package-lock.json" -nt "$root/ui/node_modules/.package-lock.json" ]; then
  echo "setup: installing UI packages"
  # `npm install`, not `npm ci`: npm 11 writes lock files without the other platforms' optional
  # rollup binaries, and `npm ci` then refuses the lock as out of sync. The lock is still honoured.
  (cd "$root/ui" && npm install --no-audit --no-fund --loglevel=error)
fi

if ! wait "$cargo_tools_pid"; then
  echo "setup: installing the cargo tools failed (see above)" >&2
  exit 1
fi
cargo_tools_pid=""
