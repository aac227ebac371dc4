#!/usr/bin/env bash
# Run the cdktf CLI with the project's toolchain and target, e.g.
#   npm run cdktf -- deploy local      (local Fly emulator unless FLY_API_TOKEN is set)
#   npm run cdktf -- diff fly-k3s-poc
# Sets TERRAFORM_BINARY_NAME/TF_CLI_CONFIG_FILE (scripts/env.sh) and, for
# commands that talk to Fly, FLY_API_URL/FLY_API_TOKEN/FLY_K3S_TARGET.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/env.sh
. "$ROOT_DIR/scripts/env.sh"

case "${1:-}" in
  deploy | destroy | diff | plan | output | watch)
    # shellcheck source=scripts/local-fly.sh
    . "$ROOT_DIR/scripts/local-fly.sh"
    use_target
    ;;
esac
cd "$ROOT_DIR"
# .terraform/terraform.tfstate in a stack directory only caches which backend
# the last `init` used (the state itself lives in ~/.local/state/fly-k3s).
# Switching between Fly and the local emulator changes that backend path, which
# cdktf's own `init` would refuse ("Backend configuration changed"), so the
# cache is dropped and init records the current one.
rm -f cdktf.out/stacks/*/.terraform/terraform.tfstate
exec npx --no-install cdktf "$@"
