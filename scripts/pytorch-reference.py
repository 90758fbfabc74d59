#!/usr/bin/env python3
"""The two models of docs/model.md in PyTorch, timed the way `./run.sh bench` times this project.

The notebook's 28x28 model: one iteration is one D update and one G update at batch 256 (docs/model.md, "One
training iteration"). Each mode prints one line that scripts/device-check.sh reads:

    TORCH <mode> ms/iter <ms> img/s <images per second> epoch70k_s <seconds per 70,000-image epoch>

Modes: fp32_eager, tf32_eager, fp32_graph, tf32_graph on the GPU; with --cpu also cpu_threads2 and
cpu_threads16 (FP32 on the host CPU, a minute or so).

Then PyTorch's example's DCGAN at 64x64 in colour (ngf = ndf = 64, the classes of scripts/pytorch_dcgan.py),
at batch 64, one iteration as the example's training loop runs it: D on the real batch (label 1), G(z) with
z ~ N(0, 1) [64, 100, 1, 1], D on G(z) held constant (label 0), D's Adam step; D on the same G(z) (label 1),
G's Adam step (BCE with logits; Adam lr 2e-4, betas (0.5, 0.999) for both). The same modes, each prefixed
with dcgan64_ (dcgan64_fp32_eager, ..., dcgan64_cpu_threads16), in lines of the same form:

    TORCH dcgan64_<mode> ms/iter <ms> img/s <images per second> batch 64

A mode that fails prints "TORCH <mode> FAILED <why>" and the others still run. Needs only PyTorch, and numpy
for the DCGAN (scripts/pytorch_dcgan.py imports it):
    python3 scripts/pytorch-reference.py [--cpu] [--iterations N]
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 256
Z_DIM = 100
EPOCH_IMAGES = 70_000
DCGAN_BATCH = 64
DCGAN_DATASET = 50 * DCGAN_BATCH  # the real batches cycle through 50 batches of random images on the device


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 64, 4, 2, 1)
        self.c2 = nn.Conv2d(64, 128, 4, 2, 1)
        self.bn2 = nn.BatchNorm2d(128)
        self.l3 = nn.Linear(128 * 7 * 7, 1024)
        self.bn3 = nn.BatchNorm1d(1024)
        self.l4 = nn.Linear(1024, 1)

    def forward(self, x):
        h = F.leaky_relu(self.c1(x), 0.2)
        h = F.leaky_relu(self.bn2(self.c2(h)), 0.2)
        h = F.leaky_relu(self.bn3(self.l3(torch.flatten(h, 1))), 0.2)
        return self.l4(h)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(Z_DIM, 1024)
        self.bn1 = nn.BatchNorm1d(1024)
        self.l2 = nn.Linear(1024, 128 * 7 * 7)
        self.bn2 = nn.BatchNorm1d(128 * 7 * 7)
        self.d3 = nn.ConvTranspose2d(128, 64, 4, 2, 1)
        self.bn3 = nn.BatchNorm2d(64)
        self.d4 = nn.ConvTranspose2d(64, 1, 4, 2, 1)

    def forward(self, z):
        h = F.relu(self.bn1(self.l1(z)))
        h = F.relu(self.bn2(self.l2(h))).reshape(-1, 128, 7, 7)
        h = F.relu(self.bn3(self.d3(h)))
        return torch.sigmoid(self.d4(h))


def notebook_model(device, graph):
    """The notebook's networks, optimisers and iteration at batch 256: (iteration, next_batch)."""
    d, g = Discriminator().to(device), Generator().to(device)
    # capturable=True keeps Adam's step counters on the device, as a CUDA graph needs.
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999), capturable=graph)
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-3, betas=(0.5, 0.999), capturable=graph)
    dataset = torch.rand(EPOCH_IMAGES // BATCH * BATCH, 1, 28, 28, device=device)
    real = torch.empty(BATCH, 1, 28, 28, device=device)
    z = torch.empty(BATCH, Z_DIM, device=device)
    ones = torch.ones(BATCH, 1, device=device)
    zeros = torch.zeros(BATCH, 1, device=device)
    loss = F.binary_cross_entropy_with_logits

    def iteration():
        # (1) Update D: real batch against label 1, G(z) (held constant) against label 0.
        opt_d.zero_grad(set_to_none=False)
        d_loss = loss(d(real), ones) + loss(d(g(z).detach()), zeros)
        d_loss.backward()
        opt_d.step()
        # (2) Update G: the same z through the updated D, against label 1.
        opt_g.zero_grad(set_to_none=False)
        g_loss = loss(d(g(z)), ones)
        g_loss.backward()
        opt_g.step()

    def next_batch(i):
        first = (i * BATCH) % dataset.shape[0]
        real.copy_(dataset[first:first + BATCH])
        z.uniform_(-1, 1)

    return iteration, next_batch


def dcgan64_model(device, graph):
    """PyTorch's example's DCGAN at 64x64x3, batch 64, and its iteration: (iteration, next_batch)."""
    import pytorch_dcgan  # ours, beside this script; imported here so that the notebook's timings need no numpy
    d = pytorch_dcgan.Discriminator(ndf=64, nc=3, size=64).to(device)
    g = pytorch_dcgan.Generator(nz=Z_DIM, ngf=64, nc=3, size=64).to(device)
    d.apply(pytorch_dcgan.init_weights)
    g.apply(pytorch_dcgan.init_weights)
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999), capturable=graph)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999), capturable=graph)
    dataset = torch.rand(DCGAN_DATASET, 3, 64, 64, device=device) * 2 - 1  # [-1, 1], tanh's range
    real = torch.empty(DCGAN_BATCH, 3, 64, 64, device=device)
    z = torch.empty(DCGAN_BATCH, Z_DIM, 1, 1, device=device)
    ones = torch.ones(DCGAN_BATCH, device=device)
    zeros = torch.zeros(DCGAN_BATCH, device=device)
    loss = F.binary_cross_entropy_with_logits

    def iteration():
        # (1) Update D: the real batch against label 1, then G(z), held constant, against label 0.
        opt_d.zero_grad(set_to_none=False)
        loss(d(real), ones).backward()
        fake = g(z)
        loss(d(fake.detach()), zeros).backward()
        opt_d.step()
        # (2) Update G: the same images through the updated D, against label 1; G does not run again.
        opt_g.zero_grad(set_to_none=False)
        loss(d(fake), ones).backward()
        opt_g.step()

    def next_batch(i):
        first = (i * DCGAN_BATCH) % dataset.shape[0]
        real.copy_(dataset[first:first + DCGAN_BATCH])
        z.normal_()

    return iteration, next_batch


