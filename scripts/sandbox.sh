#!/usr/bin/env bash
# README command 1: the desktop app against a provisioned local cloud (moto on loopback),
# started by `chartdesk sandbox up --spawn`. The local cloud lives as long as the window; its
# state is in memory and goes with it.
# `--web`: the same sandbox in a browser instead (the records server serves the UI); it runs
# until Ctrl+C.
set -euo pipefail
web=false
for arg in "$@"; do
  case "$arg" in
    --web) web=true ;;
    *) echo "usage: bash scripts/sandbox.sh [--web]" >&2; exit 2 ;;
  esac
done
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
bash scripts/setup.sh

# A debug build: it shares its build cache with the tests, so after a test run this starts in seconds.
echo "== building the UI and the app (first time: several minutes)"
(cd ui && npm run --silent build)
cargo build --workspace

# The sandbox keeps its own config and data folders, apart from any real profile.
export CHARTDESK_CONFIG_DIR="${CHARTDESK_CONFIG_DIR:-$CHARTDESK_CACHE/sandbox/config}"
export CHARTDESK_DATA_DIR="${CHARTDESK_DATA_DIR:-$CHARTDESK_CACHE/sandbox/data}"
export CHARTDESK_PROFILE=sandbox

# The one launcher: moto (Cognito + S3) and the records server on free loopback ports,
# provisioned, the profile saved; logs in $CHARTDESK_CACHE/{moto,server}.log.
trap stop_sandbox EXIT
start_sandbox "$CARGO_TARGET_DIR/debug/chartdesk" --web-root "$root/ui/dist" --log-dir "$CHARTDESK_CACHE"
server_url="$(sandbox_field server_url)"
echo "== local cloud on $(sandbox_field endpoint)"
echo "== records server on $server_url (OpenAPI: $server_url/v1/openapi.json)"
echo "== the browser version: $server_url/ (same users, patients and documents)"
if [ "$web" = true ]; then
  opener=""
  for candidate in xdg-open chromium chromium-browser google-chrome firefox; do
    if command -v "$candidate" >/dev/null 2>&1; then opener="$candidate"; break; fi
  done
  if [ -n "$opener" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
    "$opener" "$server_url/" >/dev/null 2>&1 &
  else
    echo "Open $server_url/ in a browser on this machine (no display or browser found here)."
  fi
  echo "== press Ctrl+C to stop the sandbox"
  wait "$sandbox_pid" || true
  exit 0
fi

echo "== opening Chartdesk (close the window to stop the sandbox)"
app="$CARGO_TARGET_DIR/debug/chartdesk-desktop"
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  # No desktop session, so no Secret Service: the sandbox keeps sign-ins in the kernel keyring.
  export CHARTDESK_KEYCHAIN=keyutils
  app_cmd=(keyctl session - "$app")
else
  app_cmd=("$app")
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: running under Xvfb (headless)."
  xvfb-run -a -s "-screen 0 1280x1024x24" "${app_cmd[@]}"
else
  "${app_cmd[@]}"
fi
