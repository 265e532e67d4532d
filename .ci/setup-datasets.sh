#!/usr/bin/env bash
# Installs the datasets the tests read besides the committed MNIST: Fashion-MNIST from Debian's dataset-fashion-mnist,
# which puts the four .gz files in /usr/share/datasets/fashion-mnist/ (KnownDatasets reads them from there).
# Idempotent. Needs root (or sudo) for apt.
set -euo pipefail

if dpkg-query -W -f='${Status}' dataset-fashion-mnist 2>/dev/null | grep -q "install ok installed"; then
  echo "setup-datasets: dataset-fashion-mnist already installed"
else
  echo "setup-datasets: installing dataset-fashion-mnist"
  bash "$(dirname "$0")/apt-install.sh" setup-datasets dataset-fashion-mnist
fi
ls /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz >/dev/null
