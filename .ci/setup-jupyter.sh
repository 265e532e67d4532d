#!/usr/bin/env bash
# Installs what the notebook tests need to run notebooks through a real Jupyter client (nbconvert) with the .NET kernel:
#   - Debian's Jupyter pieces: jupyter-nbconvert, python3-nbclient, jupyter-client, python3-ipykernel;
#   - the dotnet-interactive kernel pinned in .config/dotnet-tools.json (dotnet tool restore, repository-local).
# The kernelspec itself is committed (notebooks/jupyter/kernels/.net-csharp, found through JUPYTER_PATH), so nothing is
# installed into ~/.local/share/jupyter. Idempotent: a second run changes nothing. Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-jupyter: installing ${missing[*]}"
  bash .ci/apt-install.sh setup-jupyter "${missing[@]}"
else
  echo "setup-jupyter: Debian packages already installed"
fi

echo "setup-jupyter: restoring the dotnet-interactive kernel (.config/dotnet-tools.json)"
dotnet tool restore

kernels=$(JUPYTER_PATH="$PWD/notebooks/jupyter" jupyter kernelspec list 2>/dev/null)
grep -q "notebooks/jupyter/kernels/.net-csharp" <<<"$kernels" \
  || { echo "setup-jupyter: Jupyter does not find notebooks/jupyter/kernels/.net-csharp:" >&2; echo "$kernels" >&2; exit 1; }
echo "setup-jupyter: ready (JUPYTER_PATH=notebooks/jupyter finds the .net-csharp kernel)"
