#!/usr/bin/env python3
"""Prints the benchmark table from the JSON lines in argv[1] (format: README.md here)."""
import json
import statistics
import sys


def quantile(samples, q):
    ordered = sorted(samples)
    # Nearest rank: with three runs the p95 is the slowest, which is what a user would feel.
    index = max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))
    return ordered[index]


def fmt(value, unit):
    if value >= 100:
        return f"{value:.0f} {unit}"
    if value >= 10:
        return f"{value:.1f} {unit}"
    return f"{value:.2f} {unit}"


def short(who):
    """A peer's name in the ratio column: its first word, or two where the first is ours."""
    words = who.split(" ")
    return " ".join(words[:2]) if words[0] == "chartdesk" else words[0]


def main(path):
    lines = [json.loads(l) for l in open(path, encoding="utf8") if l.strip()]
    # Lines of one row, metric and subject are one sample set (e.g. one line per image).
    merged = {}
    for line in lines:
        key = (line["row"], line.get("metric", ""), line["who"])
        if key in merged and line.get("samples") and merged[key].get("samples"):
            merged[key]["samples"] = merged[key]["samples"] + line["samples"]
        else:
            merged.setdefault(key, dict(line))
    groups = {}
    for line in merged.values():
        groups.setdefault((line["row"], line.get("metric", "")), []).append(line)
    header = f"{'row':<13} {'metric':<52} {'who':<40} {'median':>10} {'p95':>10} {'n':>4}  ratio / goal"
    print(header)
    print("-" * len(header))
    for (row, metric), members in groups.items():
        peers = [m for m in members if not m.get("ours") and m.get("samples")]
        for m in sorted(members, key=lambda m: not m.get("ours")):
            if m.get("skipped"):
                print(f"{row:<13} {metric[:52]:<52} {m['who']:<40} {'skipped: ' + m['skipped']}")
                continue
            samples, unit = m["samples"], m["unit"]
            median = statistics.median(samples)
            notes = []
            if m.get("ours"):
                for p in peers:
                    ratio = median / statistics.median(p["samples"]) if statistics.median(p["samples"]) else float("inf")
                    notes.append(f"{ratio:.2f}x {short(p['who'])}")
                if m.get("goal"):
                    notes.append(f"goal {m['goal']}")
            print(
                f"{row:<13} {metric[:52]:<52} {m['who'][:40]:<40} {fmt(median, unit):>10} "
                f"{fmt(quantile(samples, 0.95), unit):>10} {len(samples):>4}  {', '.join(notes)}"
            )
    print("\nratio = our median / the peer's median, measured in this run (< 1: we are faster or smaller)")


if __name__ == "__main__":
    main(sys.argv[1])
