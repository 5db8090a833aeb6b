#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmarks the torch shim on a machine that has only PyTorch (and a GPU):
# builds the shim, its tests and lk-torch-bench in shim_only mode against the
# libtorch inside the PyTorch install, runs the shim's tests, then the driver
# (128 px, batch 64, fp32 and bf16), the same model in plain PyTorch
# (pytorch_eager.py), the driver on the CPU (64 and 128 px), and prints a
# table with examples/s and model FLOPs utilisation.
#
#   tests/bench/torch/gpu-bench.sh            (from anywhere)
#   BUILD_DIR=... PEAK_TFLOPS=989 STEPS=30 NO_TESTS=1 PYTORCH_MODES=fp32,bf16,compile
#
# Never fails on time; exits non-zero only when the build or a test fails.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=${BUILD_DIR:-$top/_build-torch-gpu}
steps=${STEPS:-30}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

tp=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
echo "== libtorch from $tp"
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" -Dshim_only=true -Dtorch_prefix="$tp" -Dbuildtype=release
fi
ninja -C "$build"
if [ -z "${NO_TESTS:-}" ]; then
  meson test -C "$build" --suite torch --print-errorlogs
fi

bench=$build/tests/torch/lk-torch-bench
gpu=$(python3 -c 'import torch;print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")')

if [ -n "$gpu" ]; then
  echo "== GPU: $gpu"
  for p in fp32 bf16; do
    "$bench" --device cuda --size 128 --batch 64 --width 64 --precision "$p" \
      --steps "$steps" --warmup 5 | tee -a "$log" || true
  done
  python3 "$here/pytorch_eager.py" --size 128 --batch 64 --width 64 --steps "$steps" --warmup 5 \
    --modes "${PYTORCH_MODES:-fp32,bf16}" | tee -a "$log" || true
else
  echo "== no GPU: CPU figures only"
fi

echo "== CPU ($(nproc) cores)"
"$bench" --device cpu --size 64 --batch 16 --width 16 --steps 10 --warmup 2 | tee -a "$log" || true
"$bench" --device cpu --size 128 --batch 16 --width 32 --steps 3 --warmup 1 | tee -a "$log" || true

# H100 and H200: 989 TFLOP/s dense bf16. Override with PEAK_TFLOPS.
peak=${PEAK_TFLOPS:-}
if [ -z "$peak" ]; then
  case "$gpu" in
    *H100* | *H200*) peak=989 ;;
    *) peak=0 ;;
  esac
fi

echo
echo "== Summary (examples/s count A and B; MFU against ${peak} TFLOP/s bf16 dense peak${gpu:+ of $gpu})"
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
