#!/usr/bin/env bash
# likeness-cli curate, faces, include, exclude and delete-faces on a project
# extracted from the test data (tiny_person_c.mp4 as A, a group photo and a
# portrait as B).
set -u
cli=$1
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
contains() {  # contains DESCRIPTION FILE PATTERN
  if grep -qE "$3" "$2"; then echo "ok - $1"; else echo "not ok - $1: no /$3/ in:"; cat "$2"; fail=1; fi
}
py() {  # py DESCRIPTION SCRIPT ARGS...: a Python check over JSON files
  local what=$1 script=$2; shift 2
  if python3 -c "$script" "$@"; then echo "ok - $what"; else echo "not ok - $what"; fail=1; fi
}

p="$tmp/Cur.likeness"
check "new" 0 "$cli" new "$tmp/Cur"
check "extract A" 0 "$cli" extract -q "$p" -i A --every 8 "$data/videos/tiny_person_c.mp4"
check "extract B" 0 "$cli" extract -q "$p" -i B "$data/images/multi_three_2008_001322.jpg" \
  "$data/images/single_man_000007.jpg"

check "faces --json before curating" 0 "$cli" faces "$p" --json
cp "$tmp/out" "$tmp/faces0.json"
py "faces --json parses, metrics not yet measured" '
import json, sys
faces = json.load(open(sys.argv[1]))
assert len(faces) >= 20, len(faces)
for f in faces:
    assert f["included"] is True and f["reason"] is None
    assert f["sharpness"] is None and f["face-size"] > 0
    assert f["identity"] in ("A", "B") and f["file"].endswith(".png")
assert any(f["faces-in-frame"] > 1 for f in faces)
' "$tmp/faces0.json"

# Sorting by a metric that extraction does not measure measures it first
# (on a copy, so that the dry run below still finds everything unmeasured).
cp -r "$p" "$tmp/Sort.likeness"
check "faces --sort id does not measure" 0 "$cli" faces "$tmp/Sort.likeness" --sort id --json
cp "$tmp/out" "$tmp/sort-id.json"
check "faces --sort sharpness right after extraction" 0 \
  "$cli" faces "$tmp/Sort.likeness" --sort sharpness --json
cp "$tmp/out" "$tmp/sort-sharp.json"
check "faces --sort occlusion --desc" 0 "$cli" faces "$tmp/Sort.likeness" --sort occlusion --desc
contains "the table lists every face" "$tmp/out" "^$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/sort-id.json") faces"
py "sorted by measured sharpness, none left unmeasured" '
import json, sys
by_id, by_sharp = (json.load(open(f)) for f in sys.argv[1:3])
assert all(f["sharpness"] is None for f in by_id)
assert sorted(f["id"] for f in by_sharp) == sorted(f["id"] for f in by_id)
values = [f["sharpness"] for f in by_sharp]
assert all(v is not None and v > 0 for v in values), values
assert values == sorted(values), values
assert [f["id"] for f in by_sharp] != [f["id"] for f in by_id]
' "$tmp/sort-id.json" "$tmp/sort-sharp.json"
check "faces --sort dup_group" 0 "$cli" faces "$tmp/Sort.likeness" --sort dup_group --json
py "duplicate groups found for the sort" '
import json, sys
faces = json.load(open(sys.argv[1]))
assert all(f["phash"] is not None for f in faces)
groups = [f["dup-group"] for f in faces if f["dup-group"] is not None]
assert groups == sorted(groups) and len(groups) >= 2, groups
' "$tmp/out"
check "faces --duplicate-distance 40 is a usage error" 2 \
  "$cli" faces "$tmp/Sort.likeness" --sort dup_group --duplicate-distance 40

check "curate --auto --dry-run --json" 0 "$cli" curate "$p" --auto --dry-run --json
cp "$tmp/out" "$tmp/dry.json"
check "faces --json after the dry run" 0 "$cli" faces "$p" --json
cp "$tmp/out" "$tmp/faces1.json"
py "the dry run measured but excluded nothing; its preview counts add up" '
import json, sys
dry, before, after = (json.load(open(f)) for f in sys.argv[1:4])
assert dry["dry-run"] is True
assert dry["analysis"]["measured"] == len(before)
assert dry["rules"]["multi-face"]["excluded"] >= 2
assert dry["total"] == sum(r["excluded"] for r in dry["rules"].values()) == len(dry["excluded"])
assert [(f["id"], f["included"], f["reason"]) for f in before] == \
       [(f["id"], f["included"], f["reason"]) for f in after]
