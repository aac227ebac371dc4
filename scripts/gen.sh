#!/usr/bin/env bash
# Regenerate .gen/ (npm run get). With the real stategraph/fly provider in the
# mirror, its schema is read from it (as `cdktf get` does); otherwise the
# transcribed schema in providers/stategraph-fly/schema.json is used.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

if provider_installed stategraph/fly "$FLY_PROVIDER_VERSION"; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cat >"$work/main.tf.json" <<JSON
{"terraform":{"required_providers":{"fly":{"source":"stategraph/fly","version":"= $FLY_PROVIDER_VERSION"}}}}
JSON
  log "reading the schema of stategraph/fly $FLY_PROVIDER_VERSION from the provider itself"
  bash scripts/tofu.sh -chdir="$work" init -input=false >/dev/null
  bash scripts/tofu.sh -chdir="$work" providers schema -json >"$work/schema.json"
  export FLY_PROVIDER_SCHEMA="$work/schema.json"
else
  log "stategraph/fly $FLY_PROVIDER_VERSION is not installed; using providers/stategraph-fly/schema.json"
fi
rm -rf .gen
npx ts-node --transpile-only scripts/gen-bindings.ts .gen
