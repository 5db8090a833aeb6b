#!/usr/bin/env bash
# likeness-cli compare: distance and same/different of photos and videos.
set -u
cli=$1
here=$(dirname "$0")
. "$here/../lk-test-data.sh"
lk_require_testdata
model=${LIKENESS_FACE_RECOGNITION_MODEL:-$LK_BUILD_DIR/data/models/face_recognition.safetensors}
if [ ! -f "$model" ]; then
  echo "SKIP: $model was not built (build-aux/setup fetches @vladmandic/face-api)"
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

a=$data/videos/person_a.mp4
b=$data/videos/person_b.mp4

check "compare needs two files" 2 "$cli" compare "$a"

check "A and B" 0 "$cli" compare --json "$a" "$b"
python3 - "$tmp/out" <<'PY' && echo "ok - A and B are different people" || { echo "not ok - A and B"; cat "$tmp/out"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] and not d["same-person"] and d["distance"] >= d["threshold"] == 0.6, d
assert [i["kind"] for i in d["inputs"]] == ["video", "video"], d
assert all(i["faces"] >= 5 for i in d["inputs"]), d
print("# distance A-B %.3f" % d["distance"])
PY

# A still of A (made here from the clip) against the clip: the same person.
ffmpeg -v error -ss 2 -i "$a" -frames:v 1 "$tmp/a.png" || { echo "not ok - ffmpeg"; exit 1; }
check "a still of A and the clip of A" 0 "$cli" compare "$tmp/a.png" "$a"
contains "they are the same person" "$tmp/out" '^distance 0\.[0-9]+: same person'
contains "the clip is summarised by a median" "$tmp/out" 'median of [0-9]+ faces in [0-9]+ frames'

multi=$data/images/multi_three_2008_001322.jpg
check "a photo with several faces needs a choice" 1 "$cli" compare "$multi" "$tmp/a.png"
contains "the faces are listed with --face1" "$tmp/err" 'has 3 faces; choose one with --face1 N'
contains "with their boxes" "$tmp/err" '^  2: [0-9]+x[0-9]+ at \('
check "--face1 chooses one" 0 "$cli" compare --face1 2 "$multi" "$tmp/a.png"
contains "not A" "$tmp/out" 'different people'

check "a photo without a face fails" 1 "$cli" compare "$data/images/noface_fruits.jpg" "$tmp/a.png"
contains "the error names the file" "$tmp/err" 'noface_fruits\.jpg: no face found'
check "a missing file fails" 1 "$cli" compare "$tmp/missing.jpg" "$tmp/a.png"
contains "the error names it" "$tmp/err" 'missing\.jpg'

LIKENESS_FACE_RECOGNITION_MODEL=$tmp/none.safetensors \
  check "without the network" 1 "$cli" compare "$tmp/a.png" "$tmp/a.png"
contains "identity features are off, said once" "$tmp/err" 'Identity features are off: .*none\.safetensors'
[ "$(grep -c 'Identity features are off' "$tmp/err")" -eq 1 ] && echo "ok - only once" ||
  { echo "not ok - said more than once"; cat "$tmp/err"; fail=1; }
exit $fail