assert all(f["sharpness"] is not None and f["sharpness"] > 0 for f in after)
assert all(0 < f["exposure"] < 1 for f in after)
assert all(0 <= f["occlusion"] <= 1 for f in after)
assert all(f["occlusion"] is None for f in before)
' "$tmp/dry.json" "$tmp/faces0.json" "$tmp/faces1.json"
check "--max-occlusion above 1 is a usage error" 2 "$cli" curate "$p" --auto --max-occlusion 1.5

check "curate --auto --json" 0 "$cli" curate "$p" --auto --json -q
cp "$tmp/out" "$tmp/auto.json"
check "faces --filter excluded --json" 0 "$cli" faces "$p" --filter excluded --json
cp "$tmp/out" "$tmp/excluded.json"
py "curate did what the dry run previewed" '
import json, sys
dry, done, excluded = (json.load(open(f)) for f in sys.argv[1:4])
assert dry["excluded"] == done["excluded"]
assert done["analysis"]["measured"] == 0
assert sorted((f["id"], f["reason"]) for f in excluded) == \
       sorted((e["id"], e["reason"]) for e in done["excluded"])
' "$tmp/dry.json" "$tmp/auto.json" "$tmp/excluded.json"

check "faces --reason multi-face" 0 "$cli" faces "$p" --reason multi-face --json
py "the group photo's faces are excluded as multi-face" '
import json, sys
faces = json.load(open(sys.argv[1]))
assert len(faces) >= 2 and all(f["faces-in-frame"] > 1 and not f["included"] for f in faces)
' "$tmp/out"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$tmp/out")

check "faces sorted by sharpness, descending" 0 "$cli" faces "$p" --sort sharpness --desc --json
py "the order is by sharpness" '
import json, sys
s = [f["sharpness"] for f in json.load(open(sys.argv[1]))]
assert s == sorted(s, reverse=True)
' "$tmp/out"
check "faces sorted by occlusion" 0 "$cli" faces "$p" --sort occlusion --json
py "the order is by occlusion" '
import json, sys
s = [f["occlusion"] for f in json.load(open(sys.argv[1]))]
assert s == sorted(s), s
' "$tmp/out"
check "faces as a table" 0 "$cli" faces "$p" -i A --filter included
contains "the table has a header" "$tmp/out" '^ +id +time +sharpness +size +expo +cast +fit +cover'

check "include a face" 0 "$cli" include "$p" "$id"
check "exclude it with a reason" 0 "$cli" exclude "$p" --reason closed-eyes "$id"
check "faces --reason closed-eyes" 0 "$cli" faces "$p" --reason closed-eyes --json
py "the face carries the new reason" '
import json, sys
faces = json.load(open(sys.argv[1]))
assert [f["id"] for f in faces] == [int(sys.argv[2])] and faces[0]["reason"] == "closed-eyes"
' "$tmp/out" "$id"
file=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["file"])' "$tmp/out")

check "include of a missing face fails" 1 "$cli" include "$p" 999999
contains "the error names the project and the face" "$tmp/err" 'Cur\.likeness.*999999'
check "a face id must be a number" 2 "$cli" exclude "$p" abc
check "an unknown sort key is a usage error" 2 "$cli" faces "$p" --sort frobs
check "a bad --filter is a usage error" 2 "$cli" faces "$p" --filter maybe
check "a bad --identity is a usage error" 2 "$cli" curate "$p" --auto --identity C
check "an out-of-range threshold is a usage error" 2 "$cli" curate "$p" --auto --blurry 3
check "faces of a missing project fails" 1 "$cli" faces "$tmp/missing.likeness"
contains "the error names the missing project" "$tmp/err" 'missing\.likeness'

check "delete-faces without --yes is refused" 2 "$cli" delete-faces "$p" "$id"
[ -f "$file" ] && echo "ok - the crop is still there" || { echo "not ok - crop gone without --yes"; fail=1; }
check "delete-faces --yes" 0 "$cli" delete-faces "$p" "$id" --yes
[ ! -e "$file" ] && echo "ok - the crop file is gone" || { echo "not ok - crop file left"; fail=1; }
check "faces --json after the delete" 0 "$cli" faces "$p" --json
py "the face is gone from the project" '
import json, sys
assert int(sys.argv[2]) not in [f["id"] for f in json.load(open(sys.argv[1]))]
' "$tmp/out" "$id"

check "curate --keep-best" 0 "$cli" curate "$p" --keep-best -q
check "curate --coverage --json" 0 "$cli" curate "$p" --coverage --json -q
py "coverage has a histogram and missing angles" '
import json, sys
c = json.load(open(sys.argv[1]))["coverage"]["A"]
assert len(c["counts"]) == 12 and all(len(r) == 18 for r in c["counts"])
assert sum(map(sum, c["counts"])) == c["faces"] > 0 and len(c["missing"]) > 0
' "$tmp/out"
exit $fail
