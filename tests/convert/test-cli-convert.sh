#!/usr/bin/env bash
# likeness-cli convert and verify: a round trip on a project with a fixture
# model (random weights, made by test-convert --make-fixture), a changed
# byte, and Ctrl+C leaving nothing under the output's name.
set -u
cli=$1
fixture=$2
. "$(dirname "$0")/../lk-test-data.sh"
lk_require_testdata
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
py() {  # py DESCRIPTION SCRIPT ARGS...
  local what=$1 script=$2; shift 2
  if python3 -c "$script" "$@"; then echo "ok - $what"; else echo "not ok - $what"; fail=1; fi
}

p="$tmp/Conv.likeness"
check "new" 0 "$cli" new "$tmp/Conv"
check "convert without a model fails" 1 "$cli" convert -q "$p" "$data/videos/tiny_person_c.mp4" \
  -o "$tmp/none.mp4"
check "fixture model" 0 "$fixture" --make-fixture "$p"
check "convert without -o" 2 "$cli" convert "$p" "$data/videos/tiny_person_c.mp4"
check "convert with a bad colour" 2 "$cli" convert "$p" "$data/videos/tiny_person_c.mp4" \
  -o "$tmp/x.mp4" --colour purple

check "convert --json" 0 "$cli" convert "$p" "$data/videos/tiny_person_c.mp4" -o "$tmp/out.mp4" \
  --end 30f --crf 18 --preset ultrafast --colour histogram --blend alpha --feather 8 --json
cp "$tmp/out" "$tmp/convert.json"
py "convert --json: 31 frames, sidecar, settings" '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] and r["frames"] == 31, r
assert r["frames-with-faces"] > 20, r
assert r["sidecar"].endswith("out.mp4.likeness.json"), r
s = r["settings"]
assert s["mask.color-mode"] == "histogram" and s["mask.blend-mode"] == "alpha", s
assert s["mask.feather"] == 8 and s["export.crf"] == 18 and s["range.end-frame"] == 30, s
side = json.load(open(r["sidecar"]))
assert side["output"]["sha256"] == r["output-sha256"], side
assert side["settings"] == s, (side["settings"], s)
assert side["synthetic"] is True
' "$tmp/convert.json"

check "verify" 0 "$cli" verify "$tmp/out.mp4"
check "verify --json" 0 "$cli" verify --json "$tmp/out.mp4"
py "verify --json says the hash matches" '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] and r["hash-matches"] and r["metadata-synthetic"], r
' "$tmp/out"

# One byte in the middle of the file changed.
size=$(stat -c %s "$tmp/out.mp4")
python3 -c '
import sys
path, off = sys.argv[1], int(sys.argv[2]) // 2
with open(path, "r+b") as f:
    f.seek(off); b = f.read(1); f.seek(off); f.write(bytes([b[0] ^ 0x20]))
' "$tmp/out.mp4" "$size"
check "verify after a changed byte fails" 1 "$cli" verify "$tmp/out.mp4"
grep -q "changed" "$tmp/err" && echo "ok - says it changed" \
  || { echo "not ok - message"; cat "$tmp/err"; fail=1; }
rm -f "$tmp/out.mp4.likeness.json"
check "verify without a sidecar fails" 1 "$cli" verify "$tmp/out.mp4"

check "convert --no-sidecar --no-metadata" 0 "$cli" convert -q "$p" \
  "$data/videos/tiny_person_c.mp4" -o "$tmp/plain.mp4" --start 1 --end 1.5 --preset ultrafast \
  --no-sidecar --no-metadata
[ -f "$tmp/plain.mp4" ] && [ ! -e "$tmp/plain.mp4.likeness.json" ] \
  && echo "ok - no sidecar written" || { echo "not ok - sidecar"; fail=1; }

# Ctrl+C: wait for the temporary file to appear, then interrupt.
mkdir "$tmp/int"
"$cli" convert -q "$p" "$data/videos/tiny_person_d.mp4" -o "$tmp/int/out.mp4" \
  --preset ultrafast >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 1 300); do
  ls "$tmp/int" | grep -q partial && break
  sleep 0.1
done
sleep 0.3
kill -INT "$pid"
wait "$pid"
status=$?
[ "$status" -eq 130 ] && echo "ok - Ctrl+C exits 130" \
  || { echo "not ok - Ctrl+C exit $status"; cat "$tmp/int.err"; fail=1; }
left=$(ls -A "$tmp/int")
[ -z "$left" ] && echo "ok - Ctrl+C leaves nothing" || { echo "not ok - left: $left"; fail=1; }

exit $fail
