#!/usr/bin/env bash
# Issue 13: every speed and memory figure side by side with its peers, in ONE run (the rows that
# need their own server start a local cloud each; the rest share one), printed as a table of
# medians, p95s and ratios (scripts/bench/table.py).
#   bash scripts/bench.sh           full run, release builds (about 15 minutes warm)
#   bash scripts/bench.sh --smoke   tiny inputs, debug builds: checks every row works (tests)
# Figures are for reading, never asserted: speed goals do not belong in tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true
# The outbox key lives in the keychain: the kernel keyring here, in a session of our own.
if [ -z "${BENCH_IN_KEYRING:-}" ]; then
  exec env BENCH_IN_KEYRING=1 keyctl session - bash "$0" "$@"
fi
export CHARTDESK_KEYCHAIN=keyutils

bash scripts/setup.sh --bench

if $smoke; then
  profile=debug runs=1
  cargo build --locked --workspace -q
  bench_bin="$(cargo test --locked --workspace --bench side_by_side --no-run --message-format=json -q |
    python3 -c 'import json,sys; print([j["executable"] for j in map(json.loads, sys.stdin) if j.get("executable") and j["target"]["name"] == "side_by_side"][0])')"
else
  profile=release runs="${BENCH_RUNS:-3}"
  (cd ui && npm run --silent build)
  cargo build --locked --workspace --release -q
  bench_bin="$(cargo bench --locked --workspace --bench side_by_side --no-run --message-format=json -q |
    python3 -c 'import json,sys; print([j["executable"] for j in map(json.loads, sys.stdin) if j.get("executable") and j["target"]["name"] == "side_by_side"][0])')"
fi
bin="$CARGO_TARGET_DIR/$profile"
work="$(mktemp -d)"
export BENCH_RESULTS="$work/results.jsonl"
cleanup() {
  stop_sandbox
  rm -rf "$work"
}
trap cleanup EXIT
measure() { python3 scripts/bench/measure.py "$@"; }
# Everything here is on loopback: a CA bundle set for an outside proxy only breaks the peers.
unset AWS_CA_BUNDLE
started=$SECONDS
step() { echo "bench: $* ($((SECONDS - started)) s)"; }

# One local cloud for every row: the sandbox launcher's moto, provisioned, and the records server.
export CHARTDESK_CONFIG_DIR="$work/config" CHARTDESK_DATA_DIR="$work/data"
start_sandbox "$bin/chartdesk" --server-bin "$bin/chartdesk-server" --log-dir "$work"
moto_endpoint="$(sandbox_field endpoint)"
bucket="$(sandbox_field bucket)"
ward_password="$(demo_password nurse.hughes)"
clinician_password="$(demo_password dr.okafor)"
AWS_ACCESS_KEY_ID="$(sandbox_field server_access_key_id)" AWS_SECRET_ACCESS_KEY="$(sandbox_field server_secret_access_key)"
AWS_DEFAULT_REGION="$(sandbox_field region)"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION AWS_EC2_METADATA_DISABLED=true
export RCLONE_CONFIG_MOTO_TYPE=s3 RCLONE_CONFIG_MOTO_PROVIDER=Other RCLONE_CONFIG_MOTO_ENDPOINT="$moto_endpoint" \
  RCLONE_CONFIG_MOTO_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
  RCLONE_CONFIG_MOTO_REGION="$AWS_DEFAULT_REGION"
ward() { env CHARTDESK_PASSWORD="$ward_password" "$bin/chartdesk" "$@"; }
# Until the worker has an outcome for every document of a category: nothing is opened or exported
# before its virus verdict.
processed() { # mrn category
  python3 scripts/bench/wait_processed.py "$(sandbox_field server_url)" dr.okafor "$clinician_password" "$1" "$2"
}

