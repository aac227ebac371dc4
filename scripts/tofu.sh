#!/usr/bin/env bash
# Run the project's OpenTofu with the project's CLI configuration (the local
# provider mirror), e.g.: npm run tofu -- -chdir=cdktf.out/stacks/local plan
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "${FLY_K3S_USE_REGISTRY:-}" = 1 ]; then
  bin=$(command -v tofu || command -v terraform) || die "FLY_K3S_USE_REGISTRY=1 but neither tofu nor terraform is on PATH"
  exec "$bin" "$@"
fi
[ -x "$TOFU_DIR/tofu" ] || die "OpenTofu $TOFU_VERSION is not built yet: run npm run setup"
export TF_CLI_CONFIG_FILE="$TF_CLI_CONFIG"
exec "$TOFU_DIR/tofu" "$@"
