#!/usr/bin/env bash
# Install the system packages the project needs on a Debian machine (CI runs
# this on a fresh one): shellcheck for the lint, and podman for the local Fly
# emulator (scripts/podman-setup.sh configures it). Idempotent.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

need=()
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing: ${need[*]}; install them (sudo apt-get install ${need[*]}) and re-run"
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ -f "$ROOT_DIR/scripts/podman-setup.sh" ]; then
  bash "$ROOT_DIR/scripts/podman-setup.sh"
fi
