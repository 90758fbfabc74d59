#!/usr/bin/env python3
"""PyTorch's examples/dcgan model, for side-by-side runs with this project. Needs torch, numpy, pillow and
safetensors (python3 -m venv V && V/bin/pip install torch numpy pillow safetensors); the project itself
never needs them.

    pytorch_dcgan.py train --data-dir DIR [--epochs 25] [--image-size 64] --out OUT
        trains the example's model the way its main.py does (Adam 2e-4, beta1 0.5, batch 64, BCE, one G
        forward per iteration) on an image folder, with this project's preprocessing (shorter side scaled
        to S, centre crop, transparency composited onto white), then writes OUT/netG.safetensors (the
        example's state_dict names), OUT/samples.npy (10,000 images [N, C, S, S] in [0, 1] from G in eval
        mode, for `./run.sh evaluate --npy`), OUT/samples.png (an 8x8 grid) and OUT/log.csv.
    pytorch_dcgan.py time [--image-size 64] [--batch-size 64] [--threads 2]
        one line with the milliseconds per training iteration on the CPU.
    pytorch_dcgan.py interop --checkpoint FILE [--run ./run.sh]
        checks checkpoints both ways: the generator of FILE (a checkpoint of `train` at 32x32 or 64x64) loads
        into the example's Generator with strict=True and draws the images `generate --z` draws, to 1e-4; and a
        Generator of PyTorch's own, saved with safetensors, draws in `generate` what it draws in PyTorch.

The networks below are the paper's DCGAN as the example builds it: nn.Sequential `main`, so that the
state_dict keys are main.0.weight, main.1.running_mean, ... The number of stride-2 layers follows the
image size (4 for 64x64, 3 for 32x32), the channels start at 8*ngf (G) and end at 8*ndf (D).
"""
import argparse
import csv
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, nz=100, ngf=64, nc=3, size=64):
        super().__init__()
        levels = int(math.log2(size // 4))  # stride-2 layers after the 4x4 start
        widths = [ngf * 8 // (2 ** i) for i in range(levels)]  # 8ngf, 4ngf, ...
        layers = [nn.ConvTranspose2d(nz, widths[0], 4, 1, 0, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(True)]
        for a, b in zip(widths, widths[1:]):
            layers += [nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(True)]
        layers += [nn.ConvTranspose2d(widths[-1], nc, 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self, ndf=64, nc=3, size=64):
        super().__init__()
        levels = int(math.log2(size // 4))
        widths = [ndf * 8 // (2 ** i) for i in range(levels)][::-1]  # ..., 4ndf, 8ndf
        layers = [nn.Conv2d(nc, widths[0], 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
        for a, b in zip(widths, widths[1:]):
            layers += [nn.Conv2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2, inplace=True)]
        layers += [nn.Conv2d(widths[-1], 1, 4, 1, 0, bias=False)]  # the logit; BCEWithLogits stands for Sigmoid+BCE
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x).view(-1)


def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def load_folder(root, size, channels):
    """Every image under root (hidden files skipped), as uint8 [N, C, S, S]: shorter side to S, centre crop."""
    from PIL import Image
    paths = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith('.'))
        paths += [os.path.join(d, f) for f in sorted(files) if not f.startswith('.')]
    out = []
    for p in paths:
        try:
            im = Image.open(p)
            im.load()
        except Exception:
            continue
        im = im.convert('RGBA')
        white = Image.new('RGBA', im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im).convert('RGB' if channels == 3 else 'L')
        w, h = im.size
        scale = size / min(w, h)
        if (w, h) != (size, size):
            im = im.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.BILINEAR)
            w, h = im.size
            left, top = (w - size) // 2, (h - size) // 2
            im = im.crop((left, top, left + size, top + size))
        a = np.asarray(im, dtype=np.uint8)
        out.append(a.reshape(size, size, channels).transpose(2, 0, 1))
    return np.stack(out)


def train(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    data = torch.from_numpy(load_folder(args.data_dir, args.image_size, args.channels)).float() / 127.5 - 1
    n = data.shape[0]
    steps = n // args.batch_size
    print(f"pytorch_dcgan: {n} images from {args.data_dir}, {steps} steps per epoch, {args.threads} threads",
          flush=True)
    g = Generator(100, args.ngf, args.channels, args.image_size)
    d = Discriminator(args.ndf, args.channels, args.image_size)
    g.apply(init_weights)
    d.apply(init_weights)
    loss = nn.BCEWithLogitsLoss()
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    os.makedirs(args.out, exist_ok=True)
    real_label = torch.ones(args.batch_size)
    fake_label = torch.zeros(args.batch_size)
    start = time.time()
    with open(os.path.join(args.out, 'log.csv'), 'w', newline='') as f:
        log = csv.writer(f)
        log.writerow(['epoch', 'step', 'D_loss', 'G_loss', 'seconds'])
        step = 0
        for epoch in range(1, args.epochs + 1):
            order = torch.randperm(n)
            for i in range(steps):
                real = data[order[i * args.batch_size:(i + 1) * args.batch_size]]
                # (1) Update D: real batch labelled 1, G's images labelled 0.
                d.zero_grad()
                err_real = loss(d(real), real_label)
                err_real.backward()
                z = torch.randn(args.batch_size, 100, 1, 1)
                fake = g(z)
                err_fake = loss(d(fake.detach()), fake_label)
                err_fake.backward()
                opt_d.step()
                # (2) Update G: the same images, labelled 1, through the updated D.
                g.zero_grad()
                err_g = loss(d(fake), real_label)
                err_g.backward()
                opt_g.step()
                step += 1
                log.writerow([epoch, step, f"{(err_real + err_fake).item():.6f}", f"{err_g.item():.6f}",
                              f"{time.time() - start:.1f}"])
            f.flush()
            print(f"epoch {epoch}/{args.epochs}: step {step}, D {(err_real + err_fake).item():.4f}, "
                  f"G {err_g.item():.4f}, {time.time() - start:.0f} s", flush=True)
    write_outputs(g, args)


def write_outputs(g, args):
    from PIL import Image
    from safetensors.torch import save_file
    save_file({k: v.contiguous() for k, v in g.state_dict().items()}, os.path.join(args.out, 'netG.safetensors'))
    g.eval()
    gen = torch.Generator().manual_seed(12345)
    chunks = []
    with torch.no_grad():
        for first in range(0, args.samples, 500):
            z = torch.randn(min(500, args.samples - first), 100, 1, 1, generator=gen)
            chunks.append(((g(z) + 1) / 2).clamp(0, 1).numpy().astype(np.float32))
    images = np.concatenate(chunks)
    np.save(os.path.join(args.out, 'samples.npy'), images)
    grid = images[:64].reshape(8, 8, args.channels, args.image_size, args.image_size)
    grid = grid.transpose(0, 3, 1, 4, 2).reshape(8 * args.image_size, 8 * args.image_size, args.channels)
    grid = (grid * 255 + 0.5).astype(np.uint8)
    Image.fromarray(grid if args.channels == 3 else grid[:, :, 0]).save(os.path.join(args.out, 'samples.png'))
    print(f"wrote {args.out}/netG.safetensors, samples.npy ({len(images)} images), samples.png", flush=True)


def time_iterations(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    g = Generator(100, args.ngf, args.channels, args.image_size)
    d = Discriminator(args.ndf, args.channels, args.image_size)
    g.apply(init_weights)
    d.apply(init_weights)
    loss = nn.BCEWithLogitsLoss()
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    b = args.batch_size
    real = torch.rand(b, args.channels, args.image_size, args.image_size) * 2 - 1
    ones, zeros = torch.ones(b), torch.zeros(b)

    def iteration():
        d.zero_grad()
        loss(d(real), ones).backward()
        fake = g(torch.randn(b, 100, 1, 1))
        loss(d(fake.detach()), zeros).backward()
        opt_d.step()
        g.zero_grad()
        loss(d(fake), ones).backward()
        opt_g.step()

    for _ in range(args.warmup):
        iteration()
    times = []
    for _ in range(args.iterations):
        t = time.perf_counter()
        iteration()
        times.append(time.perf_counter() - t)
    ms = 1000 * float(np.median(times))
    print(f"TORCH dcgan{args.image_size} cpu_threads{args.threads} batch {b} ms/iter {ms:.1f} "
          f"img/s {b / ms * 1000:.1f} (median of {args.iterations}, torch {torch.__version__})", flush=True)


def interop(args):
    import subprocess
    import tempfile
    from safetensors.torch import load_file, save_file
    state = load_file(args.checkpoint)
    g_state = {k[2:]: v for k, v in state.items() if k.startswith("G.")}
    nz, width = g_state["main.0.weight"].shape[:2]
    last = max(int(k.split(".")[1]) for k in g_state if k.endswith(".weight") and g_state[k].dim() == 4)
    size = 4 << (last // 3)
    channels = g_state[f"main.{last}.weight"].shape[1]
    g = Generator(nz, width // 8, channels, size)
    g.load_state_dict(g_state, strict=True)  # every tensor present, nothing extra
    g.eval()
    print(f"interop: {args.checkpoint}: G of {size}x{size}x{channels}, nz {nz}, ngf {width // 8} loads with "
          f"strict=True")
    worst = []
    with tempfile.TemporaryDirectory() as tmp:
        z = torch.randn(16, nz, generator=torch.Generator().manual_seed(7))
        np.save(os.path.join(tmp, "z.npy"), z.numpy())

        def java_generate(checkpoint, name):
            out = os.path.join(tmp, name)
            subprocess.run(args.run.split() + ["generate", "--device", "cpu", "--checkpoint", checkpoint, "--z",
                                               os.path.join(tmp, "z.npy"), "--npy", out], check=True,
                           stdout=subprocess.DEVNULL)
            return np.load(out)

        with torch.no_grad():
            expected = ((g(z.view(16, nz, 1, 1)) + 1) / 2).numpy()
        ours = java_generate(args.checkpoint, "ours.npy")
        worst.append(float(np.abs(ours - expected).max()))
        print(f"interop: ours -> PyTorch: generate --z and PyTorch's G differ by at most {worst[-1]:.2e}")

        # The other way: PyTorch's own generator, freshly initialised and stepped so that its moving averages
        # are not the initial ones, saved as PyTorch saves it.
        torch.manual_seed(3)
        theirs = Generator(nz, width // 8, channels, size)
        theirs.apply(init_weights)
        with torch.no_grad():
            for _ in range(3):
                theirs(torch.randn(8, nz, 1, 1))  # training mode: the moving averages move
        theirs.eval()
        path = os.path.join(tmp, "netG.safetensors")
        save_file({k: v.contiguous() for k, v in theirs.state_dict().items()}, path)
        with torch.no_grad():
            expected = ((theirs(z.view(16, nz, 1, 1)) + 1) / 2).numpy()
        got = java_generate(path, "theirs.npy")
        worst.append(float(np.abs(got - expected).max()))
        print(f"interop: PyTorch -> ours: generate on PyTorch's state_dict and PyTorch differ by at most "
              f"{worst[-1]:.2e}")
    ok = max(worst) <= 1e-4
    print("interop: OK" if ok else "interop: FAILED (more than 1e-4)")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='command', required=True)
    for name in ('train', 'time'):
        s = sub.add_parser(name)
        s.add_argument('--image-size', type=int, default=64, choices=(32, 64))
        s.add_argument('--channels', type=int, default=3, choices=(1, 3))
        s.add_argument('--ngf', type=int, default=64)
        s.add_argument('--ndf', type=int, default=64)
        s.add_argument('--batch-size', type=int, default=64)
        s.add_argument('--threads', type=int, default=2)
    t = sub.choices['train']
    t.add_argument('--data-dir', required=True)
    t.add_argument('--epochs', type=int, default=25)
    t.add_argument('--out', required=True)
    t.add_argument('--seed', type=int, default=0)
    t.add_argument('--samples', type=int, default=10_000)
    b = sub.choices['time']
    b.add_argument('--iterations', type=int, default=10)
    b.add_argument('--warmup', type=int, default=3)
    c = sub.add_parser('interop')
    c.add_argument('--checkpoint', required=True)
    c.add_argument('--run', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'run.sh'))
    args = p.parse_args()
    if args.command == 'interop':
        return interop(args)
    train(args) if args.command == 'train' else time_iterations(args)


if __name__ == '__main__':
    sys.exit(main())
