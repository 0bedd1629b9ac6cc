#!/usr/bin/env bash
# Latency of a list and an open through the records server vs the direct S3 path, in one run
# against one local cloud (release builds). Not part of the tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
bash scripts/setup.sh
cargo build --release --locked -p chartdesk-server
start_moto /dev/null
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
CHARTDESK_BENCH_ENDPOINT="$moto_endpoint" CHARTDESK_SERVER_BIN="$CARGO_TARGET_DIR/release/chartdesk-server" \
  cargo bench --locked --bench server_vs_direct
