#!/usr/bin/env python3
"""Prints the table and the chart of docs/recipe.md from the sweep's metrics.json files (out/sweep/*/metrics.json,
written by tools/recipe-sweep.sh) and the tutorial's own run (docs/metrics-default.json). Standard library only."""
import json, pathlib, sys

root = pathlib.Path(__file__).resolve().parent.parent
runs = [("tutorial (default)", json.loads((root / "docs/metrics-default.json").read_text()))]
names = [l.split("\t")[0] for l in (root / "tools/recipe-sweep.tsv").read_text().splitlines() if l and not l.startswith("#")]
for name in names:
    path = root / "out/sweep" / name / "metrics.json"
    if path.exists():
        runs.append((name, json.loads(path.read_text())))
    else:
        print(f"<!-- {name}: not run -->", file=sys.stderr)

runs.sort(key=lambda r: -r[1]["test_mean_image_psnr_reconstructed"])
print("| run | batch | steps | learning rate | init | schedule | loss | mean PSNR (dB) | set PSNR (dB) | mean SSIM | train time (s) |")
print("|---|---:|---:|---:|---|---|---|---:|---:|---:|---:|")
for name, m in runs:
    print(f"| {name} | {m['batch_size']} | {m['steps']} | {m['learning_rate']:g} | {m['init']} | {m.get('schedule', 'constant')} | "
          f"{m.get('loss', 'xent')} | {m['test_mean_image_psnr_reconstructed']:.2f} | {m['test_psnr_reconstructed']:.2f} | "
          f"{m['test_ssim_reconstructed']:.3f} | {m['train_seconds']:.0f} |")
print()
print("```mermaid")
print("xychart-beta")
print('    title "Mean per-image test PSNR (dB) after 2 epochs of 55,000 images"')
print("    x-axis [" + ", ".join(f'"{n}"' for n, _ in runs) + "]")
low = min(m["test_mean_image_psnr_reconstructed"] for _, m in runs)
print(f"    y-axis \"PSNR (dB)\" {int(low) - 1} --> {int(max(m['test_mean_image_psnr_reconstructed'] for _, m in runs)) + 1}")
print("    bar [" + ", ".join(f"{m['test_mean_image_psnr_reconstructed']:.2f}" for _, m in runs) + "]")
print("```")
