#!/usr/bin/env python3
"""How long a big file is at risk: from starting `chartdesk upload` until it says the file is
safe in the outbox (issue 13 item 2), against the floor of copying the file and fsyncing it.

usage: durable.py --runs N --mrn M --file F --floor-dir D -- chartdesk-command-prefix..."""
import argparse
import json
import os
import subprocess
import sys
import time


def main():
    argv = sys.argv[1:]
    split = argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mrn", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--floor-dir", required=True)
    args = parser.parse_args(argv[:split])
    cli = argv[split + 1 :]
    durable, signed_in, floor = [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        child = subprocess.Popen(
            cli + ["upload", "--user", "nurse.hughes", "--mrn", args.mrn, "--category", "lab", args.file],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        for line in child.stdout:
            if "safe in the outbox" in line:
                durable.append(time.perf_counter() - started)
                break
        child.stdout.read()
        if child.wait() != 0 or len(durable) != len(floor) + 1:
            sys.exit("durable: the upload failed or never said the file was safe")
        # The part of that spent signing in (the same command with nothing to queue).
        started = time.perf_counter()
        subprocess.run(cli + ["outbox", "--user", "nurse.hughes"], check=True, capture_output=True)
        signed_in.append(time.perf_counter() - started)
        os.makedirs(args.floor_dir, exist_ok=True)
        started = time.perf_counter()
        subprocess.run(["dd", f"if={args.file}", f"of={args.floor_dir}/copy", "bs=4M", "conv=fsync", "status=none"], check=True)
        floor.append(time.perf_counter() - started)
    mib = os.path.getsize(args.file) / 1024 / 1024
    metric = f"{mib:.0f} MiB file: start -> durable in outbox"
    out = open(os.environ["BENCH_RESULTS"], "a", encoding="utf8")
    for who, ours, samples, goal in [
        ("chartdesk upload (incl. sign-in)", True, durable, "< 0.5 s"),
        ("dd conv=fsync (copy + fsync, floor)", False, floor, None),
        ("chartdesk outbox (sign-in alone)", False, signed_in, None),
    ]:
        line = {"row": "durable", "metric": metric, "who": who, "ours": ours, "unit": "s",
                "samples": [round(s, 4) for s in samples]}
        if goal:
            line["goal"] = goal
        out.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
