#!/usr/bin/env python3
"""Counts the test cases of every suite from Meson's testlog.json files (TAP output of cmocka,
the API tests and node's test runner) and prints the closing line: N passed, N failed."""
import argparse
import json
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$")


def count(path):
    passed = failed = skipped = 0
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        print("missing test log: %s" % path)
        return 0, 1, 0
    for line in lines:
        entry = json.loads(line)
        cases = 0
        for out in (entry.get("stdout") or "").splitlines():
            m = TAP.match(out)  # top level only: node's subtests are indented
            if not m:
                continue
            cases += 1
            if "# SKIP" in m.group(2).upper():
                skipped += 1
            elif m.group(1) == "ok":
                passed += 1
            else:
                failed += 1
        if cases == 0:  # a suite that crashed before its first line still counts as failed
            if entry.get("result") in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif entry.get("result") == "SKIP":
                skipped += 1
            else:
                failed += 1
        elif entry.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and failed == 0:
            failed += 1  # e.g. the plan did not match, or the process died after its output
    return passed, failed, skipped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--extra-pass", type=int, default=0)
    ap.add_argument("--extra-fail", type=int, default=0)
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("logs", nargs="*")
    a = ap.parse_args()
    passed, failed, skipped = a.extra_pass, a.extra_fail, 0
    for path in a.logs:
        p, f, s = count(path)
        print("%s: %d passed, %d failed, %d skipped" % (path, p, f, s))
        passed, failed, skipped = passed + p, failed + f, skipped + s
    if a.seconds:
        print("make test took %d min %d s" % (a.seconds // 60, a.seconds % 60))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
