"""The build cache's rules (build_cache.py): a file gets its recorded time back only when it is
safe, because a wrong "fresh" would run a stale binary and pass or fail the wrong code.
Run: python3 -m unittest discover -s scripts -p '*_test.py'
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build_cache.py")
OLD = 1_600_000_000_000_000_000  # 2020: older than any build


def run(action, root, target):
    # git must not find a repository above a folder that is no clone (a temp folder in a checkout).
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(os.path.dirname(root)))
    done = subprocess.run([sys.executable, SCRIPT, action, root, target], capture_output=True, text=True, check=True, env=env)
    return done.stdout


class BuildCache(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.dir.name, "clone")
        self.target = os.path.join(self.dir.name, "target")
        self.fingerprint = os.path.join(self.target, "debug", ".fingerprint", "unit", "lib")
        os.makedirs(os.path.dirname(self.fingerprint))
        os.makedirs(self.root)
        subprocess.run(["git", "init", "-q", self.root], check=True)
        for name in ("same.rs", "changed.rs"):
            self.write(name, "fn a() {}\n")
        subprocess.run(["git", "-C", self.root, "add", "."], check=True)
        # Built long ago: no sleep needed, whatever the file system's timestamp resolution.
        self.build(at=OLD)

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, text):
        with open(os.path.join(self.root, name), "w") as f:
            f.write(text)

    def build(self, at=None):
        with open(self.fingerprint, "w") as f:
            f.write("built")
        if at is not None:
            os.utime(self.fingerprint, ns=(at, at))

    def record(self):
        with open(os.path.join(self.target, "chartdesk-sources.json")) as f:
            return json.load(f)

    def saved_with_old_times(self):
        """The files as the last run had them (old times), recorded; then a fresh clone's times."""
        for name in ("same.rs", "changed.rs"):
            os.utime(os.path.join(self.root, name), ns=(OLD, OLD))
        run("save", self.root, self.target)
        for name in ("same.rs", "changed.rs"):
            os.utime(os.path.join(self.root, name))

    def mtime(self, name):
        return os.stat(os.path.join(self.root, name)).st_mtime_ns

    def test_only_files_with_the_same_content_get_their_time_back(self):
        self.saved_with_old_times()
        self.write("changed.rs", "fn b() {}\n")
        said = run("restore", self.root, self.target)
        self.assertIn("1 files unchanged", said)
        self.assertEqual(self.mtime("same.rs"), OLD)
        self.assertGreater(self.mtime("changed.rs"), OLD)

    def test_a_build_after_the_record_cancels_it(self):
        self.saved_with_old_times()
        later = self.record()["saved_ns"] + 1_000_000_000
        self.build(at=later)
        said = run("restore", self.root, self.target)
        self.assertIn("something was built since", said)
        self.assertGreater(self.mtime("same.rs"), OLD)

    def test_a_build_in_the_same_tick_as_the_record_cancels_it_too(self):
        self.saved_with_old_times()
        self.build(at=self.record()["saved_ns"])
        self.assertIn("something was built since", run("restore", self.root, self.target))
        self.assertGreater(self.mtime("same.rs"), OLD)

    def test_a_build_under_a_target_triple_cancels_it_too(self):
        self.saved_with_old_times()
        triple = os.path.join(self.target, "x86_64-unknown-linux-gnu", "debug", ".fingerprint", "unit")
        os.makedirs(triple)
        with open(os.path.join(triple, "lib"), "w") as f:
            f.write("built")
        self.assertIn("something was built since", run("restore", self.root, self.target))

    def test_a_clone_in_another_folder_gets_nothing(self):
        self.saved_with_old_times()
        moved = self.root + "-elsewhere"
        os.rename(self.root, moved)
        said = run("restore", moved, self.target)
        self.assertIn("another folder", said)
        self.assertGreater(os.stat(os.path.join(moved, "same.rs")).st_mtime_ns, OLD)

    def test_the_record_is_used_once(self):
        self.saved_with_old_times()
        run("restore", self.root, self.target)
        os.utime(os.path.join(self.root, "same.rs"))
        self.assertIn("no record", run("restore", self.root, self.target))
        self.assertGreater(self.mtime("same.rs"), OLD)

    def test_a_damaged_record_or_a_folder_that_is_no_clone_never_stops_the_run(self):
        for damaged in ({"files": {}}, [], {"root": self.root, "saved_ns": 1}, "not json"):
            with open(os.path.join(self.target, "chartdesk-sources.json"), "w") as f:
                f.write(damaged if isinstance(damaged, str) else json.dumps(damaged))
            said = run("restore", self.root, self.target)
            self.assertIn("build afresh", said, damaged)
        self.assertGreater(self.mtime("same.rs"), OLD)
        no_clone = os.path.join(self.dir.name, "no-clone")
        os.makedirs(no_clone)
        self.assertIn("skipped", run("save", no_clone, self.target))


if __name__ == "__main__":
    unittest.main()
