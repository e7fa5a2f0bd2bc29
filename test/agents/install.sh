#!/usr/bin/env bash
# Installs the pinned real agent CLIs (Claude Code, Codex, Gemini CLI, Qwen Code) from npm into a
# cache folder outside the repository, keyed by their versions; a finished install leaves a marker,
# so a second run only prints the folder. Prints the folder's bin path on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

cache_root="${SPEC_CONDUCTOR_AGENTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spec-conductor-agents}"
dir="$cache_root/claude-$CLAUDE_CODE_VERSION-codex-$CODEX_VERSION-gemini-$GEMINI_CLI_VERSION-qwen-$QWEN_CODE_VERSION"
log() { printf '[agents install] %s\n' "$*" >&2; }

mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
  started=$SECONDS
  log "installing the agent CLIs into $dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  npm install --no-audit --no-fund --no-update-notifier --loglevel=error --prefix "$dir" \
    "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" "@openai/codex@$CODEX_VERSION" \
    "@google/gemini-cli@$GEMINI_CLI_VERSION" "@qwen-code/qwen-code@$QWEN_CODE_VERSION" >&2
  for cli in claude codex gemini qwen; do
    HOME="$dir/.probe-home" "$dir/node_modules/.bin/$cli" --version >/dev/null 2>&1 || { log "$cli does not run"; exit 1; }
  done
  rm -rf "$dir/.probe-home"
  touch "$dir/.complete"
  log "installed in $((SECONDS - started)) s"
else
  log "cached: $dir"
fi
echo "$dir/node_modules/.bin"
