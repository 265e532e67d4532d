#!/usr/bin/env bash
# apt-get install for the setup scripts: quiet on success (dpkg prints hundreds of "Unpacking"/"Setting up" lines that
# would bury the test output), the whole log on failure. Usage: bash .ci/apt-install.sh NAME PACKAGE...
set -euo pipefail
who=$1; shift
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
  echo "$who: apt-get install $* failed:" >&2
  cat "$log" >&2
  exit 1
fi
echo "$who: installed $* ($(grep -c '^Setting up' "$log") packages set up)"
