#!/usr/bin/env python3
"""Runs a command N times; appends one result line (README.md here) with wall times, a
second with peak RSS when --rss-metric is given, and a third with the CPU another process
(the local cloud) spent during each run when --cpu-of and --cpu-metric are given.

usage: measure.py --row R --metric M --who W [--ours] [--goal G] [--runs N] [--unit s|ms]
                  [--rss-metric M2] [--cpu-of PID --cpu-metric M3] [--before CMD] -- command args...
"{run}" in the command or --before is replaced by the run's number from 0, "{run1}" from 1
(fresh destinations, another patient per run)."""
import argparse
import json
import os
import subprocess
import sys
import time


def fill(text, run):
    return text.replace("{run1}", str(run + 1)).replace("{run}", str(run))


def cpu_seconds(pid):
    """User and system CPU of `pid` (all its threads) so far, or None if it cannot be read."""
    if pid is None:
        return None
    try:
        fields = open(f"/proc/{pid}/stat", encoding="utf8").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat(5); after the command's ")" they are 12 and 13.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    argv = sys.argv[1:]
    split = argv.index("--")
    parser = argparse.ArgumentParser()
    for flag in ("--row", "--metric", "--who"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--ours", action="store_true")
    parser.add_argument("--goal")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--unit", default="s", choices=["s", "ms"])
    parser.add_argument("--rss-metric")
    parser.add_argument("--rss-goal")
    parser.add_argument("--cpu-of", type=int, help="a process whose CPU time each run is charged")
    parser.add_argument("--cpu-metric")
    parser.add_argument("--before", help="shell command run (untimed) before each run")
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    walls, peaks, cpus = [], [], []
    for run in range(args.runs):
        if args.before:
            subprocess.run(fill(args.before, run), shell=True, check=True)
        cmd = [fill(c, run) for c in command]
        cpu_before = cpu_seconds(args.cpu_of)
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # wait4 gives this child's own peak RSS (KiB on Linux), not the peak of all children so far.
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        cpu_after = cpu_seconds(args.cpu_of)
        if cpu_before is not None and cpu_after is not None:
            cpus.append(cpu_after - cpu_before)
        stderr = child.stderr.read().decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"measure: {args.who} failed (exit {os.waitstatus_to_exitcode(status)}):\n{stderr[-2000:]}")
        walls.append(elapsed if args.unit == "s" else elapsed * 1000)
        peaks.append(usage.ru_maxrss / 1024)
    out = open(os.environ["BENCH_RESULTS"], "a", encoding="utf8")
    line = {"row": args.row, "metric": args.metric, "who": args.who, "ours": args.ours,
            "unit": args.unit, "samples": [round(w, 4) for w in walls]}
    if args.goal and args.ours:
        line["goal"] = args.goal
    out.write(json.dumps(line) + "\n")
    if args.rss_metric:
        rss = {"row": args.row, "metric": args.rss_metric, "who": args.who, "ours": args.ours,
               "unit": "MB", "samples": [round(p, 1) for p in peaks]}
        if args.rss_goal and args.ours:
            rss["goal"] = args.rss_goal
        out.write(json.dumps(rss) + "\n")
    if args.cpu_metric:
        cpu = {"row": args.row, "metric": args.cpu_metric, "who": args.who, "ours": args.ours}
        if len(cpus) == len(walls):
            cpu.update(unit="s", samples=[round(c, 3) for c in cpus])
        else:
            cpu["skipped"] = "the process's CPU could not be read (no --cpu-of, or it ended)"
        out.write(json.dumps(cpu) + "\n")


if __name__ == "__main__":
    main()
