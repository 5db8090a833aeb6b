#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# build-aux/summarise-tests.py, which writes the closing line of
# `build-aux/setup test` (and so of CI): whatever meson's test log holds,
# one line "N passed, N failed[, N skipped]" comes out, exit 0, and a failed
# run is never summarised as all passed.
#
#   check-test-summary.sh SUMMARISE_SCRIPT

set -u
summarise=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() {  # expect DESCRIPTION LOG STATUS WANTED_LINE
  out=$(python3 "$summarise" "$2" "$3" 2>"$tmp/err")
  rc=$?
  if [ "$rc" -eq 0 ] && [ "$out" = "$4" ]; then
    echo "ok - $1"
  else
    echo "not ok - $1: exit $rc, printed “$out”, wanted “$4”"
    cat "$tmp/err"
    fail=1
  fi
}

ok='{"name": "a", "result": "OK", "duration": 1.0}'
bad='{"name": "b", "result": "FAIL", "duration": 1.0}'
skip='{"name": "c", "result": "SKIP", "duration": 0.1}'
timeout='{"name": "d", "result": "TIMEOUT", "duration": 9.0}'

printf '%s\n%s\n%s\n%s\n' "$ok" "$bad" "$skip" "$timeout" >"$tmp/plain.json"
expect "a well-formed log" "$tmp/plain.json" 1 "1 passed, 2 failed, 1 skipped"

printf '%s\n%s\n' "$ok" "$skip" >"$tmp/allok.json"
expect "all passed" "$tmp/allok.json" 0 "1 passed, 0 failed, 1 skipped"

# A line cut off by a kill, a line of bytes that are not UTF-8, an object
# without a result, a JSON array: each is skipped, the rest counted.
{ printf '%s\n' "$ok"; printf '{"name": "x", "resu'; printf '\n\377\376garbage\n';
  printf '{"name": "y"}\n[1, 2]\n%s\n' "$skip"; } >"$tmp/broken.json"
expect "a damaged log is counted as far as it can be read" "$tmp/broken.json" 0 \
  "1 passed, 0 failed, 1 skipped"
grep -q "not a test result" "$tmp/err" && echo "ok - the damaged lines are reported" ||
  { echo "not ok - no report of the damaged lines"; fail=1; }

# Two runs written into one log: a test counts once, with its last result.
printf '%s\n%s\n' "$bad" "$(printf '%s' "$bad" | sed 's/FAIL/OK/')" >"$tmp/twice.json"
expect "a test named twice counts once" "$tmp/twice.json" 0 "1 passed, 0 failed"

: >"$tmp/empty.json"
expect "an empty log after a failed run" "$tmp/empty.json" 1 "0 passed, 1 failed"
expect "an empty log after a run that passed" "$tmp/empty.json" 0 "0 passed, 0 failed"
expect "no log at all after a failed run" "$tmp/missing.json" 125 "0 passed, 1 failed"
expect "a failed run whose log shows only passes" "$tmp/allok.json" 1 \
  "1 passed, 1 failed, 1 skipped"

exit $fail
