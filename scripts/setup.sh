#!/usr/bin/env bash
# Install the system packages the project needs (scripts/install-deps.sh), then
# build the pinned toolchain into a cache outside the checkout: OpenTofu from
# the Go module proxy, the two providers from their pinned source archives
# (scripts/providers.sh), a CLI configuration whose filesystem mirror serves
# them, and two Go tools from the module proxy: versitygw (the S3 server the
# remote-state tests run against) and actionlint (npm run lint:actions).
# Safe to re-run: what is already built is reused.
#
#   FLY_K3S_CACHE=DIR             cache root (default ~/.cache/fly-k3s)
#   FLY_K3S_PROVIDER_SOURCES=DIR  where the provider source archives are
#   FLY_K3S_USE_REGISTRY=1        skip local builds; use `terraform`/`tofu` from
#                                 PATH with the public registry (machines with internet)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

start=$(date +%s)

if [ "${FLY_K3S_USE_REGISTRY:-}" = 1 ]; then
  # A machine with internet, e.g. a GitHub Actions runner (.github/workflows):
  # OpenTofu (or Terraform) from PATH, providers from the registry. System
  # packages need root; a deploy to Fly.io needs none of them.
  if [ "$(id -u)" = 0 ]; then
    bash "$ROOT_DIR/scripts/install-deps.sh"
  else
    log "not root: skipping the system packages (shellcheck, podman for the local Fly emulator)"
  fi
  bin=$(command -v tofu || command -v terraform) ||
    die "FLY_K3S_USE_REGISTRY=1 but neither tofu nor terraform is on PATH: install OpenTofu $TOFU_VERSION (e.g. the opentofu/setup-opentofu action) and re-run"
  log "FLY_K3S_USE_REGISTRY=1: not building anything; $bin with providers from the registry"
  exit 0
fi

# System packages: shellcheck, and podman for the local Fly emulator.
bash "$ROOT_DIR/scripts/install-deps.sh"

command -v go >/dev/null 2>&1 || die "Go is not installed. Install Go >= $GO_MIN_VERSION (https://go.dev/dl) and re-run npm run setup."
go_version=$(go env GOVERSION | sed 's/^go//')
version_ge "$go_version" "$GO_MIN_VERSION" ||
  die "Go $go_version is too old: OpenTofu $TOFU_VERSION needs Go >= $GO_MIN_VERSION. Install a newer Go and re-run npm run setup."

mkdir -p "$CACHE_DIR" "$MIRROR_DIR"

# module_dir MODULE@VERSION: download a module through the proxy and print a
# writable copy of its source tree (built inside the module, so its own
# go.mod, replace directives included, is the main module).
module_dir() {
  local json dir err
  json=$(go mod download -json "$1" 2>/dev/null || true)
  err=$(printf '%s' "$json" | sed -n 's/^\s*"Error": "\(.*\)",\{0,1\}$/\1/p')
  dir=$(printf '%s' "$json" | sed -n 's/^\s*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  if [ -z "$dir" ]; then
    printf '%s\n' "${err:-go mod download $1 failed}" >&2
    return 1
  fi
  local work
  work=$(mktemp -d "$CACHE_DIR/src.XXXXXX")
  cp -r "$dir/." "$work/"
  chmod -R u+w "$work"
  printf '%s\n' "$work"
}

build_tofu() {
  if [ -x "$TOFU_BIN" ]; then
    log "tofu $TOFU_VERSION: cached at $TOFU_BIN"
    return
  fi
  log "tofu $TOFU_VERSION: building from github.com/opentofu/opentofu@v$TOFU_VERSION (several minutes on 2 cores)"
  local src
  src=$(module_dir "github.com/opentofu/opentofu@v$TOFU_VERSION") || die "cannot download OpenTofu v$TOFU_VERSION"
  mkdir -p "$TOFU_DIR.tmp"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$TOFU_DIR.tmp/tofu" ./cmd/tofu)
  rm -rf "$src" "$TOFU_DIR"
  mv "$TOFU_DIR.tmp" "$TOFU_DIR"
}

# build_go_tool BIN MODULE@VERSION PACKAGE [LDFLAGS]: build a command of a Go
# module into BIN (a versioned cache path) unless it is there already.
build_go_tool() {
  local bin=$1 module=$2 pkg=$3 ldflags="-s -w ${4:-}" name
  name=$(basename "$bin")
  if [ -x "$bin" ]; then
    log "$name ${module#*@}: cached at $bin"
    return
  fi
  log "$name ${module#*@}: building from $module"
  local src
  src=$(module_dir "$module") || die "cannot download $module"
  mkdir -p "$(dirname "$bin")"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin.tmp" "$pkg")
  rm -rf "$src"
  mv "$bin.tmp" "$bin"
}

write_cli_config() {
  cat >"$TF_CLI_CONFIG.tmp" <<CFG
# Written by fly-k3s scripts/setup.sh: providers come from the local mirror only.
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR_DIR"
    include = ["$MIRROR_HOST/*/*"]
  }
}
plugin_cache_dir = "$PLUGIN_CACHE_DIR"
CFG
  mkdir -p "$PLUGIN_CACHE_DIR"
  mv "$TF_CLI_CONFIG.tmp" "$TF_CLI_CONFIG"
}

build_tofu
bash "$ROOT_DIR/scripts/providers.sh"
write_cli_config
build_go_tool "$VERSITYGW_BIN" "github.com/versity/versitygw@v$VERSITYGW_VERSION" ./cmd/versitygw \
  "-X main.Version=v$VERSITYGW_VERSION"
build_go_tool "$ACTIONLINT_BIN" "github.com/rhysd/actionlint@v$ACTIONLINT_VERSION" ./cmd/actionlint \
  "-X github.com/rhysd/actionlint.version=v$ACTIONLINT_VERSION"

echo "fly-k3s toolchain (cache: $CACHE_DIR)"
echo "  $(TF_CLI_CONFIG_FILE="$TF_CLI_CONFIG" "$TOFU_BIN" version | head -n1)"
find "$MIRROR_DIR/$MIRROR_HOST" -name 'terraform-provider-*' -printf '  provider %P\n' | sort
echo "  CLI config: $TF_CLI_CONFIG"
echo "  versitygw $("$VERSITYGW_BIN" --version | sed -n 's/^Version *: *//p') ($VERSITYGW_BIN)"
echo "  actionlint $("$ACTIONLINT_BIN" --version | head -n1) ($ACTIONLINT_BIN)"
echo "setup took $(($(date +%s) - start))s"
