#!/usr/bin/env bash
# Latency of a list and an open through the records server vs the direct S3 path, in one run
# against one local cloud (release builds). Not part of the tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
bash scripts/setup.sh
cargo build --release --locked --workspace --bin chartdesk-server
# The bench starts the sandbox itself, through the test kit (the same launcher as `sandbox up --spawn`).
CHARTDESK_MOTO_SERVER="$moto_server" CHARTDESK_SERVER_BIN="$CARGO_TARGET_DIR/release/chartdesk-server" \
  cargo bench --locked --workspace --bench server_vs_direct
