#!/usr/bin/env python3
"""The tutorial's training step in PyTorch, for `mnist-denoise bench` to compare against.

Same graph as the C# library (5x5 convolutions with SAME padding, ReLU, 2x2 max-pool with ceil_mode,
nearest upsampling 4->7->14->28), BCE-with-logits, Adam(lr 0.001, eps 1e-8), noise 0.5 added every step,
NCHW tensors in channels_last memory. The allocator settings come from the environment (GLIBC_TUNABLES),
which the bench sets the same way as the library's NativeAllocator.

--graph subpixel runs the same function in fewer operations, the exact reformulation the library's fast graph
uses (issue 10): nearest x2 upsampling followed by a 5x5 SAME convolution equals
pixel_shuffle(conv3x3_same(x, W'), 2), where W' (4*C_out output channels) sums the 5x5 taps that land on the same
source pixel: tap offset d (-2..2) of output phase a (0, 1) reads source offset floor((a + d) / 2) (-1, 0, 1).
It replaces conv5 (7->14) and conv6 (14->28); conv4 (4->7 is not a x2 map) stays literal. W' is computed from W
inside the step (an einsum with a constant 0/1 matrix), so gradients and Adam act on the same 5x5 weights. Before
timing, the script checks that both graphs give the same logits and weight gradients on the same input (fp32) and
prints the largest differences; it exits with 1 if they disagree.

Prints one JSON line: {"torch": version, "threads": n, "precision": p, "graph": g, "train_ms": [...],
"forward_ms": [...], "subpixel_logits_max_abs_diff": x, "subpixel_grad_max_rel_diff": y}.
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
    parser.add_argument("--graph", choices=["literal", "subpixel"], default="literal")
    parser.add_argument("--forward", action="store_true", help="also time forward-only passes")
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

    # subpixel[a, j, k] = 1 when 5x5 tap k (offset d = k - 2) of output phase a reads source offset j - 1.
    subpixel = torch.zeros(2, 3, 5)
    for a in range(2):
        for k in range(5):
            subpixel[a, (a + k - 2) // 2 + 1, k] = 1.0

    def up_conv(x, w, b):
        """conv5x5_same(upsample2x(x), w) + b as pixel_shuffle(conv3x3_same(x, w'), 2) + b."""
        cout, cin = w.shape[0], w.shape[1]
        # w'[o, a, c, i, j, l] = sum_k,m S[a, j, k] S[c, l, m] w[o, i, k, m]; channel o*4 + a*2 + c feeds
        # pixel_shuffle's output pixel (2h + a, 2w + c) of channel o.
        w3 = torch.einsum("ajk,clm,oikm->oacijl", subpixel.to(w.dtype), subpixel.to(w.dtype), w).reshape(cout * 4, cin, 3, 3)
        y = F.conv2d(x, w3.contiguous(memory_format=cl), b.repeat_interleave(4), padding=1)
        return F.pixel_shuffle(y, 2)

    def graph(x, form, dtype):
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
        if form == "subpixel":
            x = F.relu(up_conv(x, ps[8], ps[9]))
            x = F.relu(up_conv(x, ps[10], ps[11]))
        else:
            x = conv(up(x, 14), 4)
            x = conv(up(x, 28), 5)
        return conv(x, 6, relu=False).float()

    # The two forms must be the same function: logits and every weight gradient, fp32, same input.
    def logits_and_grads(form):
        optimizer.zero_grad()
        logits = graph(clean, form, torch.float32)
        F.binary_cross_entropy_with_logits(logits, clean).backward()
        return logits.detach(), [p.grad.detach().clone() for p in weights]

    literal_logits, literal_grads = logits_and_grads("literal")
    sub_logits, sub_grads = logits_and_grads("subpixel")
    optimizer.zero_grad()
    logits_diff = (literal_logits - sub_logits).abs().max().item()
    grad_diff = max(((g1 - g2).abs().max() / g1.abs().max().clamp_min(1e-30)).item() for g1, g2 in zip(literal_grads, sub_grads))
    # float32 sums in another order: logits agree to ~1e-7 of their size, gradients to ~1e-5 relative.
    if logits_diff > 1e-4 * max(1.0, literal_logits.abs().max().item()) or grad_diff > 1e-3:
        print(f"sub-pixel graph disagrees with the literal one: logits max abs diff {logits_diff:.3g}, "
              f"gradients max relative diff {grad_diff:.3g}", file=sys.stderr)
        return 1

    def train_step():
        start = time.perf_counter()
        noisy = (clean + 0.5 * torch.randn_like(clean)).clamp_(0, 1)
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(graph(noisy, args.graph, dtype), clean)
        loss.backward()
        optimizer.step()
        loss.item()
        return (time.perf_counter() - start) * 1000

    def forward_step():
        start = time.perf_counter()
        with torch.inference_mode():
            graph(clean, args.graph, dtype).sum().item()
        return (time.perf_counter() - start) * 1000

    for _ in range(args.warmup):
        train_step()
        if args.forward:
            forward_step()
    train_ms, forward_ms = [], []
    for _ in range(args.rounds):
        train_ms += [train_step() for _ in range(args.steps)]
        if args.forward:
            forward_ms += [forward_step() for _ in range(args.steps)]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "precision": args.precision,
                      "graph": args.graph, "train_ms": train_ms, "forward_ms": forward_ms,
                      "subpixel_logits_max_abs_diff": logits_diff, "subpixel_grad_max_rel_diff": grad_diff}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
