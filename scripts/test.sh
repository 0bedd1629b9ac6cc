#!/usr/bin/env bash
# README command 2: every check and test. CI runs exactly this (.ci/run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
started=$SECONDS
# Each step's wall time and the CPU the whole machine spent in it (all processes, from
# /proc/stat): where a step leaves a core idle, overlapping it with another would pay.
busy() { awk '/^cpu /{print int(($2 + $3 + $4 + $7 + $8) / 100)}' /proc/stat; }
step_at="" step_busy=0
step() {
  local now=$SECONDS cpu
  cpu=$(busy)
  [ -z "$step_at" ] || echo "-- wall $((now - step_at)) s, machine CPU $((cpu - step_busy)) s"
  step_at=$now step_busy=$cpu
  echo; echo "== $* ($((now - started)) s)"
}

step "setup"
# A clean clone reuses the build cache for files the last test run built unchanged (before any
# build; on a fresh machine there is no record, nor python3 yet).
if command -v python3 >/dev/null; then python3 scripts/build_cache.py restore "$root" "$CARGO_TARGET_DIR"; fi
# With the benchmark's peers: its smoke run goes in a lane beside the e2e, not installing there.
bash scripts/setup.sh --bench
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi

step "rustfmt"
cargo fmt --all -- --check

step "shellcheck (scripts, following what they source)"
shellcheck -x scripts/*.sh .ci/run

step "the build cache's rules (scripts/build_cache_test.py)"
python3 -m unittest discover -s scripts -p '*_test.py'

step "UI type-check, build and unit tests"
(cd ui && npm run --silent build && npm run --silent test)

step "UI lint (eslint: no floating promises)"
(cd ui && npm run --silent lint)

step "infrastructure template (cfn-lint)"
bash scripts/check-infra.sh

step "unused dependencies (cargo machete)"
cargo machete

step "clippy (workspace, all targets, warnings are errors), linted while every target is built"
# `cargo clippy` is `cargo check` with clippy-driver as the workspace's compiler wrapper. Checking
# compiles every dependency a second time in metadata-only mode, which nothing else uses (on an
# empty cache most of a 264 s step). The same wrapper and arguments on every cargo call below lint
# the workspace's crates in the builds the tests need anyway; dependencies are built once, by plain
# rustc. Exported, so the lanes' builds share these artifacts (the wrapper is in their hash).
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
cargo test --locked --workspace --all-targets --no-run -q

step "published OpenAPI document (openapi-spec-validator)"
cargo build --locked --workspace --bin chartdesk-server
"$CARGO_TARGET_DIR/debug/chartdesk-server" --print-openapi >"$CARGO_TARGET_DIR/openapi.json"
"$CHARTDESK_CACHE/venv/bin/openapi-spec-validator" "$CARGO_TARGET_DIR/openapi.json"

step "the running server fuzzed through its OpenAPI document (schemathesis: no operation answers 5xx)"
cargo build --locked --workspace --bin chartdesk
bash scripts/fuzz-api.sh "$CARGO_TARGET_DIR/debug/chartdesk"

step "core unit and integration tests (local cloud: moto)"
# --workspace everywhere: one package selection means one feature set, so the AWS SDK compiles once.
# The session tests keep refresh tokens in the kernel keyring: give them a session keyring of their own.
export CHARTDESK_KEYCHAIN=keyutils
keyctl session - cargo test --locked --workspace

step "desktop app build, and the benchmark's binary (built here, not in its lane beside the e2e)"
cargo build --locked --workspace
cargo test --locked --workspace --bench side_by_side --no-run -q

lanes="$root/target/lanes"
mkdir -p "$lanes"
declare -A lane_pid=()
# name command...: in the background, its report in $lanes/<name>.log. In a process group of its
# own (job control on for the launch), so a run stopped half-way stops the lane's node processes
# and sandboxes (whose services end with their launcher).
lane() {
  local name="$1"
  shift
  set -m
  "$@" >"$lanes/$name.log" 2>&1 &
  lane_pid[$name]=$!
  set +m
}
stop_lanes() {
  local pid
  for pid in "${lane_pid[@]}"; do kill -- -"$pid" 2>/dev/null || true; done
}
trap stop_lanes EXIT

step "end-to-end: the real desktop window (tauri-driver + WebKitWebDriver under Xvfb) and the browser version in headless Chromium (chromedriver), one set of scenarios; beside them, the benchmark smoke run (tiny inputs, debug build: every row of scripts/bench.sh still works)"
export CHARTDESK_BIN="$CARGO_TARGET_DIR/debug/chartdesk"
export CHARTDESK_DESKTOP_BIN="$CARGO_TARGET_DIR/debug/chartdesk-desktop"
export CHARTDESK_MOTO_SERVER="$moto_server"
# Three lanes at once, each with its own sandboxes, ports, keyring session and report in
# target/lanes/: the window's files (one at a time: one keyring, one tauri-driver, under Xvfb),
# the browser's (headless Chromium: no display) and the benchmark smoke run. Each leaves a core
# idle much of the time (a window painting, a local cloud answering), so together they take
# little longer than the longest alone. Reports are printed once all three have ended.
window_files=() browser_files=()
for f in tests/e2e/*.test.mjs; do
  case "$(basename "$f")" in browser*) browser_files+=("$f") ;; *) window_files+=("$f") ;; esac
done
if [ "${#window_files[@]}" = 0 ] || [ "${#browser_files[@]}" = 0 ]; then
  echo "end-to-end: no window or no browser scenario files in tests/e2e/" >&2
  exit 1
fi
echo "reports, as they are written: $lanes/window.log, $lanes/browser.log and $lanes/bench.log"
lane window keyctl session - xvfb-run -a -s "-screen 0 1280x1024x24" node --test --test-concurrency=1 --test-reporter=spec \
  "${window_files[@]}"
lane browser keyctl session - node --test --test-concurrency=1 --test-reporter=spec "${browser_files[@]}"
lane bench bash scripts/bench.sh --smoke
failed=()
for name in window browser bench; do
  wait "${lane_pid[$name]}" || failed+=("$name (exit $?)")
done
stop_lanes
lane_pid=()
for name in window browser bench; do
  echo "-- the $name lane"
  cat "$lanes/$name.log"
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "end-to-end: failed: ${failed[*]} (the lanes: window = the desktop window, browser = headless Chromium, bench = the benchmark smoke run)" >&2
  exit 1
fi

# After the last build: every tracked file's content and time, for the next clean clone.
python3 scripts/build_cache.py save "$root" "$CARGO_TARGET_DIR"

step "all green"
