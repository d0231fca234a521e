#!/usr/bin/env bash
# Installs AWS's Node.js Runtime Interface Client (npm aws-lambda-ric 3.x) into DIR, for the
# integration test that runs it unchanged against stratus (tests/integration/ric/).
#
#   scripts/install-ric.sh DIR      # e.g. build/ric; prints the installed version
#
# Idempotent: when DIR already holds a built 3.x client it only prints the version. Otherwise
# it installs the Debian build tools the client's native part needs (it builds a bundled curl
# and aws-lambda-cpp at install time: cmake, autoconf, automake, libtool, g++, make, python3;
# apt-get runs only for what is missing) and runs `npm install aws-lambda-ric@3` in DIR.
# 3.x is what npm picks on Node 20; 4.x declares engines node >=22.
#
# node-gyp would download Node's headers from the internet; the headers that come with the
# installed node are used instead (npm_config_nodedir), so only the npm registry is needed.
#
# Exit codes: 0 installed (or already present), 1 failed (the reason is on stderr).
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 DIR" >&2
  exit 1
fi
mkdir -p "$1"
dir="$(cd "$1" && pwd)"
pkg="$dir/node_modules/aws-lambda-ric"

log() { echo "install-ric: $*" >&2; }

# A built client: a 3.x package.json and the native addon the client loads.
installed_version() {
  [ -f "$pkg/package.json" ] || return 1
  local v
  v="$(node -p 'require(process.argv[1]).version' "$pkg/package.json" 2>/dev/null)" || return 1
  case "$v" in 3.*) ;; *) return 1 ;; esac
  # 3.x's postinstall copies the addon to dist/ and deletes build/
  [ -n "$(find "$pkg/dist" "$pkg/build" -name '*.node' -type f 2>/dev/null | head -1)" ] || return 1
  echo "$v"
}

command -v node >/dev/null || { log "node is not installed (scripts/install-deps.sh installs it)"; exit 1; }

# One installer at a time per DIR (ctest may run two build trees' tests at once).
exec 9>"$dir/.install-ric.lock"
flock 9

if v="$(installed_version)"; then
  echo "aws-lambda-ric $v"
  exit 0
fi

# --- Debian build tools -----------------------------------------------------------------
packages=(cmake autoconf automake libtool g++ make python3)
missing=()
# npm comes with NodeSource's nodejs; Debian ships it as a package of its own.
command -v npm >/dev/null || missing+=(npm)
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # python3 may come from elsewhere (pyenv); any on PATH will do for node-gyp
    if [ "$p" = python3 ] && command -v python3 >/dev/null; then continue; fi
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "run as root or install: ${missing[*]}"; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Node headers for node-gyp ----------------------------------------------------------
node_prefix="$(dirname "$(dirname "$(node -p process.execPath)")")"
if [ -f "$node_prefix/include/node/common.gypi" ]; then
  export npm_config_nodedir="$node_prefix"
else
  log "warning: no Node headers under $node_prefix/include/node; node-gyp will try to download them"
fi

# --- npm install --------------------------------------------------------------------------
# allowScripts: newer npm runs a dependency's install scripts only when approved; the client's
# preinstall/postinstall build its native part.
echo '{"name":"stratus-ric","private":true,"allowScripts":{"aws-lambda-ric":true}}' \
  >"$dir/package.json"
log "npm install aws-lambda-ric@3 in $dir (builds curl and aws-lambda-cpp; takes a few minutes)"
npm_log="$dir/npm-install.log"
# The client's preinstall runs plain `make` for curl and aws-lambda-cpp; let it use every core.
export MAKEFLAGS="${MAKEFLAGS:--j$(nproc)}"
if ! (cd "$dir" && npm install --no-audit --no-fund --foreground-scripts aws-lambda-ric@3) \
     >"$npm_log" 2>&1; then
  log "npm install failed; the last lines of $npm_log:"
  tail -n 40 "$npm_log" >&2
  exit 1
fi
if ! v="$(installed_version)"; then
  log "npm install finished but $pkg has no built native addon; see $npm_log"
  exit 1
fi
echo "aws-lambda-ric $v"
