#!/usr/bin/env bash
# Installs the datasets the tests read besides the committed MNIST: Fashion-MNIST from Debian's dataset-fashion-mnist,
# which puts the four .gz files in /usr/share/datasets/fashion-mnist/ (KnownDatasets reads them from there).
# Idempotent. Needs root (or sudo) for apt.
set -euo pipefail

if dpkg-query -W -f='${Status}' dataset-fashion-mnist 2>/dev/null | grep -q "install ok installed"; then
  echo "setup-datasets: dataset-fashion-mnist already installed"
else
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "setup-datasets: installing dataset-fashion-mnist"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends dataset-fashion-mnist
fi
ls /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz >/dev/null
