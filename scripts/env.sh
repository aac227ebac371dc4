#!/usr/bin/env bash
# Source to point cdktf at the project's toolchain:
#   TERRAFORM_BINARY_NAME = the built tofu (or terraform/tofu on PATH with FLY_K3S_USE_REGISTRY=1)
#   TF_CLI_CONFIG_FILE    = the CLI config with the local provider mirror
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "${FLY_K3S_USE_REGISTRY:-}" = 1 ]; then
  TERRAFORM_BINARY_NAME=$(command -v tofu || command -v terraform || echo terraform)
else
  TERRAFORM_BINARY_NAME="$TOFU_DIR/tofu"
  TF_CLI_CONFIG_FILE="$TF_CLI_CONFIG"
  export TF_CLI_CONFIG_FILE
fi
export TERRAFORM_BINARY_NAME
export CHECKPOINT_DISABLE=1
