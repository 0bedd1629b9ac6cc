#!/usr/bin/env python3
"""Lets a fresh clone reuse what the last test run built, for the files it built unchanged.

Cargo judges a workspace crate fresh by modification times, and a clone gives every file a new
one, so every workspace crate built again although the cache outside the clone held it.

  save     after the last build of a test run: each tracked file's content hash and time, the
           clone's path and when.
  restore  before the first build: a file gets its recorded time back only when its content is
           the same, the clone is at the same path and nothing was built into the cache since
           the record (no fingerprint newer than it: another checkout's build may hold other
           content). The record is used once. Anything else keeps its new time and builds as
           before.

The same path, because binaries keep it through env!("CARGO_MANIFEST_DIR"), which cargo does
not track, and cargo follows a file included from outside its package (infra/template.yaml)
by its absolute path: a clone elsewhere could be judged by another clone's files.

What it cannot see: a build from another checkout into the same cache *while* a test run is
going (its fingerprints are then older than the record). One build at a time per cache, as
the scripts already assume. Whatever goes wrong here, the test run goes on without the record.

Usage: build_cache.py save|restore <clone root> <cargo target dir>
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

RECORD = "chartdesk-sources.json"
# Touched before a save reads the files: its time (the file system's clock, as cargo's own) is
# when the record was taken.
MARK = "chartdesk-sources.mark"


def tracked(root):
    listed = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=True).stdout
    return [p for p in listed.decode().split("\0") if p]


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def regular_files(root):
    for rel in tracked(root):
        path = os.path.join(root, rel)
        if os.path.isfile(path) and not os.path.islink(path):
            yield rel, path


def fingerprint_folders(target):
    """Cargo's fingerprint folders: <target>/<profile>/.fingerprint, and under a --target triple."""
    for first in os.scandir(target):
        if not first.is_dir():
            continue
        for folder in [first.path] + [e.path for e in os.scandir(first.path) if e.is_dir()]:
            fingerprints = os.path.join(folder, ".fingerprint")
            if os.path.isdir(fingerprints):
                yield fingerprints


def built_since(target, since_ns):
    """Whether any cargo fingerprint was written at or after `since_ns` (a tie counts: safe)."""
    for fingerprints in fingerprint_folders(target):
        for folder, _, files in os.walk(fingerprints):
            for name in files:
                try:
                    if os.stat(os.path.join(folder, name)).st_mtime_ns >= since_ns:
                        return True
                except FileNotFoundError:
                    return True  # cargo is replacing it: something is building
    return False


def save(root, target):
    mark = os.path.join(target, MARK)
    with open(mark, "w"):
        pass
    files = {rel: [digest(path), os.stat(path).st_mtime_ns] for rel, path in regular_files(root)}
    record = {"root": root, "saved_ns": os.stat(mark).st_mtime_ns, "files": files}
    with tempfile.NamedTemporaryFile("w", dir=target, prefix=RECORD, delete=False) as f:
        json.dump(record, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(f.name, os.path.join(target, RECORD))
    print(f"build cache: recorded {len(files)} files for the next clean clone")


def restore(root, target):
    path = os.path.join(target, RECORD)
    try:
        with open(path) as f:
            record = json.load(f)
    except (OSError, ValueError):
        print("build cache: no record of the last test run; workspace crates build afresh")
        return
    try:
        os.remove(path)
    except FileNotFoundError:
        print("build cache: another run took the record; workspace crates build afresh")
        return
    if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
        print("build cache: the record is damaged; workspace crates build afresh")
        return
    if record.get("root") != root or not isinstance(record.get("saved_ns"), int):
        print("build cache: the last test run was in another folder; workspace crates build afresh")
        return
    if built_since(target, record["saved_ns"]):
        print("build cache: something was built since the last test run; workspace crates build afresh")
        return
    kept = 0
    for rel, file in regular_files(root):
        was = record["files"].get(rel)
        if was and was[0] == digest(file):
            os.utime(file, ns=(was[1], was[1]), follow_symlinks=False)
            kept += 1
    print(f"build cache: {kept} files unchanged since the last test run keep their time")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("save", "restore"):
        sys.exit(__doc__)
    action, root, target = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
    try:
        os.makedirs(target, exist_ok=True)
        (save if action == "save" else restore)(root, target)
    # Anything at all: only a cache, and a run without it builds more but is as correct.
    except Exception as e:
        print(f"build cache: skipped ({type(e).__name__}: {e})")


if __name__ == "__main__":
    main()
