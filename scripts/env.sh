# Shared settings for the scripts (sourced). Build output lives outside the clone so warm runs are fast.
# Its variables (sandbox_pid, sandbox_report, ...) are set for the scripts that source it: SC2034.
# shellcheck shell=bash disable=SC2034
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CHARTDESK_CACHE="${CHARTDESK_CACHE:-$HOME/.cache/chartdesk}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CHARTDESK_CACHE/target}"
export PATH="$HOME/.cargo/bin:$PATH"
moto_server="$CHARTDESK_CACHE/venv/bin/moto_server"

# Starts the sandbox with the one launcher, `chartdesk sandbox up --spawn --json` ($1: the
# chartdesk binary; more flags after it): moto, provisioned, and the records server, with the
# profile `sandbox` saved in CHARTDESK_CONFIG_DIR. Returns once it printed its one JSON line,
# kept in sandbox_report (demo passwords and the server's keys: never written to disk); sets
# sandbox_pid. stop_sandbox stops it and everything it started: call it from the EXIT trap.
start_sandbox() {
  local bin="$1"
  shift
  # --stop-with-parent: a script killed before its EXIT trap runs leaves nothing behind.
  coproc SANDBOX { exec "$bin" sandbox up --spawn --json --stop-with-parent --moto-bin "$moto_server" "$@"; }
  # shellcheck disable=SC2153 # bash sets SANDBOX_PID for the coproc.
  sandbox_pid=$SANDBOX_PID
  if ! read -r sandbox_report <&"${SANDBOX[0]}"; then
    echo "the sandbox did not start (see the messages above)" >&2
    return 1
  fi
}

stop_sandbox() {
  if [ -n "${sandbox_pid:-}" ]; then
    kill -TERM "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
    sandbox_pid=""
  fi
}

# A field of the sandbox's JSON line (endpoint, server_url, bucket, region, ...), read from
# stdin so no secret shows in a process list.
sandbox_field() {
  python3 -c 'import json,sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$1" <<<"$sandbox_report"
}

# A demo user's password, from the sandbox's JSON line (the sandbox module is the one place
# the passwords are written).
demo_password() {
  python3 -c 'import json,sys; print(next(u["password"] for u in json.loads(sys.stdin.read())["users"] if u["username"] == sys.argv[1]))' "$1" <<<"$sandbox_report"
}
