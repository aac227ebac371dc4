#!/usr/bin/env bash
# Shared helpers for the project's shell scripts. Source it; do not run it.
# shellcheck disable=SC2034  # variables are used by the scripts that source this file

ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/toolchain.env
. "$ROOT_DIR/scripts/toolchain.env"

CACHE_DIR=${FLY_K3S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fly-k3s}
TOFU_DIR="$CACHE_DIR/tofu-$TOFU_VERSION"
MIRROR_DIR="$CACHE_DIR/provider-mirror"
TF_CLI_CONFIG="$CACHE_DIR/tofu.tfrc"
VERSITYGW_BIN="$CACHE_DIR/versitygw-$VERSITYGW_VERSION/versitygw"
ACTIONLINT_BIN="$CACHE_DIR/actionlint-$ACTIONLINT_VERSION/actionlint"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# version_ge A B: true when version A >= version B (dotted numbers).
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
