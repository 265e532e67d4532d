#!/usr/bin/env python3
"""The tutorial's training step in PyTorch, for `mnist-denoise bench` to compare against.

Same graph as the C# library (5x5 convolutions with SAME padding, ReLU, 2x2 max-pool with ceil_mode,
nearest upsampling 4->7->14->28), BCE-with-logits, Adam(lr 0.001, eps 1e-8), noise 0.5 added every step,
NCHW tensors in channels_last memory. The allocator settings come from the environment (GLIBC_TUNABLES),
which the bench sets the same way as the library's NativeAllocator.

Prints one JSON line: {"torch": version, "threads": n, "precision": p, "train_ms": [...], "forward_ms": [...]}.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn.functional as F

LAYERS = [(1, 64), (64, 64), (64, 32), (32, 32), (32, 64), (64, 64), (64, 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=10, help="timed steps per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    cl = torch.channels_last
    weights = []
    for cin, cout in LAYERS:
        bound = 1.0 / (25 * cin) ** 0.5
        w = (torch.rand(cout, cin, 5, 5) * 2 - 1) * bound
        b = (torch.rand(cout) * 2 - 1) * bound
        weights += [w.contiguous(memory_format=cl).requires_grad_(), b.requires_grad_()]
    optimizer = torch.optim.Adam(weights, lr=0.001, betas=(0.9, 0.999), eps=1e-8)
    clean = torch.rand(args.batch_size, 1, 28, 28).contiguous(memory_format=cl)
    dtype = torch.bfloat16 if args.precision == "bf16" else torch.float32

    def graph(x):
        ps = [p.to(dtype) for p in weights]
        x = x.to(dtype)

        def conv(x, i, relu=True):
            y = F.conv2d(x, ps[2 * i], ps[2 * i + 1], padding=2)
            return F.relu(y) if relu else y

        def pool(x):
            return F.max_pool2d(x, 2, 2, ceil_mode=True)

        def up(x, s):
            return F.interpolate(x, size=(s, s), mode="nearest")

        x = pool(conv(x, 0))
        x = pool(conv(x, 1))
        x = pool(conv(x, 2))
        x = conv(up(x, 7), 3)
        x = conv(up(x, 14), 4)
        x = conv(up(x, 28), 5)
        return conv(x, 6, relu=False).float()

    def train_step():
        start = time.perf_counter()
        noisy = (clean + 0.5 * torch.randn_like(clean)).clamp_(0, 1)
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(graph(noisy), clean)
        loss.backward()
        optimizer.step()
        loss.item()
        return (time.perf_counter() - start) * 1000

    def forward_step():
        start = time.perf_counter()
        with torch.inference_mode():
            graph(clean).sum().item()
        return (time.perf_counter() - start) * 1000

    for _ in range(args.warmup):
        train_step()
        forward_step()
    train_ms, forward_ms = [], []
    for _ in range(args.rounds):
        train_ms += [train_step() for _ in range(args.steps)]
        forward_ms += [forward_step() for _ in range(args.steps)]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "precision": args.precision,
                      "train_ms": train_ms, "forward_ms": forward_ms}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