# Each upload run (ours and the peers') starts once the worker has finished the files of the
# runs before: on two cores its OCR and previews would otherwise weigh on whichever run follows.
idle="bash scripts/bench/worker_idle.sh $moto_endpoint $(sandbox_field queue_url)"
# The local cloud's one Python process, whose CPU each upload run is charged beside its wall time:
# on two cores the rows follow it (every request costs moto a few ms), so ours against the peers'
# shows how much more the local cloud had to do, not only how long it took.
moto_port="${moto_endpoint##*:}"
moto_pid=""
for pid in $(pgrep -x moto_server || true); do
  if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qw -- "$moto_port"; then moto_pid="$pid"; fi
done
cpu_of=()
if [ -n "$moto_pid" ]; then
  cpu_of=(--cpu-of "$moto_pid")
else
  echo "bench: moto's process was not found; the upload rows' CPU lines say skipped" >&2
fi
upload_row() { # row count bytes mrn-pattern
  local row="$1" count="$2" bytes="$3" mrns="$4" files="$work/$1"
  python3 scripts/bench/make_pdfs.py "$files" "$count" "$bytes"
  local what="$count x $((bytes / 1000000)) MB PDFs, wall, worker idle at start"
  $smoke && what="$count x $((bytes / 1000)) kB PDFs, wall, worker idle at start"
  local cpu=(--cpu-metric "${what%%, wall,*}, local cloud (moto) CPU" "${cpu_of[@]}")
  measure --row "$row" --metric "$what" --who "chartdesk upload --jobs 8 ($profile)" --ours --goal "<= rclone" --runs "$runs" --before "$idle" "${cpu[@]}" -- \
    env CHARTDESK_PASSWORD="$ward_password" "$bin/chartdesk" upload --user nurse.hughes --mrn "$mrns" --category lab --jobs 8 "$files"/*.pdf
  measure --row "$row" --metric "$what" --who "rclone copy --transfers 8" --runs "$runs" --before "$idle" "${cpu[@]}" -- \
    rclone copy --transfers 8 "$files" "moto:$bucket/peers/rclone-$row-{run}"
  measure --row "$row" --metric "$what" --who "aws s3 cp --recursive" --runs "$runs" --before "$idle" "${cpu[@]}" -- \
    aws s3 cp --recursive --only-show-errors --endpoint-url "$moto_endpoint" "$files" "s3://$bucket/peers/aws-$row-{run}/"
}
step "uploads"
if $smoke; then
  upload_row upload-2mb 3 100000 "1000000{run1}"
  upload_row upload-40mb 2 1000000 "1000001{run}"
else
  upload_row upload-2mb 100 2000000 "1000000{run1}"
  upload_row upload-40mb 20 40000000 "1000001{run}"
fi

step "durable in the outbox"
big=$((50 * 1024 * 1024))
$smoke && big=$((1024 * 1024))
python3 scripts/bench/make_pdfs.py "$work/big" 1 "$big"
python3 scripts/bench/durable.py --runs "$runs" --mrn 10000004 --file "$work/big/report-000.pdf" --floor-dir "$work/floor" -- \
  env CHARTDESK_PASSWORD="$ward_password" "$bin/chartdesk"

step "peak memory: a 50 MiB upload, an export of many 5 MB documents"
# Issue 10 item 5: each peaks well under 300 MB, whatever the input's size.
measure --row peak-memory --metric "upload of one $((big / 1048576)) MiB file, wall" --who "chartdesk upload ($profile)" --ours \
  --rss-metric "upload of one $((big / 1048576)) MiB file, peak RSS" --rss-goal "< 300 MB" --runs 1 -- \
  env CHARTDESK_PASSWORD="$ward_password" "$bin/chartdesk" upload --user nurse.hughes --mrn 10000006 --category lab "$work/big/report-000.pdf"
measure --row peak-memory --metric "upload of one $((big / 1048576)) MiB file, wall" --who "aws s3 cp" \
  --rss-metric "upload of one $((big / 1048576)) MiB file, peak RSS" --runs 1 -- \
  aws s3 cp --only-show-errors --endpoint-url "$moto_endpoint" "$work/big/report-000.pdf" "s3://$bucket/peers/memory/big.pdf"
exports=300 export_bytes=5000000
$smoke && exports=3 export_bytes=100000
python3 scripts/bench/make_pdfs.py "$work/export" "$exports" "$export_bytes"
ward upload --user nurse.hughes --mrn 10000008 --category postop --jobs 8 "$work/export"/*.pdf >/dev/null
processed 10000008 postop
what="export of $exports x $((export_bytes / 1000)) kB documents"
measure --row peak-memory --metric "$what, wall" --who "chartdesk export ($profile)" --ours \
  --rss-metric "$what, peak RSS" --rss-goal "< 300 MB" --runs 1 -- \
  env CHARTDESK_PASSWORD="$clinician_password" "$bin/chartdesk" export --user dr.okafor --mrn 10000008 --category postop --out "$work/export-{run}.zip"
measure --row peak-memory --metric "$what, wall" --who "python -m zipfile -c (from local files)" \
  --rss-metric "$what, peak RSS" --runs 1 -- \
  python3 -m zipfile -c "$work/peer-export-{run}.zip" "$work/export"

step "peak memory: the window reading a long PDF"
# Issue 10 item 5: the viewer draws only the pages near the view, so a 300-page PDF read from top
# to bottom should peak well under 300 MB; the peer is the same window reading a 1-page PDF.
# Patient 10000005 has no documents of their own (the online-open step later replaces their list).
pages=300
$smoke && pages=5
python3 scripts/bench/make_long_pdf.py "$work/viewer/long-$pages-pages.pdf" "$pages"
python3 scripts/bench/make_long_pdf.py "$work/viewer/short-1-page.pdf" 1
ward upload --user nurse.hughes --mrn 10000005 --category lab "$work/viewer"/*.pdf >/dev/null
processed 10000005 lab
xvfb=()
[ -z "${DISPLAY:-}" ] && xvfb=(xvfb-run -a -s "-screen 0 1280x1024x24")
CHARTDESK_DESKTOP_BIN="$bin/chartdesk-desktop" BENCH_RUNS=1 BENCH_PASSWORD="$clinician_password" \
  "${xvfb[@]}" node scripts/bench/pdf_memory.mjs --mrn 10000005 --category lab --ours "long-$pages-pages.pdf" --peer short-1-page.pdf

step "image previews (the server's worker; clients send originals)"
images="$work/images"
count=5
$smoke && count=1
size=()
$smoke && size=(small)
"$bench_bin" images "$images" "$count" "${size[@]}"
for kind in camera a4-scan; do
  metric="$kind JPEG -> 1600+320 px, 1 core"
  $smoke || metric="$( [ $kind = camera ] && echo '12 MP camera' || echo '300 dpi A4 scan') JPEG -> 1600+320 px, 1 core"
  for img in "$images/$kind"-*.jpg; do
    out="$work/variants/$(basename "$img" .jpg)"
    mkdir -p "$out"
    measure --row variants --metric "$metric" --who "chartdesk_renditions::render (the worker)" --ours --goal "<= vipsthumbnail" \
      --rss-metric "$metric, peak RSS" --rss-goal "<= vipsthumbnail" --runs 1 -- \
      taskset -c 0 "$bench_bin" variants "$img" "$out/ours"
    # shellcheck disable=SC2016 # $1 and $2 are the inner sh's arguments, expanded there.
    measure --row variants --metric "$metric" --who "vipsthumbnail (x2)" --rss-metric "$metric, peak RSS" --runs 1 -- \
      taskset -c 0 env VIPS_CONCURRENCY=1 sh -c 'vipsthumbnail "$1" -s 1600 -o "$2/o.jpg[Q=80]" && vipsthumbnail "$1" -s 320 -o "$2/t.jpg[Q=80]"' - "$img" "$out"
    measure --row variants --metric "$metric" --who "imagemagick convert (one pass)" --rss-metric "$metric, peak RSS" --runs 1 -- \
      taskset -c 0 env MAGICK_THREAD_LIMIT=1 convert "$img" -auto-orient -resize '1600x>' -quality 80 -write "$out/m-o.jpg" -resize '320x>' "$out/m-t.jpg"
  done
done

step "offline search"
if $smoke; then "$bench_bin" search 200 2000 40; else "$bench_bin" search 100000 1000000 1000; fi

step "rows against a local cloud of their own: online open, uploads with a network's round trips, records that keep growing (10,000 documents against 100), the server's cold start and peak memory, processing (upload complete -> clean with preview)"
python3 scripts/bench/make_long_pdf.py "$work/processing/report-20-pages.pdf" "$($smoke && echo 2 || echo 20)"
if $smoke; then
  # Tiny inputs, one shared cloud, short quiet windows: the smoke run checks each row works.
  export BENCH_ONE_CLOUD=1 BENCH_QUIET_MS=200 BENCH_OPEN_DOCS=150 BENCH_OPEN_RUNS=2 \
    BENCH_UPLOAD_FILES=3 BENCH_UPLOAD_BYTES=100000 BENCH_UPLOAD_RUNS=1 \
    BENCH_GROWTH_DOCS=150 BENCH_GROWTH_RUNS=1 BENCH_SERVER_RUNS=1 BENCH_SERVER_LOAD=5
else
  unset BENCH_ONE_CLOUD BENCH_QUIET_MS BENCH_SERVER_LOAD
  export BENCH_OPEN_DOCS=1000 BENCH_OPEN_RUNS=20 BENCH_UPLOAD_FILES=40 BENCH_UPLOAD_BYTES=2000000 \
    BENCH_UPLOAD_RUNS=3 BENCH_GROWTH_DOCS=10000 BENCH_GROWTH_RUNS=10 BENCH_SERVER_RUNS=10
fi
CHARTDESK_SERVER_BIN="$bin/chartdesk-server" CHARTDESK_MOTO_SERVER="$moto_server" "$bench_bin" \
  open + upload-far + growth + server + processing "$images" "$work/processing/report-20-pages.pdf"

step "OCR pages per minute"
"$bench_bin" ocr "$work/ocr" "$($smoke && echo 1 || echo 10)"

step "start-up and memory of the window"
CHARTDESK_DESKTOP_BIN="$bin/chartdesk-desktop" HELLO_WINDOW_BIN="$bin/hello-window" CHARTDESK_SERVER_BIN="$bin/chartdesk-server" \
  CHARTDESK_BIN="$bin/chartdesk" CHARTDESK_MOTO_SERVER="$moto_server" BENCH_RUNS="$($smoke && echo 1 || echo 5)" \
  xvfb-run -a -s "-screen 0 1280x1024x24" node scripts/bench/startup.mjs

step "the sandbox's build against release"
scans=$($smoke && echo 2 || echo 50)
"$bin/chartdesk" sandbox scans --count "$scans" "$work/scans" >/dev/null
for p in debug release; do
  if [ ! -x "$CARGO_TARGET_DIR/$p/chartdesk" ]; then
    echo "{\"row\": \"sandbox\", \"metric\": \"$scans scans uploaded, jobs 2\", \"who\": \"$p build\", \"skipped\": \"not built in this run\"}" >>"$BENCH_RESULTS"
    continue
  fi
  ours=()
  [ $p = debug ] && ours=(--ours --goal "close to release")
  # A cache of each build's own: the other build may be older than this run's (a smoke run
  # uses whatever release build is there), and an older build refuses a cache a newer one
  # has migrated past its schema.
  measure --row sandbox --metric "$scans scans uploaded, jobs 2" --who "chartdesk upload, $p build" "${ours[@]}" --runs 1 -- \
    env CHARTDESK_PASSWORD="$ward_password" CHARTDESK_DATA_DIR="$work/data-$p" "$CARGO_TARGET_DIR/$p/chartdesk" upload --user nurse.hughes --mrn 10000008 --category radiology --jobs 2 "$work/scans"/*
done

echo
python3 scripts/bench/table.py "$BENCH_RESULTS"
cp "$BENCH_RESULTS" "$CHARTDESK_CACHE/bench-last.jsonl"
echo "(raw results: $CHARTDESK_CACHE/bench-last.jsonl)"
