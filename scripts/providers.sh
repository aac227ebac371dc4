#!/usr/bin/env bash
# Build the two Terraform providers from their pinned public source archives
# and install them into the filesystem mirror that OpenTofu reads (part of
# npm run setup; safe to re-run: a build is cached by version and checksum).
#
#   FLY_K3S_PROVIDER_SOURCES=DIR  where the archives are (default: the
#                                 third_party/ directory of a shared/ folder
#                                 beside the checkout, when there is one)
#
# The archives and their sha256 are pinned in scripts/toolchain.env.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

sources_dir() {
  if [ -n "${FLY_K3S_PROVIDER_SOURCES:-}" ]; then
    printf '%s\n' "$FLY_K3S_PROVIDER_SOURCES"
  elif [ -d "$ROOT_DIR/../shared/third_party" ]; then
    (cd "$ROOT_DIR/../shared/third_party" && pwd)
  fi
}

# build_provider NAMESPACE/TYPE VERSION ARCHIVE SHA256
build_provider() {
  local addr=$1 version=$2 archive=$3 sha=$4 type=${1#*/}
  local key="$type-$version-${sha:0:12}"
  local built="$PROVIDER_BUILDS_DIR/$key/terraform-provider-${type}_v$version"
  if [ -x "$built" ]; then
    log "provider $addr $version: cached ($key)"
  else
    local dir file actual
    dir=$(sources_dir)
    [ -n "$dir" ] || die "provider $addr $version: no source archive to build from. Put $archive (sha256 $sha) in a directory and set FLY_K3S_PROVIDER_SOURCES to it, or run npm run setup -- --online on a machine that reaches the OpenTofu registry."
    file="$dir/$archive"
    [ -f "$file" ] || die "$file: not found (expected the source archive of $addr $version, sha256 $sha). Put it there or set FLY_K3S_PROVIDER_SOURCES to the directory that holds it."
    actual=$(sha256_of "$file")
    [ "$actual" = "$sha" ] || die "$file: sha256 is $actual, expected $sha (pinned in scripts/toolchain.env). Replace it with the original archive; do not build an altered source."
    log "provider $addr $version: building from $archive (about a minute cold)"
    local work
    work=$(mktemp -d "$CACHE_DIR/provider-src.XXXXXX")
    # shellcheck disable=SC2064  # expand now: the trap runs after this function returns
    trap "rm -rf '$work'" EXIT
    tar -xzf "$file" -C "$work"
    local gomod src
    gomod=$(find "$work" -mindepth 2 -maxdepth 2 -name go.mod | head -n1)
    [ -n "$gomod" ] || die "$file: no go.mod at the top of the archive"
    src=$(dirname "$gomod")
    mkdir -p "$(dirname "$built")"
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$built.tmp" .)
    mv "$built.tmp" "$built"
    rm -rf "$work"
    trap - EXIT
  fi
  # OpenTofu resolves "stategraph/fly" and "hashicorp/null" to registry.opentofu.org.
  local dest
  dest="$MIRROR_DIR/$MIRROR_HOST/$addr/$version/$(go env GOOS)_$(go env GOARCH)"
  if ! cmp -s "$built" "$dest/terraform-provider-${type}_v$version"; then
    mkdir -p "$dest"
    cp "$built" "$dest/.terraform-provider-${type}_v$version.tmp"
    mv "$dest/.terraform-provider-${type}_v$version.tmp" "$dest/terraform-provider-${type}_v$version"
    log "provider $addr $version: installed into $dest"
  fi
}

mkdir -p "$CACHE_DIR" "$MIRROR_DIR"
# A mirror from older set-ups served the providers through a host symlink,
# which OpenTofu's mirror scan does not follow.
if [ -L "$MIRROR_DIR/$MIRROR_HOST" ]; then rm -f "$MIRROR_DIR/$MIRROR_HOST"; fi
build_provider stategraph/fly "$FLY_PROVIDER_VERSION" "$FLY_PROVIDER_ARCHIVE" "$FLY_PROVIDER_SHA256"
build_provider hashicorp/null "$NULL_PROVIDER_VERSION" "$NULL_PROVIDER_ARCHIVE" "$NULL_PROVIDER_SHA256"
