"""Waits until the processing worker recorded an outcome for every document in one category of a
record: nothing is opened or exported before its virus verdict, in every configuration, so a
bench that uploads and then opens waits here first, as staff wait for "Checking for viruses…".

Usage: wait_processed.py SERVER_URL USER PASSWORD MRN CATEGORY [TIMEOUT_SECONDS]
"""

import json
import sys
import time
import urllib.request

# The list's words for a document the worker has not finished (chartdesk_domain::status_note).
WAITING = {"Checking for viruses…", "Preparing preview…"}


def call(url, token=None, body=None):
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode())
    if body is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def main():
    server, user, password, mrn, category = sys.argv[1:6]
    deadline = time.monotonic() + float(sys.argv[6] if len(sys.argv) > 6 else 900)
    session = call(f"{server}/v1/session", body={"username": user, "password": password})
    token = session["tokens"]["access_token"]
    while True:
        rows = call(f"{server}/v1/patients/{mrn}/documents?category={category}", token)["rows"]
        waiting = sum(1 for row in rows if row.get("status_note") in WAITING)
        if waiting == 0:
            return
        if time.monotonic() > deadline:
            sys.exit(f"the worker has not finished {waiting} of {len(rows)} documents")
        time.sleep(1)


if __name__ == "__main__":
    main()
