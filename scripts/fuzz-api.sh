#!/usr/bin/env bash
# Fuzzes the running server through its published OpenAPI document (schemathesis): whatever
# the schema allows, or breaks, no operation may answer 5xx. A sandbox of its own; signed in as
# a clinician and as a records admin at once, each on a demo patient of its own, so the
# role-gated routes are reached past the role check. $1: the chartdesk binary. Fixed inputs (one
# seed) and bounded (examples per operation), so it takes under a minute.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bin="$1"
examples="${CHARTDESK_FUZZ_EXAMPLES:-25}"
tmp="$(mktemp -d)"
export CHARTDESK_CONFIG_DIR="$tmp/config" CHARTDESK_DATA_DIR="$tmp/data"
trap 'stop_sandbox; rm -rf "$tmp"' EXIT
# The sandbox's own log (moto and the server) goes to a file: the fuzzer's report stays readable.
start_sandbox "$bin" 2>"$tmp/sandbox.log"
server="$(sandbox_field server_url)"

# An access token for $1 through the server's own sign-in; the password travels on stdin.
access_token() {
  demo_password "$1" \
    | python3 -c 'import json,sys; print(json.dumps({"username": sys.argv[1], "password": sys.stdin.read().strip()}))' "$1" \
    | curl -sf -H 'content-type: application/json' --data-binary @- "$server/v1/session" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])'
}

# Real ids too, not only made-up ones (which stop at "not found"): a demo patient's MRN and its
# documents' ids, chosen most of the time, so the fuzzer reaches opening, stamping, detaching and
# deleting real documents. The settings file gains them as dictionaries (schemathesis 4). Each
# user fuzzes a patient of its own, so the two runs at once never take each other's documents
# away and each stays what its seed makes it.
admin_token="$(access_token admin.byrne)"
settings_for() { # user mrn: writes $tmp/<user>.toml
  local user="$1" mrn="$2" category
  for category in preop lab radiology intraop ot_notes postop discharge; do
    curl -sf -H "authorization: Bearer $admin_token" "$server/v1/patients/$mrn/documents?category=$category"
    echo
  done | python3 -c '
import json, sys
for line in sys.stdin:
    if line.strip():
        for row in json.loads(line)["rows"]:
            print(json.dumps(row["id"]))' >"$tmp/$user.dict"
  [ -s "$tmp/$user.dict" ] || { echo "no documents of $mrn to fuzz with" >&2; return 1; }
  {
    cat "$root/scripts/schemathesis.toml"
    cat <<TOML

[dictionaries.mrns]
values = ["$mrn"]

[dictionaries.doc_ids]
from-file = "$tmp/$user.dict"

[parameters]
"path.mrn" = { dictionary = "mrns", probability = 0.7 }
"path.doc_id" = { dictionary = "doc_ids", probability = 0.7 }
TOML
  } >"$tmp/$user.toml"
}
users=(dr.okafor admin.byrne)
mrns=(10000001 10000002)
for i in "${!users[@]}"; do
  settings_for "${users[$i]}" "${mrns[$i]}"
done

# Its example database (.schemathesis/) goes with the sandbox, not into the clone.
cd "$tmp"
# Both users at once: one fuzzer is a single Python process that leaves a core idle.
fuzz() { # user
  # Sign-out is left out: it ends the very session the fuzzer's token belongs to (Cognito's
  # global sign-out), after which every call would only test the 401 path.
  local token
  token="$(access_token "$1")" || { echo "could not sign in as $1" >"$tmp/fuzz-$1.log"; return 1; }
  CHARTDESK_FUZZ_TOKEN="$token" "$CHARTDESK_CACHE/venv/bin/schemathesis" \
    --config-file "$tmp/$1.toml" run "$server/v1/openapi.json" --checks not_a_server_error --seed 23 \
    --max-examples "$examples" --exclude-path /v1/session/sign-out --no-color >"$tmp/fuzz-$1.log" 2>&1
}
pids=()
for user in "${users[@]}"; do
  fuzz "$user" &
  pids+=($!)
done
failed=()
for i in "${!users[@]}"; do
  wait "${pids[$i]}" || failed+=("${users[$i]}")
done
for user in "${users[@]}"; do
  echo "fuzzing as $user"
  cat "$tmp/fuzz-$user.log"
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "the fuzzer failed as ${failed[*]} (above); the server's log: $tmp/sandbox.log" >&2
  trap - EXIT
  stop_sandbox
  exit 1
fi
