#!/usr/bin/env bash
# likeness-cli and identity (issue 13): `faces --sort identity` and the
# automatic pass's "another-person" rule on a set of A polluted by an
# intruder (a few faces of tiny_person_d.mp4 among those of person_a.mp4),
# and the descriptors an older project lacks, computed on demand.
set -u
cli=$1
. "$(dirname "$0")/../lk-test-data.sh"
lk_require_testdata
if [ ! -f "${LIKENESS_FACE_RECOGNITION_MODEL:-/nonexistent}" ]; then
  echo "SKIP: ${LIKENESS_FACE_RECOGNITION_MODEL:-the face recognition network} was not built (build-aux/setup fetches @vladmandic/face-api)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check DESCRIPTION EXPECTED_STATUS COMMAND...
  local what=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "not ok - $what: exit $got, wanted $want"; cat "$tmp/out" "$tmp/err"; fail=1
  else
    echo "ok - $what"
  fi
}
contains() {  # contains DESCRIPTION FILE PATTERN
  if grep -qE "$3" "$2"; then echo "ok - $1"; else echo "not ok - $1: no /$3/ in:"; cat "$2"; fail=1; fi
}
py() {  # py DESCRIPTION SCRIPT ARGS...: a Python check over JSON files
  local what=$1 script=$2; shift 2
  if python3 -c "$script" "$@"; then echo "ok - $what"; else echo "not ok - $what"; fail=1; fi
}

p="$tmp/Id.likeness"
check "new" 0 "$cli" new "$tmp/Id"
check "extract person_a as A" 0 "$cli" extract -q "$p" -i A --every 10 --max-faces 1 \
  "$data/videos/person_a.mp4"
check "extract the intruder as A" 0 "$cli" extract -q "$p" -i A --every 60 --max-faces 1 \
  "$data/videos/tiny_person_d.mp4"

# The intruder's faces are those of the second source.
check "faces --sort identity" 0 "$cli" faces "$p" --sort identity --json
cp "$tmp/out" "$tmp/sorted.json"
py "the intruder's faces sort last, by distance" '
import json, sys
faces = json.load(open(sys.argv[1]))
intruder = max(f["source-id"] for f in faces)
n = sum(f["source-id"] == intruder for f in faces)
assert 3 <= n < len(faces) / 2, (n, len(faces))
assert all(f["source-id"] == intruder for f in faces[-n:]), [f["source-id"] for f in faces]
d = [f["identity-distance"] for f in faces]
assert d == sorted(d) and d[-n] > 0.6 > d[-n - 1], d
' "$tmp/sorted.json"

check "curate --auto --dry-run --json" 0 "$cli" curate "$p" -i A --auto --dry-run --json -q
cp "$tmp/out" "$tmp/dry.json"
py "another-person excludes exactly the intruder's faces" '
import json, sys
plan = json.load(open(sys.argv[1]))
faces = json.load(open(sys.argv[2]))
intruder = {f["id"] for f in faces if f["source-id"] == max(g["source-id"] for g in faces)}
rule = plan["rules"]["another-person"]
assert rule["flagged"] == rule["excluded"] == len(intruder), (rule, len(intruder))
assert {e["id"] for e in plan["excluded"] if e["reason"] == "another-person"} == intruder
assert plan["with-descriptor"] == plan["considered"]
' "$tmp/dry.json" "$tmp/sorted.json"
check "curate --auto --dry-run" 0 "$cli" curate "$p" -i A --auto --dry-run -q
contains "the dry run shows the rule" "$tmp/out" "^another-person +5 +5$"
check "an out-of-range distance is a usage error" 2 \
  "$cli" curate "$p" --auto --max-identity-distance -1

# An older project: no descriptors; sorting by identity computes them.
python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE faces SET descriptor = NULL")
db.commit()
' "$p/project.db"
check "faces --sort identity on an older project" 0 "$cli" faces "$p" --sort identity
contains "says it identified them" "$tmp/err" "Identified 25 faces"
contains "the table lists every face" "$tmp/out" "^25 faces"
check "faces --sort identity --json, now computed" 0 "$cli" faces "$p" --sort identity --json
py "and sorts as before" '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert [f["id"] for f in a][-5:] == [f["id"] for f in b][-5:] or \
       {f["id"] for f in a[-5:]} == {f["id"] for f in b[-5:]}
assert all(abs(x["identity-distance"] - y["identity-distance"]) < 1e-3
           for x, y in zip(sorted(a, key=lambda f: f["id"]), sorted(b, key=lambda f: f["id"])))
' "$tmp/sorted.json" "$tmp/out"

# --no-descriptors: faces stored without one (the sort above computes them).
q="$tmp/Fast.likeness"
check "new (fast)" 0 "$cli" new "$tmp/Fast"
check "extract --no-descriptors" 0 "$cli" extract -q "$q" -i A --every 60 --max-faces 1 \
  --no-descriptors "$data/videos/tiny_person_d.mp4"
check "extract with descriptors" 0 "$cli" extract -q "$q" -i B --every 60 --max-faces 1 \
  "$data/videos/tiny_person_c.mp4"
py "descriptors only where asked for" '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT identity, descriptor IS NULL FROM faces").fetchall()
a = [null for identity, null in rows if identity == 0]
b = [null for identity, null in rows if identity == 1]
assert a and b and all(a) and not any(b), rows
' "$q/project.db"

exit $fail
