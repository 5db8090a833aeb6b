#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the shim's checkpoints follow the safetensors layout, with the
standard library only (and with the safetensors package too where it is
installed). Usage: check-safetensors.py TEST_TORCH_BINARY TMPDIR"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

SIZES = {"F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4, "F16": 2, "BF16": 2,
         "I16": 2, "U16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    exe, tmp = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
    with tempfile.TemporaryDirectory(dir=tmp) as d:
        path = os.path.join(d, "ckpt.safetensors")
        subprocess.run([exe, "write-checkpoint", path], check=True)
        blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    if n % 8 or 8 + n > len(blob):
        fail(f"header length {n}")
    text = blob[8:8 + n].decode("utf-8")
    if not text.startswith("{") or text.rstrip(" ") != text.rstrip():
        fail("header padding")
    header = json.loads(text)
    meta = header.pop("__metadata__")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        fail("metadata must map strings to strings")
    for key, want in [("likeness.format", "likeness-checkpoint"), ("likeness.iteration", "2"),
                      ("likeness.identity.0", "Alice"), ("likeness.identity.1", "Bob"),
                      ("likeness.face_size", "64"), ("note", 'caf\u00e9 "1"')]:
        if meta.get(key) != want:
            fail(f"metadata {key} = {meta.get(key)!r}, expected {want!r}")
    data = blob[8 + n:]
    spans = []
    for name, t in header.items():
        if set(t) != {"dtype", "shape", "data_offsets"} or t["dtype"] not in SIZES:
            fail(f"{name}: {t}")
        b, e = t["data_offsets"]
        numel = math.prod(t["shape"])
        if e - b != numel * SIZES[t["dtype"]]:
            fail(f"{name}: {e - b} bytes for shape {t['shape']}")
        spans.append((b, e, name))
        if t["dtype"] == "F32":
            vals = struct.unpack(f"<{numel}f", data[b:e])
            if not all(math.isfinite(v) for v in vals):
                fail(f"{name}: non-finite values")
    spans.sort()
    pos = 0
    for b, e, name in spans:
        if b != pos:
            fail(f"{name}: hole or overlap at {pos}")
        pos = e
    if pos != len(data):
        fail(f"data section {len(data)} bytes, tensors cover {pos}")
    for name, shape, dtype in [("encoder.conv0.weight", [8, 3, 5, 5], "F32"),
                               ("optim.encoder.conv0.weight.exp_avg", [8, 3, 5, 5], "F32"),
                               ("optim.encoder.conv0.weight.exp_avg_sq", [8, 3, 5, 5], "F32"),
                               ("optim.encoder.conv0.weight.step", [], "F32"),
                               ("critic.conv0.weight", [8, 3, 4, 4], "F32"),
                               ("optim.critic.conv0.weight.step", [], "F32")]:
        t = header.get(name)
        if not t or t["shape"] != shape or t["dtype"] != dtype:
            fail(f"{name}: {t}")
    step = struct.unpack("<f", data[slice(*header["optim.encoder.conv0.weight.step"]["data_offsets"])])
    if step[0] != 2.0:
        fail(f"Adam step {step[0]}, expected 2")
    if header.get("rng.state", {}).get("dtype") != "U8":
        fail("rng.state")
    print(f"{len(header)} tensors, {len(meta)} metadata entries: layout ok")

    try:
        from safetensors import safe_open
    except ImportError:
        print("(the safetensors package is not installed: layout checked by hand only)")
        return
    framework = "pt"
    try:
        import numpy  # noqa: F401
        framework = "numpy"
    except ImportError:
        pass
    with tempfile.TemporaryDirectory(dir=tmp) as d:
        path = os.path.join(d, "ckpt.safetensors")
        subprocess.run([exe, "write-checkpoint", path], check=True)
        with safe_open(path, framework=framework) as f:
            if set(f.keys()) != set(header) or f.metadata() != meta:
                fail("safetensors sees other tensors or metadata")
            w = f.get_tensor("encoder.conv0.weight")
            if list(w.shape) != [8, 3, 5, 5]:
                fail("safetensors: shape")
    print(f"read back with the safetensors package ({framework})")


if __name__ == "__main__":
    main()
