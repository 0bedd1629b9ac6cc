#!/usr/bin/env bash
# Outbox soak (issue 5): the kill -9 test with many more seeds than the suite's 20.
# Usage: bash scripts/soak-outbox.sh [SEEDS]   (default 200)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
export CHARTDESK_KILL_SEEDS="${1:-200}" CHARTDESK_KEYCHAIN=keyutils
keyctl session - cargo test --workspace --test integration kill_9 -- --nocapture
