#!/usr/bin/env bash
# Installs what pushgate needs to build and test on Debian 12, when it is missing.
# Needs root (or sudo) only when something must be installed.
set -euo pipefail
packages=(build-essential cmake pkg-config git openssh-client gnupg
          libgit2-dev libhyperscan-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
          libsodium-dev libre2-dev catch2 groff-base)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