def seconds_per_iteration(model, device, tf32, graph, iterations, warmup=20):
    torch.manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = True
    iteration, next_batch = model(device, graph)

    run = iteration
    if graph:
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm up outside the capture, as PyTorch's graph docs require
            for i in range(3):
                next_batch(i)
                iteration()
        torch.cuda.current_stream().wait_stream(side)
        captured = torch.cuda.CUDAGraph()
        with torch.cuda.graph(captured):
            iteration()
        run = captured.replay

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for i in range(warmup):
        next_batch(i)
        run()
    sync()
    start = time.perf_counter()
    for i in range(iterations):
        next_batch(i)
        run()
    sync()
    return (time.perf_counter() - start) / iterations


def report(mode, seconds):
    print(f"TORCH {mode} ms/iter {seconds * 1e3:.3f} img/s {BATCH / seconds:.0f} "
          f"epoch70k_s {seconds * (EPOCH_IMAGES // BATCH):.2f}", flush=True)


def report_dcgan(mode, seconds):
    print(f"TORCH {mode} ms/iter {seconds * 1e3:.3f} img/s {DCGAN_BATCH / seconds:.0f} batch {DCGAN_BATCH}",
          flush=True)


GPU_MODES = [("fp32_eager", False, False), ("tf32_eager", True, False), ("fp32_graph", False, True),
             ("tf32_graph", True, True)]


def time_mode(model, mode, reporter, *args, **kwargs):
    try:
        reporter(mode, seconds_per_iteration(model, *args, **kwargs))
    except Exception as e:  # one failing mode should not hide the others
        print(f"TORCH {mode} FAILED {e!r}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cpu", action="store_true", help="also time FP32 on the host CPU with 2 and 16 threads")
    parser.add_argument("--iterations", type=int, default=300, help="timed iterations per GPU mode (default 300)")
    args = parser.parse_args()
    cuda = torch.cuda.is_available()
    if cuda:
        for mode, tf32, graph in GPU_MODES:
            time_mode(notebook_model, mode, report, "cuda", tf32, graph, args.iterations)
    else:
        print("TORCH no CUDA device visible to PyTorch", flush=True)
    if args.cpu:
        for threads in (2, 16):
            torch.set_num_threads(threads)
            report(f"cpu_threads{threads}", seconds_per_iteration(notebook_model, "cpu", False, False, iterations=5,
                                                                  warmup=2))
    if cuda:
        for mode, tf32, graph in GPU_MODES:
            time_mode(dcgan64_model, f"dcgan64_{mode}", report_dcgan, "cuda", tf32, graph, args.iterations)
    if args.cpu:
        for threads in (2, 16):
            torch.set_num_threads(threads)
            time_mode(dcgan64_model, f"dcgan64_cpu_threads{threads}", report_dcgan, "cpu", False, False,
                      iterations=5, warmup=2)


if __name__ == "__main__":
    main()
