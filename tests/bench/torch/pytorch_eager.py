#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The torch shim's swap model and train step in plain PyTorch, for comparison.

Same network as engine/torch/lk-torch.cc (encoder W-2W-4W-8W 5x5 stride 2 with
LeakyReLU 0.1, dense bottleneck, dense to 8W at size/16, shared pixel-shuffle
upscale, per-identity decoders 4W-2W-W with pixel shuffle, 5x5 output conv to
RGB + mask, sigmoid), same on-device augmentation (affine + flip + colour,
smooth random warp with grid_sample), same losses (face-weighted L1 + DSSIM +
mask MSE), Adam. One step trains a batch of A and a batch of B; examples/s
counts both. Prints "RESULT key=value ..." lines like lk-torch-bench.

  pytorch_eager.py [--size 128] [--batch 64] [--width 64] [--steps 30]
                   [--warmup 5] [--modes fp32,bf16[,compile]]
"""
import argparse
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Upscale(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout * 4, 3, padding=1)

    def forward(self, x):
        return F.pixel_shuffle(F.leaky_relu(self.conv(x), 0.1), 2)


class AutoEncoder(nn.Module):
    def __init__(self, size, width, levels, bottleneck, mask=True, n_identities=2):
        super().__init__()
        enc = [width << min(i, 3) for i in range(levels)]
        dec = [width << min(levels - 2 - i, 3) for i in range(levels - 1)]
        self.r0 = size >> levels
        self.ch = enc[-1]
        self.encoder = nn.ModuleList()
        cin = 3
        for w in enc:
            self.encoder.append(nn.Conv2d(cin, w, 5, stride=2, padding=2))
            cin = w
        self.dense1 = nn.Linear(cin * self.r0 * self.r0, bottleneck)
        self.dense2 = nn.Linear(bottleneck, self.ch * self.r0 * self.r0)
        self.upscale = Upscale(self.ch, self.ch)
        self.decoders = nn.ModuleList()
        for _ in range(n_identities):
            layers = []
            cin = self.ch
            for w in dec:
                layers.append(Upscale(cin, w))
                cin = w
            layers.append(nn.Conv2d(cin, 4 if mask else 3, 5, padding=2))
            self.decoders.append(nn.Sequential(*layers))

    def latent(self, x):
        for conv in self.encoder:
            x = F.leaky_relu(conv(x), 0.1)
        x = self.dense2(self.dense1(x.flatten(1)))
        return self.upscale(x.view(-1, self.ch, self.r0, self.r0))

    def forward(self, x, identity: int):
        return torch.sigmoid(self.decoders[identity](self.latent(x)))


def analytic_flops(size, width, levels, bottleneck, mask=True):
    """FLOPs of one training example, as lk_torch_model_train_flops_per_example()."""
    enc = [width << min(i, 3) for i in range(levels)]
    dec = [width << min(levels - 2 - i, 3) for i in range(levels - 1)]
    f, cin = 0.0, 3
    for i, w in enumerate(enc):
        r = size / (2 << i)
        f += 2.0 * cin * w * 25 * r * r
        cin = w
    r0 = size >> levels
    f += 2.0 * cin * r0 * r0 * bottleneck + 2.0 * bottleneck * enc[-1] * r0 * r0
    f += 2.0 * enc[-1] * 4 * enc[-1] * 9 * r0 * r0
    cin, r = enc[-1], 2 * r0
    for w in dec:
        f += 2.0 * cin * 4 * w * 9 * r * r
        cin, r = w, r * 2
    f += 2.0 * cin * (4 if mask else 3) * 25 * size * size
    return 3.0 * f


def make_batch(images, masks, batch, gen, channels_last, warp=0.08, rot=10.0, scale=0.05,
               shift=0.05, jitter=0.05):
    dev = images.device
    n, size = images.shape[0], images.shape[1]
    idx = torch.randint(n, (batch,), generator=gen, device=dev)
    rgb = images.index_select(0, idx).permute(0, 3, 1, 2).float().div_(255)
    msk = masks.index_select(0, idx).permute(0, 3, 1, 2).float().div_(255)
    src = torch.cat([rgb, msk], 1)
    u = torch.rand(batch, 8, generator=gen, device=dev) * 2 - 1
    ang = u[:, 0] * (rot * math.pi / 180)
    sc = 1 + u[:, 1] * scale
    tx, ty = u[:, 2] * 2 * shift, u[:, 3] * 2 * shift
    fl = torch.where(u[:, 4] < 0, -torch.ones_like(sc), torch.ones_like(sc))
    cs, sn = torch.cos(ang) / sc, torch.sin(ang) / sc
    theta = torch.stack([torch.stack([cs * fl, -sn, tx], 1), torch.stack([sn * fl, cs, ty], 1)], 1)
    grid = F.affine_grid(theta, [batch, 3, size, size], align_corners=False)
    cj = torch.rand(batch, 6, 1, 1, generator=gen, device=dev) * 2 - 1
    gain, offset = 1 + cj[:, :3] * jitter, cj[:, 3:] * 0.5 * jitter
    tgt = F.grid_sample(src, grid, mode="bilinear", padding_mode="border", align_corners=False)
    target = (tgt[:, :3] * gain + offset).clamp_(0, 1)
    face = tgt[:, 3:4]
    coarse = (torch.rand(batch, 2, 5, 5, generator=gen, device=dev) * 2 - 1) * warp
    disp = F.interpolate(coarse, size=(size, size), mode="bicubic", align_corners=True)
    inp = F.grid_sample(rgb, grid + disp.permute(0, 2, 3, 1), mode="bilinear",
                        padding_mode="border", align_corners=False)
    inp = (inp * gain + offset).clamp_(0, 1)
    if channels_last:
        inp = inp.contiguous(memory_format=torch.channels_last)
    return inp, target, face


def dssim_map(x, y, window):
    c = x.shape[1]
    wh = window.view(1, 1, 1, 11).expand(c, 1, 1, 11)
    wv = window.view(1, 1, 11, 1).expand(c, 1, 11, 1)

    def blur(a):
        return F.conv2d(F.conv2d(a, wh, groups=c), wv, groups=c)

    c1, c2 = 0.01 ** 2, 0.03 ** 2
    mx, my = blur(x), blur(y)
    sxx = blur(x * x) - mx * mx
    syy = blur(y * y) - my * my
    sxy = blur(x * y) - mx * my
    ssim = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return (1 - ssim) / 2


def weighted_mean(e, w):
    return (e * w).sum() / (w.sum() * e.shape[1] + 1e-6)


def losses(model, batches, bf16, window):
    with torch.autocast("cuda" if batches[0][0].is_cuda else "cpu", dtype=torch.bfloat16,
                        enabled=bf16):
        outs = [model(b[0], i) for i, b in enumerate(batches)]
    total = 0
    for out, (_, target, face) in zip(outs, batches):
        out = out.float()
        rgb = out[:, :3]
        pl = weighted_mean((rgb - target).abs(), face)
        dl = weighted_mean(dssim_map(rgb, target, window), face[:, :, 5:-5, 5:-5])
        ml = ((out[:, 3:4] - face) ** 2).mean()
        total = total + 10 * pl + 10 * dl + 10 * ml
    return total


def run(mode, args, dev):
    torch.manual_seed(1)
    size, batch = args.size, args.batch
    cuda = dev.type == "cuda"
    bf16 = mode in ("bf16", "compile")
    channels_last = cuda
    model = AutoEncoder(size, args.width, args.levels, args.bottleneck).to(dev)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=5e-5, betas=(0.5, 0.999), eps=1e-7,
                           **({"fused": True} if cuda else {}))
    gen = torch.Generator(device=dev)
    gen.manual_seed(1)
    # Synthetic faces, as lk-torch-bench makes them.
    n = args.faces
    y, x = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    data = []
    for ident in range(2):
        imgs, msks = [], []
        for i in range(n):
            dx, dy = x - size // 2 - (i % 7), y - size // 2 + (i % 5)
            inside = (dx * dx + dy * dy) < size * size // 8
            r = torch.where(inside, torch.full_like(x, 200 - 40 * ident), (x * 255) // size)
            g = torch.where(inside, torch.full_like(x, 150 + 30 * ident), (y * 255) // size)
            b = (x + y + 13 * i) & 0xFF
            imgs.append(torch.stack([r, g, b], -1).to(torch.uint8))
            msks.append((inside.to(torch.uint8) * 255).unsqueeze(-1))
        data.append((torch.stack(imgs).to(dev), torch.stack(msks).to(dev)))
    k = torch.arange(11, dtype=torch.float32) - 5
    k = torch.exp(-(k * k) / (2 * 1.5 * 1.5))
    window = (k / k.sum()).to(dev)

    loss_fn = losses
    if mode == "compile":
        loss_fn = torch.compile(losses)

    def step():
        batches = [make_batch(im, mk, batch, gen, channels_last) for im, mk in data]
        loss = loss_fn(model, batches, bf16, window)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    def sync():
        if cuda:
            torch.cuda.synchronize()

    t0 = time.perf_counter()
    for _ in range(args.warmup):
        loss = step()
    loss.item()
    sync()
    t1 = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    lv = loss.item()
    sync()
    t2 = time.perf_counter()

    flops = analytic_flops(size, args.width, args.levels, args.bottleneck)
    counted = float("nan")
    try:
        from torch.utils.flop_counter import FlopCounterMode

        xb = torch.rand(4, 3, size, size, device=dev)
        with FlopCounterMode(display=False) as fc:
            model(xb, 0).sum().backward()
        counted = fc.get_total_flops() / 4
        opt.zero_grad(set_to_none=True)
    except Exception as e:  # flop counting is a cross-check only
        print(f"(flop counter unavailable: {e})", file=sys.stderr)

    sps = args.steps / (t2 - t1)
    eps = sps * batch * 2
    impl = "pytorch-compile" if mode == "compile" else "pytorch-eager"
    prec = "bf16" if bf16 else "fp32"
    print(f"{impl} {prec}: torch {torch.__version__} on {dev}: warm-up {t1 - t0:.2f} s; "
          f"{sps:.2f} steps/s, {eps:.1f} examples/s; {flops / 1e9:.2f} GFLOP/example analytic, "
          f"{counted / 1e9:.2f} counted by torch.utils.flop_counter; loss {lv:.4f}")
    print(f"RESULT impl={impl} device={dev.type} size={size} batch={batch} width={args.width} "
          f"precision={prec} steps_per_s={sps:.3f} examples_per_s={eps:.1f} "
          f"gflop_per_example={flops / 1e9:.3f} tflops={eps * flops / 1e12:.3f}")
    sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--levels", type=int, default=4)
    p.add_argument("--bottleneck", type=int, default=256)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--faces", type=int, default=64)
    p.add_argument("--modes", default="fp32,bf16")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args()
    dev = torch.device(args.device)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.set_float32_matmul_precision("high")
    for mode in args.modes.split(","):
        try:
            run(mode, args, dev)
        except Exception as e:
            print(f"pytorch {mode}: failed: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
