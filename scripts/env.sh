# Shared settings for the scripts (sourced). Build output lives outside the clone so warm runs are fast.
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
