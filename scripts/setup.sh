#!/usr/bin/env bash
# npm run setup [-- OPTIONS]: set up this checkout's toolchain. It chooses one
# of two modes by itself, says which and why, and remembers the choice in the
# cache (SETUP_MODE_FILE; contract/setup-mode.ts), so no later command needs
# an environment variable:
#
#   offline  the provider source archives are here (FLY_K3S_PROVIDER_SOURCES,
#            else ../shared/third_party beside the checkout: this project's
#            machines and CI). OpenTofu is built from the Go module proxy and
#            the two providers from their archives (scripts/providers.sh),
#            into the cache, with a CLI configuration whose filesystem mirror
#            serves them; also the developer tools (versitygw, actionlint and
#            the shell linter) and the local Fly's host set-up
#            (scripts/host-setup.ts), which the tests need.
#   online   no archives (a laptop, a GitHub runner): OpenTofu >= 1.12 from
#            PATH and the providers from the OpenTofu registry at the pinned
#            versions. Nothing is built and nothing on the host is changed.
#
# Options:
#   --online, --offline  choose the mode yourself (FLY_K3S_USE_REGISTRY=1 or 0 also does)
#   --local              also set up this host for the local Fly (root; each
#                        change printed with its reason before it is made)
#   --dev                also build the developer tools (needs Go)
#   --undo-local         restore what the local Fly's host set-up changed, then exit
#
#   FLY_K3S_CACHE=DIR             cache root (default ~/.cache/fly-k3s)
#   FLY_K3S_PROVIDER_SOURCES=DIR  where the provider source archives are
#
# Safe to re-run: what is already built is reused. Portable to macOS (bash
# 3.2, BSD tools) on the online path.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

start=$(date +%s)

# ts FILE ARGS: run a TypeScript file of the checkout.
ts() {
  TS_NODE_PROJECT="$ROOT_DIR/tsconfig.json" node -r "$ROOT_DIR/node_modules/ts-node/register/transpile-only" "$@"
}
[ -d "$ROOT_DIR/node_modules/ts-node" ] || die "run npm ci first (npm run setup uses the checkout's node_modules)"

mode_args=""
local_fly=0
dev=0
for arg in "$@"; do
  case "$arg" in
    --online | --offline) mode_args="$mode_args $arg" ;;
    --local) local_fly=1 ;;
    --dev) dev=1 ;;
    --undo-local) exec_undo=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option $arg (npm run setup -- --help lists them)" ;;
  esac
done
if [ "${exec_undo:-0}" = 1 ]; then
  exec env TS_NODE_PROJECT="$ROOT_DIR/tsconfig.json" node -r "$ROOT_DIR/node_modules/ts-node/register/transpile-only" "$ROOT_DIR/scripts/host-setup.ts" undo
fi

# shellcheck disable=SC2086  # mode_args: zero or more words
choice=$(ts "$ROOT_DIR/scripts/setup-mode.ts" decide $mode_args) || exit 1
mode=${choice%%$'\t'*}
rest=${choice#*$'\t'}
reason=${rest%%$'\t'*}
tofu_path=${rest#*$'\t'}
if [ "$mode" = offline ]; then
  local_fly=1
  dev=1
fi

need_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed. $1 needs Go >= $GO_MIN_VERSION (https://go.dev/dl); install it and re-run npm run setup."
  local v
  v=$(go env GOVERSION | sed 's/^go//')
  version_ge "$v" "$GO_MIN_VERSION" || die "Go $v is too old: $1 needs Go >= $GO_MIN_VERSION. Install a newer Go and re-run npm run setup."
}

# module_dir MODULE@VERSION: download a module through the proxy and print a
# writable copy of its source tree (built inside the module, so its own
# go.mod, replace directives included, is the main module).
module_dir() {
  local json dir err
  json=$(go mod download -json "$1" 2>/dev/null || true)
  err=$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p')
  dir=$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  if [ -z "$dir" ]; then
    printf '%s\n' "${err:-go mod download $1 failed}" >&2
    return 1
  fi
  local work
  work=$(mktemp -d "$CACHE_DIR/src.XXXXXX")
  cp -R "$dir/." "$work/"
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

mkdir -p "$CACHE_DIR"
if [ "$mode" = offline ]; then
  need_go "the offline mode (OpenTofu $TOFU_VERSION and the providers, built from source)"
  mkdir -p "$MIRROR_DIR"
  build_tofu
  bash "$ROOT_DIR/scripts/providers.sh"
  write_cli_config
fi
if [ "$dev" = 1 ]; then
  need_go "the developer tools (versitygw, actionlint)"
  build_go_tool "$VERSITYGW_BIN" "github.com/versity/versitygw@v$VERSITYGW_VERSION" ./cmd/versitygw \
    "-X main.Version=v$VERSITYGW_VERSION"
  build_go_tool "$ACTIONLINT_BIN" "github.com/rhysd/actionlint@v$ACTIONLINT_VERSION" ./cmd/actionlint \
    "-X github.com/rhysd/actionlint.version=v$ACTIONLINT_VERSION"
fi

# The host: Debian packages (shellcheck for the developer tools; podman and
# its helpers for the local Fly) and the IPv6 router-advertisement guard.
# Each change is printed with its reason before it is made, and recorded.
host_rc=0
if [ "$local_fly" = 1 ] || [ "$dev" = 1 ]; then
  host_args=""
  [ "$local_fly" = 1 ] && host_args="$host_args --local"
  [ "$dev" = 1 ] && host_args="$host_args --dev"
  # shellcheck disable=SC2086  # host_args: one or two words
  ts "$ROOT_DIR/scripts/host-setup.ts" apply $host_args || host_rc=$?
  [ "$host_rc" = 0 ] || [ "$host_rc" = 3 ] || die "the host set-up failed (see above)"
fi

ts "$ROOT_DIR/scripts/setup-mode.ts" remember "$mode" "$reason" "$tofu_path"

echo "fly-k3s toolchain: $mode mode (cache: $CACHE_DIR)"
if [ "$mode" = offline ]; then
  echo "  $(TF_CLI_CONFIG_FILE="$TF_CLI_CONFIG" "$TOFU_BIN" version | head -n1) ($TOFU_BIN)"
  (cd "$MIRROR_DIR/$MIRROR_HOST" && find . -name 'terraform-provider-*' | sed 's|^\./|  provider |' | sort)
  echo "  CLI config: $TF_CLI_CONFIG"
else
  echo "  built nothing: OpenTofu from PATH ($tofu_path); stategraph/fly $FLY_PROVIDER_VERSION and hashicorp/null from the OpenTofu registry at the first tofu init"
fi
if [ "$dev" = 1 ]; then
  echo "  versitygw $("$VERSITYGW_BIN" --version | sed -n 's/^Version *: *//p') ($VERSITYGW_BIN)"
  echo "  actionlint $("$ACTIONLINT_BIN" --version | head -n1) ($ACTIONLINT_BIN)"
fi
if [ "$local_fly" = 1 ]; then
  if [ "$host_rc" = 0 ]; then
    echo "  local Fly: this host is ready (./k3s.sh without FLY_API_TOKEN); npm run setup -- --undo-local restores what setup changed"
  else
    echo "  local Fly: not ready; the lines marked 'to do' above say what is left"
  fi
else
  echo "  local Fly: not set up, no system file changed (set FLY_API_TOKEN to deploy to Fly.io; as root, npm run setup -- --local prepares this host for it)"
fi
echo "setup took $(($(date +%s) - start))s"
# Asked for explicitly and not done: say so in the exit status.
if [ "$host_rc" = 3 ] && [ "$mode" = online ]; then exit 3; fi
