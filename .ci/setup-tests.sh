#!/usr/bin/env bash
# What `dotnet test MnistDenoise.slnx -c Release` needs besides the .NET SDK, installed only when missing:
#   - Jupyter and the .NET kernel for the notebook tests (.ci/setup-jupyter.sh);
#   - Fashion-MNIST for the results tests (.ci/setup-datasets.sh).
# The test projects run this before their tests (tests/Directory.Build.targets), so the README's test command is enough on a
# fresh Debian 12 with the SDK; set MNIST_DENOISE_SKIP_SETUP=1 to skip it. Installing needs root or passwordless sudo (apt);
# without them it says what to run and exits 1, and the tests that need what is missing fail with the same advice.
set -euo pipefail
cd "$(dirname "$0")/.."

# Both test projects may start this at once: one at a time.
if command -v flock >/dev/null; then exec 9<"$0"; flock 9; fi

# True when the Debian package is installed, or when this is not Debian (Jupyter installed another way).
debian_package() {
  ! command -v dpkg-query >/dev/null || dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

have_jupyter() {
  command -v jupyter >/dev/null \
    && jupyter nbconvert --version >/dev/null 2>&1 \
    && JUPYTER_PATH="$PWD/notebooks/jupyter" jupyter kernelspec list 2>/dev/null | grep -q "notebooks/jupyter/kernels/.net-csharp" \
    && debian_package python3-nbclient && debian_package python3-ipykernel \
    && dotnet tool run dotnet-interactive -- --version >/dev/null 2>&1
}
have_fashion() { [[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; }

missing=()
have_jupyter || missing+=("Jupyter and the .NET kernel")
have_fashion || missing+=("Fashion-MNIST")
if ((${#missing[@]} == 0)); then
  echo "setup-tests: Jupyter, the .NET kernel and Fashion-MNIST are present"
  exit 0
fi

what=$(IFS=,; echo "${missing[*]}" | sed 's/,/ and /')
if ! command -v apt-get >/dev/null; then
  echo "setup-tests: $what missing, and this is not Debian/Ubuntu: install Jupyter (notebooks/README.md) and run 'dotnet tool restore'; Fashion-MNIST tests need /usr/share/datasets/fashion-mnist." >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]] && ! sudo -n true 2>/dev/null; then
  echo "setup-tests: $what missing; installing needs root: run 'sudo bash .ci/setup-tests.sh' once, then the tests again." >&2
  exit 1
fi

echo "setup-tests: installing what the tests need: $what"
have_jupyter || bash .ci/setup-jupyter.sh
have_fashion || bash .ci/setup-datasets.sh
echo "setup-tests: done"
