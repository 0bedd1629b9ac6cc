#!/usr/bin/env bash
# Outbox soak (issue 5): the kill -9 test with many more seeds than the suite's 20, in lanes at
# once (each with an outbox of its own), which loads the server and the cloud harder.
# Usage: bash scripts/soak-outbox.sh [SEEDS] [LANES]   (default 200 seeds, 4 lanes)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
export CHARTDESK_KILL_SEEDS="${1:-200}" CHARTDESK_KILL_LANES="${2:-4}" CHARTDESK_KEYCHAIN=keyutils
keyctl session - cargo test --workspace --test integration kill_9 -- --nocapture
