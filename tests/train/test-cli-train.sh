#!/usr/bin/env bash
# likeness-cli train: trains, continues from the saved iteration, stores the
# settings it was given, refuses too few faces, saves on SIGINT (exit 130).
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
json_field() {  # json_field FILE KEY
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

p="$tmp/T.likeness"
small=(--size 64 --encoder-width 8 --decoder-width 8 --bottleneck 32 --batch 4 --device cpu)
one=(--threads 1)  # OpenMP's barriers crawl on a loaded 2-core machine

check "new" 0 "$cli" new "$p"
check "extract A" 0 "$cli" extract -q "$p" --identity A --every 3 "$data/videos/tiny_person_c.mp4"

check "too few faces is refused" 1 "$cli" train "$p" --iterations 2 "${small[@]}"
contains "the refusal names identity B" "$tmp/err" 'Identity B has 0 included faces; at least 16'

check "extract B" 0 "$cli" extract -q "$p" --identity B --every 3 "$data/videos/tiny_person_d.mp4"
check "both limits is a usage error" 2 "$cli" train "$p" --iterations 2 --minutes 1
check "a bad size is a usage error" 2 "$cli" train "$p" --size 96

check "train 20 iterations" 0 "$cli" train "$p" --iterations 20 "${small[@]}" "${one[@]}" --json
[ "$(json_field "$tmp/out" iteration)" = 20 ] && echo "ok - at iteration 20" \
  || { echo "not ok - iteration after the first run"; cat "$tmp/out"; fail=1; }
[ -f "$p/model/ckpt-20.safetensors" ] && echo "ok - ckpt-20 saved" \
  || { echo "not ok - no ckpt-20"; ls -l "$p/model"; fail=1; }

check "train 20 more" 0 "$cli" train "$p" --iterations 20 "${one[@]}" --cuda-graphs --json
[ "$(json_field "$tmp/out" start-iteration)" = 20 ] && [ "$(json_field "$tmp/out" iteration)" = 40 ] \
  && echo "ok - continued from 20 to 40" || { echo "not ok - second run"; cat "$tmp/out"; fail=1; }
contains "CUDA graphs on the CPU: a warning, eager steps" "$tmp/err" \
  'warning: CUDA graphs are not used: CUDA graphs need a CUDA device'
check "--cuda-graphs with --no-cuda-graphs is a usage error" 2 \
  "$cli" train "$p" --cuda-graphs --no-cuda-graphs

python3 - "$p/project.db" >"$tmp/out" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for key, value in db.execute("SELECT key, value FROM settings WHERE key LIKE 'train.%'"):
    print(key, value)
PY
contains "the face size was stored" "$tmp/out" '^train\.face-size 64$'
contains "the batch size was stored" "$tmp/out" '^train\.batch-size 4$'
contains "the CUDA graph choice was stored" "$tmp/out" '^train\.cuda-graphs true$'

# The project moved here from a machine with a GPU: ckpt-40 as a CUDA run
# writes it (device "cuda", a 16-byte generator state) resumes with a word.
python3 - "$p/model/ckpt-40.safetensors" <<'PY'
import json, struct, sys
path = sys.argv[1]
b = open(path, "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h, data = json.loads(b[8:8 + n]), b[8 + n:]
h["__metadata__"]["likeness.device"] = "cuda"
begin, end = h["rng.state"]["data_offsets"]
assert end == len(data), "rng.state is not the last tensor"
h["rng.state"].update(shape=[16], data_offsets=[begin, begin + 16])
hs = json.dumps(h, separators=(",", ":")).encode()
hs += b" " * (-len(hs) % 8)
open(path, "wb").write(struct.pack("<Q", len(hs)) + hs + data[:begin + 16])
PY
check "a checkpoint from a GPU resumes on the CPU" 0 "$cli" train "$p" --iterations 2 "${one[@]}" --json
[ "$(json_field "$tmp/out" start-iteration)" = 40 ] && [ "$(json_field "$tmp/out" iteration)" = 42 ] \
  && echo "ok - moved from a GPU: 40 to 42" || { echo "not ok - moved from a GPU"; cat "$tmp/out" "$tmp/err"; fail=1; }
contains "the move is mentioned" "$tmp/err" 'saved while training on a graphics card'

# Ctrl+C: saves and exits 130.
"$cli" train "$p" "${one[@]}" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 600); do
  grep -q 'iteration 4[1-9]' "$tmp/err" 2>/dev/null && break
  sleep 0.1
done
kill -INT $pid
wait $pid
got=$?
[ $got -eq 130 ] && echo "ok - SIGINT exits 130" || { echo "not ok - SIGINT exit $got"; cat "$tmp/err"; fail=1; }
contains "SIGINT says where it saved" "$tmp/err" 'interrupted; saved at iteration [0-9]+'
n=$(sed -nE 's/.*interrupted; saved at iteration ([0-9]+).*/\1/p' "$tmp/err" | tail -1)
[ -n "$n" ] && [ -f "$p/model/ckpt-$n.safetensors" ] && echo "ok - ckpt-$n exists" \
  || { echo "not ok - no checkpoint for iteration '$n'"; ls "$p/model"; fail=1; }

# A new model: the old checkpoints move aside, the count starts again.
check "a new model" 0 "$cli" train "$p" --new-model --iterations 2 "${one[@]}" --json
[ "$(json_field "$tmp/out" iteration)" = 2 ] && echo "ok - the new model is at iteration 2" \
  || { echo "not ok - new model"; cat "$tmp/out"; fail=1; }
ls "$p"/model/old-*/ckpt-*.safetensors >/dev/null 2>&1 && echo "ok - old checkpoints kept" \
  || { echo "not ok - old checkpoints gone"; ls -R "$p/model"; fail=1; }

# A damaged only checkpoint: a message naming it, exit 1.
rm -f "$p"/model/ckpt-*.safetensors
printf 'garbage' >"$p/model/ckpt-99.safetensors"
check "a corrupt checkpoint fails" 1 "$cli" train "$p" --iterations 1 "${one[@]}"
contains "the failure names the file" "$tmp/err" 'ckpt-99\.safetensors'

exit $fail
