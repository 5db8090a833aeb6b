#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Prints "N passed, N failed[, N skipped]" from meson's test log, whatever
# the log holds: build-aux/setup's closing line, which CI reads.
#
#   summarise-tests.py TESTLOG_JSON MESON_TEST_STATUS
#
# testlog.json has one JSON object a line. A line that does not parse (cut
# off by a kill, bytes that are not UTF-8, two runs writing at once) is
# reported on stderr and skipped; a test named twice counts once, with its
# last result. A run that failed (non-zero MESON_TEST_STATUS) with no failed
# test in the log (the build broke, meson itself failed, the log is missing
# or empty) counts as one failure, so that the line never says all is well
# when it is not.

import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}


def main():
    if len(sys.argv) != 3:
        print("usage: summarise-tests.py TESTLOG_JSON MESON_TEST_STATUS", file=sys.stderr)
        return 2
    path = sys.argv[1]
    try:
        status = int(sys.argv[2])
    except ValueError:
        status = 1

    results = {}
    try:
        with open(path, "rb") as f:
            for number, raw in enumerate(f, 1):
                line = raw.decode("utf-8", errors="replace").strip()
                if not line:
                    continue
                try:
                    entry = json.loads(line)
                    name = entry["name"]
                    result = entry["result"]
                    if not isinstance(name, str) or not isinstance(result, str):
                        raise TypeError("name or result is not a string")
                except (ValueError, KeyError, TypeError) as e:
                    print(f"{path}:{number}: not a test result ({e}); skipped", file=sys.stderr)
                    continue
                results[name] = result
    except OSError as e:
        print(f"{path}: {e.strerror or e}", file=sys.stderr)

    passed = sum(1 for r in results.values() if r in PASSED)
    skipped = sum(1 for r in results.values() if r in SKIPPED)
    failed = len(results) - passed - skipped
    if status != 0 and failed == 0:
        print(f"meson test exited with status {status} but the log names no failed test; "
              "counted as one failure", file=sys.stderr)
        failed = 1

    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
