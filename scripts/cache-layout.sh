# shellcheck shell=bash disable=SC2034
# Generated from CACHE_LAYOUT in contract/cache-layout.ts by
# `npx ts-node --transpile-only scripts/write-cache-layout.ts`; do not edit.
# Where the toolchain lives in the cache. scripts/lib.sh sources this after
# scripts/toolchain.env (the versions).
CACHE_DIR=${FLY_K3S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fly-k3s}
TOFU_DIR="$CACHE_DIR/tofu-${TOFU_VERSION}"
TOFU_BIN="$CACHE_DIR/tofu-${TOFU_VERSION}/tofu"
PROVIDER_BUILDS_DIR="$CACHE_DIR/providers"
MIRROR_DIR="$CACHE_DIR/provider-mirror"
TF_CLI_CONFIG="$CACHE_DIR/tofu.tfrc"
PLUGIN_CACHE_DIR="$CACHE_DIR/plugin-cache"
VERSITYGW_BIN="$CACHE_DIR/versitygw-${VERSITYGW_VERSION}/versitygw"
ACTIONLINT_BIN="$CACHE_DIR/actionlint-${ACTIONLINT_VERSION}/actionlint"
OPS_JS_DIR="$CACHE_DIR/ops-js"
PROBES_DIR="$CACHE_DIR/probes"
SETUP_MODE_FILE="$CACHE_DIR/setup-mode"
HOST_SETUP_RECORD="$CACHE_DIR/host-setup.json"
PODMAN_CONF="$CACHE_DIR/containers.conf"
