#!/usr/bin/env bash
# Installs what building and testing stratus needs, from Debian packages only.
# Idempotent and quick when everything is present: it asks dpkg first and runs apt-get only
# for what is missing. Runs as root, or through sudo when that is available.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache make
  # the six libraries (Beast comes with Boost 1.81; Debian 12's default libboost-dev is 1.74)
  libboost1.81-dev libuv1-dev libyaml-cpp-dev libsqlite3-dev nlohmann-json3-dev doctest-dev
  # digests and signatures (S3 ETags/checksums, JWT RS256), CRC32
  libssl-dev zlib1g-dev
  # test clients and function runtimes
  curl python3 nodejs npm
  # real AWS clients for tests/integration/ (Debian 12: AWS CLI 2.9, boto3 1.26)
  awscli python3-boto3 jq
  # headless browser for the `stratus cost --html` rendering test
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # nodejs may come from another repository under the same name; any node on PATH will do
    if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
