#!/bin/bash
# The worker image's entrypoint: with CHARTDESK_SCANNER=clamav, start clamd on loopback
# (clamd.conf) and wait until it answers PING; then run chartdesk-server, which is the worker
# when CHARTDESK_MODE=worker. With GuardDuty as the scanner, clamd is not started at all.
set -euo pipefail

conf=/etc/chartdesk/clamd.conf
# Where the worker will reach clamd; clamd.conf must listen there (127.0.0.1:3310).
addr="${CHARTDESK_CLAMD_ADDR:-127.0.0.1:3310}"
# Loading the full signature database takes tens of seconds on a cold Lambda instance.
wait_seconds="${CHARTDESK_CLAMD_START_SECONDS:-120}"

# PING over clamd's TCP socket (bash's /dev/tcp: no extra package); true once it answers PONG.
# A socket that is open but not yet answering is given 5 s per try.
clamd_answers() {
  local reply
  # The script is for the child bash, which expands its own $1, $2 and $r.
  # shellcheck disable=SC2016
  reply="$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "zPING\0" >&3
    IFS= read -r -d "" r <&3 || true
    printf %s "${r:-}"' ping "${addr%:*}" "${addr##*:}" 2>/dev/null)" || true
  [ "$reply" = "PONG" ]
}

give_up() {
  echo "entrypoint: the virus scanner (clamd) $1" >&2
  if [ -r /tmp/clamd/clamd.log ]; then
    tail -n 20 /tmp/clamd/clamd.log >&2
  fi
  exit 1
}

if [ "${CHARTDESK_SCANNER:-clamav}" = "clamav" ]; then
  mkdir -p /tmp/clamd
  # Returns once clamd has forked into the background, or fails (bad settings, no database).
  clamd --config-file="$conf" || give_up "did not start"
  deadline=$((SECONDS + wait_seconds))
  until clamd_answers; do
    if [ -s /tmp/clamd/clamd.pid ] && ! kill -0 "$(cat /tmp/clamd/clamd.pid)" 2>/dev/null; then
      give_up "stopped while starting"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      give_up "did not answer within ${wait_seconds} s"
    fi
    sleep 0.5
  done
fi

exec /usr/local/bin/chartdesk-server "$@"
