#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmarks the torch shim on a machine that has only PyTorch (and a GPU),
# in one go, so that one short session with a lent GPU gives every figure:
#   1. the same model and step in plain PyTorch (pytorch_eager.py), first,
#      so that the baseline is there even if the shim does not build;
#   2. builds the shim, its tests and lk-torch-bench in shim_only mode against
#      the libtorch inside the PyTorch install;
#   3. the shim's tests (suite torch; on a GPU they run on CUDA, including the
#      CUDA graph test);
#   4. lk-torch-bench at 128 px, batch 64: fp32 and bf16, eager and with the
#      step captured as a CUDA graph; then the CPU at 64 and 128 px;
#   5. a table with examples/s and model FLOPs utilisation.
#
#   tests/bench/torch/gpu-bench.sh            (from anywhere)
#   BUILD_DIR=... PEAK_TFLOPS=989 STEPS=30 NO_TESTS=1 NO_CPU=1 PYTORCH_MODES=fp32,bf16,compile
#
# Everything also goes to $OUT/gpu-bench.log when OUT is set. Never fails on
# time; exits non-zero when the build or a test failed (after the table).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=${BUILD_DIR:-$top/_build-torch-gpu}
steps=${STEPS:-30}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  exec > >(tee -a "$OUT/gpu-bench.log") 2>&1
fi
status=0

section () { echo; echo "== $* ($(date +%T))"; }

tp=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))') || {
  echo "gpu-bench: python3 cannot import torch"
  exit 1
}
gpu=$(python3 -c 'import torch;print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")')
section "PyTorch $(python3 -c 'import torch;print(torch.__version__, torch.version.cuda)') in $tp; GPU: ${gpu:-none}; $(nproc) cores"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>/dev/null || true

if [ -n "$gpu" ]; then
  section "plain PyTorch, 128 px, batch 64"
  python3 "$here/pytorch_eager.py" --size 128 --batch 64 --width 64 --steps "$steps" --warmup 5 \
    --modes "${PYTORCH_MODES:-fp32,bf16}" | tee -a "$log" || status=1
fi

section "build (shim_only, libtorch of PyTorch)"
built=1
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" -Dshim_only=true -Dtorch_prefix="$tp" -Dbuildtype=release || built=0
fi
if [ $built = 1 ]; then
  grep -E "libtorch .* compiled as|CUDA graphs" "$build/meson-logs/meson-log.txt" | tail -3
  ninja -C "$build" || built=0
fi
if [ $built = 0 ]; then
  echo "gpu-bench: the shim did not build (see above)"
  status=1
fi

bench=$build/tests/torch/lk-torch-bench
if [ $built = 1 ] && [ -z "${NO_TESTS:-}" ]; then
  section "tests (suite torch)"
  meson test -C "$build" --suite torch --print-errorlogs || status=1
  grep -h -A12 "graphs asked for" "$build/meson-logs/testlog.txt" | grep -E "graphs|step [0-9]" || true
fi

if [ $built = 1 ] && [ -n "$gpu" ]; then
  for g in "" --graphs; do
    for p in fp32 bf16; do
      section "shim, 128 px, batch 64, $p ${g:-eager}"
      "$bench" --device cuda --size 128 --batch 64 --width 64 --precision "$p" $g \
        --steps "$steps" --warmup 8 | tee -a "$log" || status=1
    done
  done
fi

if [ $built = 1 ] && [ -z "${NO_CPU:-}" ]; then
  section "CPU ($(nproc) cores)"
  "$bench" --device cpu --size 64 --batch 16 --width 16 --steps 10 --warmup 2 | tee -a "$log" || true
  "$bench" --device cpu --size 128 --batch 16 --width 32 --steps 3 --warmup 1 | tee -a "$log" || true
fi

# H100 and H200: 989 TFLOP/s dense bf16. Override with PEAK_TFLOPS.
peak=${PEAK_TFLOPS:-}
if [ -z "$peak" ]; then
  case "$gpu" in
    *H100* | *H200*) peak=989 ;;
    *) peak=0 ;;
  esac
fi

section "Summary (examples/s count A and B; MFU against ${peak} TFLOP/s bf16 dense peak${gpu:+ of $gpu})"
grep '^RESULT ' "$log" | awk -v peak="$peak" '
  BEGIN {
    printf "%-16s %-5s %5s %6s %-5s %12s %10s %8s %7s\n",
           "impl", "dev", "size", "batch", "prec", "examples/s", "GFLOP/ex", "TFLOP/s", "MFU"
  }
  {
    delete kv
    for (i = 2; i <= NF; i++) { split($i, a, "="); kv[a[1]] = a[2] }
    mfu = (kv["device"] == "cuda" && peak > 0) ? sprintf("%.1f%%", 100 * kv["tflops"] / peak) : "-"
    printf "%-16s %-5s %5s %6s %-5s %12s %10s %8s %7s\n", kv["impl"], kv["device"], kv["size"],
           kv["batch"], kv["precision"], kv["examples_per_s"], kv["gflop_per_example"],
           kv["tflops"], mfu
  }'
exit $status
