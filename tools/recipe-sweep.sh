#!/usr/bin/env bash
# Runs every line of tools/recipe-sweep.tsv as a full `mnist-denoise train` (skipping runs whose metrics.json exists),
# each into out/sweep/<name>/, one after the other.
# Usage: tools/recipe-sweep.sh   (about an hour on 2 cores for the whole list); then tools/recipe-report.py prints docs/recipe.md's table.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=cli/MnistDenoise.Cli/bin/Release/net10.0/mnist-denoise.dll
[[ -f $cli ]] || dotnet build cli/MnistDenoise.Cli -c Release

grep -v '^#' tools/recipe-sweep.tsv | while IFS=$'\t' read -r name batch lr init schedule loss; do
  [[ -z $name ]] && continue
  out=out/sweep/$name
  [[ -f $out/metrics.json ]] && { echo "$name: done already"; continue; }
  echo "== $name"
  dotnet "$cli" train --batch-size "$batch" --lr "$lr" --init "$init" --schedule "$schedule" --loss "$loss" -o "$out" \
    > "out/sweep/$name.log" 2>&1 || { echo "$name failed; see out/sweep/$name.log"; continue; }
  grep -E "mean PSNR|SSIM" "out/sweep/$name.log" | head -3 || true
done

