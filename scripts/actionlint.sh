#!/usr/bin/env bash
# Lint the GitHub Actions workflows (.github/workflows) with the pinned
# actionlint that npm run setup builds; it runs shellcheck on their run: steps.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$ACTIONLINT_BIN" ] || die "actionlint $ACTIONLINT_VERSION is not built yet: run npm run setup"
cd "$ROOT_DIR"
exec "$ACTIONLINT_BIN" -no-color "$@"
