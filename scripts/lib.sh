#!/usr/bin/env bash
# Shared helpers for the project's shell scripts. Source it; do not run it.
# shellcheck disable=SC2034  # variables are used by the scripts that source this file

ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/toolchain.env
. "$ROOT_DIR/scripts/toolchain.env"

# CACHE_DIR and the paths under it (TOFU_DIR, MIRROR_DIR, …): generated from
# contract/cache-layout.ts, which the CLI reads too.
# shellcheck source=scripts/cache-layout.sh
. "$ROOT_DIR/scripts/cache-layout.sh"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# version_ge A B: true when version A >= version B (dotted numbers; plain
# bash, as sort -V is not on every system).
version_ge() {
  local IFS=. i x y
  local -a a b
  read -r -a a <<<"$1"
  read -r -a b <<<"$2"
  for i in 0 1 2 3; do
    x=${a[i]:-0} y=${b[i]:-0}
    x=${x%%[!0-9]*} y=${y%%[!0-9]*}
    if ((10#${x:-0} > 10#${y:-0})); then return 0; fi
    if ((10#${x:-0} < 10#${y:-0})); then return 1; fi
  done
  return 0
}

# sha256_of FILE: the file's sha256, hex (sha256sum on Linux, shasum on macOS).
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}
