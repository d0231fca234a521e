#!/usr/bin/env bash
# Installs the AWS SDK for JavaScript v3 clients the integration tests drive stratus with
# (@aws-sdk/client-s3, -sqs, -lambda) into DIR/node_modules, from the npm registry.
#
#   scripts/install-npm-clients.sh DIR     # e.g. build/npm; prints DIR/node_modules
#
# Idempotent: once every client is present it only prints the path. Tests that need a client
# skip (exit 77) when this fails, e.g. without network access to the registry.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 DIR" >&2
  exit 1
fi
clients=(@aws-sdk/client-s3@3 @aws-sdk/client-sqs@3 @aws-sdk/client-lambda@3)
mkdir -p "$1"
dir="$(cd "$1" && pwd)"

present() {
  local spec name
  for spec in "${clients[@]}"; do
    name="${spec%@*}"
    [ -f "$dir/node_modules/$name/package.json" ] || return 1
  done
}

command -v npm >/dev/null || { echo "install-npm-clients: npm is not installed" >&2; exit 1; }
if ! present; then
  # A lock beside DIR: parallel ctest runs may both want the clients.
  exec 9>"$dir.lock"
  flock 9
  if ! present; then
    [ -f "$dir/package.json" ] || echo '{"private":true}' >"$dir/package.json"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "${clients[@]}" >&2)
  fi
fi
echo "$dir/node_modules"
