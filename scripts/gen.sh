#!/usr/bin/env bash
# Regenerate .gen/ (npm run get) from the real stategraph/fly provider's schema.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
provider_installed stategraph/fly "$FLY_PROVIDER_VERSION" ||
  die "provider stategraph/fly $FLY_PROVIDER_VERSION is not installed: run npm run setup first"
# cdktf's libraries ask TERRAFORM_BINARY_NAME for its version when loaded.
# shellcheck source=scripts/env.sh
. "$ROOT_DIR/scripts/env.sh"
exec npx --no-install ts-node --transpile-only scripts/gen-bindings.ts .gen
