#!/usr/bin/env bash
# Waits (untimed, before a run) until the processing worker has finished every notice on its
# queue: none waiting, none being worked on. An upload row's runs would otherwise share the two
# cores and moto with the worker still processing the previous run's files (OCR, previews),
# which on AWS run in Lambda beside S3, not on the uploader's machine.
#   worker_idle.sh ENDPOINT QUEUE_URL
set -uo pipefail
endpoint="$1" queue="$2"
counts="(not read yet)"
# Every 2 s (each look starts the aws CLI, CPU the worker would rather have), for 15 minutes; a
# look that fails (moto busy) is only a look.
end=$((SECONDS + 900))
while ((SECONDS < end)); do
  if counts="$(aws sqs get-queue-attributes --endpoint-url "$endpoint" --queue-url "$queue" \
    --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible \
    --query 'Attributes.[ApproximateNumberOfMessages, ApproximateNumberOfMessagesNotVisible]' --output text)"; then
    [ "$(echo "$counts" | tr -s '[:space:]' ' ' | xargs)" = "0 0" ] && exit 0
  fi
  sleep 2
done
echo "worker_idle: the worker still has notices after 15 minutes: $counts" >&2
exit 1
