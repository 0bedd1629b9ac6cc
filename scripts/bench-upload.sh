#!/usr/bin/env bash
# Upload benchmark (issue 4): N camera-sized scans (~2 MB JPEGs) through `chartdesk upload`
# against a fresh local cloud, one file at a time and in parallel, in the same run.
# Usage: bash scripts/bench-upload.sh [COUNT]   (default 50; release build, as staff run it)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
count="${1:-50}"
cargo build -q --release --workspace --bin chartdesk --bin chartdesk-server
bin="$CARGO_TARGET_DIR/release/chartdesk"
work="$(mktemp -d)"
trap 'stop_sandbox; rm -rf "$work"' EXIT
export CHARTDESK_CONFIG_DIR="$work/config" CHARTDESK_DATA_DIR="$work/data"
start_sandbox "$bin" --log-dir "$work"
"$bin" sandbox scans --count "$count" "$work/scans" >/dev/null
total_mb=$(du -sm "$work/scans" | cut -f1)
CHARTDESK_PASSWORD="$(demo_password nurse.hughes)"
export CHARTDESK_PASSWORD
# The outbox's key lives in the keychain: the kernel keyring here (headless).
export CHARTDESK_KEYCHAIN=keyutils
run() { # jobs mrn
  local start_ns end_ns
  start_ns=$(date +%s%N)
  keyctl session - "$bin" upload --user nurse.hughes --mrn "$2" --category radiology --jobs "$1" "$work"/scans/*.jpg >/dev/null
  end_ns=$(date +%s%N)
  awk -v ns=$((end_ns - start_ns)) -v n="$count" -v j="$1" 'BEGIN { s = ns / 1e9; printf "jobs=%d: %d files in %.1f s (%.2f s/file)\n", j, n, s, s / n }'
}
echo "upload benchmark: $count scans, $total_mb MB in all, release build, local moto"
run 1 10000005
run 2 10000011
