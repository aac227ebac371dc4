#!/usr/bin/env bash
# The first step of every job of .github/workflows/deploy.yml, after the
# checkout: refuses, naming each missing repository setting and what it is for,
# before anything is installed or started. Without FLY_API_TOKEN, ./k3s.sh
# would start the local Fly emulator, which a runner must never do.
#
#   .github/check-settings.sh image   FLY_API_TOKEN and FLY_K3S_CLUSTER
#   .github/check-settings.sh state   also the state bucket and its keys
set -euo pipefail
what=${1:?usage: .github/check-settings.sh image|state}
missing=()

[ -n "${FLY_API_TOKEN:-}" ] ||
  missing+=("secret FLY_API_TOKEN: the Fly.io token (fly tokens create org); without it ./k3s.sh would deploy to a local Fly emulator, which a runner does not run")

cluster=${FLY_K3S_CLUSTER:-}
if [ -z "$cluster" ]; then
  missing+=("variable FLY_K3S_CLUSTER: the cluster's name, <name> of clusters/<name>/config")
elif [[ $cluster == */* ]]; then
  bare=${cluster%/}
  missing+=("variable FLY_K3S_CLUSTER=$cluster: give the cluster's bare name, ${bare##*/} (the scripts add clusters/)")
elif [ ! -f "clusters/$cluster/config" ]; then
  missing+=("variable FLY_K3S_CLUSTER=$cluster: this repository has no clusters/$cluster/config")
fi

if [ "$what" = state ]; then
  [ -n "${FLY_K3S_STATE_BUCKET:-}" ] ||
    missing+=("variable FLY_K3S_STATE_BUCKET: the S3 bucket for the Terraform state; a runner's local state would be lost")
  for key in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; do
    [ -n "${!key:-}" ] || missing+=("secret $key: the state bucket's key pair")
  done
fi

if [ "${#missing[@]}" -gt 0 ]; then
  for m in "${missing[@]}"; do echo "::error::not set: $m"; done
  echo "Set them under Settings > Secrets and variables > Actions (README, \"CI: GitHub Actions\"); nothing was started."
  exit 1
fi
echo "settings: cluster $cluster${FLY_K3S_STATE_BUCKET:+, state in bucket $FLY_K3S_STATE_BUCKET}"
