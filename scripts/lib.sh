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

# version_ge A B: true when version A >= version B (dotted numbers).
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
