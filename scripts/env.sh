# Shared settings for the scripts (sourced). Build output lives outside the clone so warm runs are fast.
# Its variables (moto_pid, server_url, ...) are set for the scripts that source it: SC2034.
# shellcheck shell=bash disable=SC2034
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CHARTDESK_CACHE="${CHARTDESK_CACHE:-$HOME/.cache/chartdesk}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CHARTDESK_CACHE/target}"
export PATH="$HOME/.cargo/bin:$PATH"
moto_server="$CHARTDESK_CACHE/venv/bin/moto_server"

# Starts moto_server on a free loopback port; sets moto_pid and moto_endpoint.
start_moto() {
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  # moto checks TOTP codes only when asked to.
  MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true "$moto_server" -H 127.0.0.1 -p "$port" >"${1:-/dev/null}" 2>&1 &
  moto_pid=$!
  moto_endpoint="http://127.0.0.1:$port"
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "moto_server did not start on port $port" >&2
  return 1
}

# Starts the records server against the local cloud at $1 for the pool and client in the
# `sandbox up --json` report $2; sets server_pid and server_url. Waits for /v1/health.
# `server_bin` picks another build (default: debug).
start_server() {
  local endpoint="$1" report="$2" log="${3:-/dev/null}" out
  out="$(mktemp)"
  CHARTDESK_BUCKET="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bucket"])' "$report")" \
  CHARTDESK_USER_POOL_ID="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user_pool_id"])' "$report")" \
  CHARTDESK_APP_CLIENT_ID="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_id"])' "$report")" \
  AWS_REGION="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["region"])' "$report")" \
  AWS_ACCESS_KEY_ID="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["server_access_key_id"])' "$report")" \
  AWS_SECRET_ACCESS_KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["server_secret_access_key"])' "$report")" \
  AWS_ENDPOINT_URL="$endpoint" \
  CHARTDESK_OPEN_PENDING_SCANS=true \
  CHARTDESK_WEB_ROOT="$root/ui/dist" \
    "${server_bin:-$CARGO_TARGET_DIR/debug/chartdesk-server}" --listen 127.0.0.1:0 >"$out" 2>"$log" &
  server_pid=$!
  for _ in $(seq 1 150); do
    server_url="$(sed -n 's/^listening on //p' "$out")"
    if [ -n "$server_url" ] && curl -fsS "$server_url/v1/health" >/dev/null 2>&1; then rm -f "$out"; return 0; fi
    sleep 0.1
  done
  echo "chartdesk-server did not start (log: $log)" >&2
  return 1
}
