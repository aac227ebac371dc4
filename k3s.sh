#!/usr/bin/env bash
# fly-k3s operator interface. Drives cdktf synth and OpenTofu; the cluster
# itself is declared in main.ts and constructs/.
#
# Without FLY_API_TOKEN, everything runs against the local Fly emulator, which
# is started when it is not running.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

usage() {
  cat <<USAGE
Usage: ./k3s.sh [-c | -a GROUP | -k | -t | -l cp|GROUP | -s cp|GROUP] clusters/<name>

  -c           create or update the cluster: control plane (ctrl-0..2) and every
               recorded node group; safe to re-run
  -a GROUP     record node group GROUP (clusters/<name>/node-groups) and deploy it
  -k           write the kubeconfig to ~/.kube/<cluster>
  -t           taint the control plane CriticalAddonsOnly=true:NoExecute
  -l cp|GROUP  list the machines of the control plane or a node group
  -s cp|GROUP  open a shell on a machine of the control plane or a node group
               (MACHINE=<name> picks one; default the first)
  -h           this help

Environment:
  BOOTSTRAP_NODE_ID  control-plane server that bootstraps the cluster (default 0)
  FLY_API_TOKEN      deploy to Fly.io; unset = the local Fly emulator
  FLY_API_URL        Machines API URL (default https://api.machines.dev/v1)
USAGE
}

action=""
group=""
while getopts ":ca:ktl:s:h" opt; do
  case "$opt" in
    c) action=create ;;
    a) action=add; group=$OPTARG ;;
    k) action=kubeconfig ;;
    t) action=taint ;;
    l) action=list; group=$OPTARG ;;
    s) action=shell; group=$OPTARG ;;
    h) usage; exit 0 ;;
    :) die "-$OPTARG needs an argument (see ./k3s.sh -h)" ;;
    *) die "unknown option -$OPTARG (see ./k3s.sh -h)" ;;
  esac
done
shift $((OPTIND - 1))
[ -n "$action" ] || { usage >&2; exit 2; }
[ $# -eq 1 ] || die "give exactly one cluster directory, e.g. clusters/fly-k3s-poc (see ./k3s.sh -h)"
[ -f "${1%/}/config" ] || die "${1%/}/config not found"
# Stacks are synthesized from $ROOT/clusters/*, so the directory must be one of them.
abs=$(cd "$1" && pwd)
case "$abs" in
  "$ROOT"/clusters/*) dir=${abs#"$ROOT"/} ;;
  *) die "$1 is not under $ROOT/clusters/: cluster directories live in clusters/<name>" ;;
esac

ts_node() { node -r "$ROOT/node_modules/ts-node/register/transpile-only" "$@"; }
fly_machines() { "$ROOT/bin/fly-machines" "$@"; }

# Validate the config (file:line: KEY errors), and a new node group id, before
# anything is started.
check=()
[ "$action" != add ] || check=(--new-group "$group")
info=$(cd "$ROOT" && ts_node bin/cluster-info.ts "$dir" "${check[@]}") || exit 1
eval "$info"

app_for() {
  if [ "$1" = cp ]; then echo "$CP_APP"; return; fi
  local var="NG_APP_$1"
  [ -n "${!var:-}" ] || die "node group $1 is not recorded in $dir/node-groups (groups: ${NODE_GROUPS:-none})"
  echo "${!var}"
}

case "$action" in
  list | shell) app=$(app_for "$group") ;;
esac

# Point the provider and our Machines API command at Fly or the local emulator.
# shellcheck source=scripts/local-fly.sh
. "$ROOT/scripts/local-fly.sh"
use_target

deploy() {
  # shellcheck source=scripts/env.sh
  . "$ROOT/scripts/env.sh"
  if [ "${FLY_K3S_USE_REGISTRY:-}" != 1 ]; then
    [ -x "$TERRAFORM_BINARY_NAME" ] || die "OpenTofu is not built yet: run npm run setup"
    local p
    for p in "stategraph/fly $FLY_PROVIDER_VERSION" "hashicorp/null $NULL_PROVIDER_VERSION"; do
      # shellcheck disable=SC2086  # "addr version" splits into two arguments
      provider_installed $p ||
        die "provider $p is not installed; npm run setup says why, and README 'Providers' says how to supply it"
    done
  fi
  # The state path depends on the target chosen above.
  info=$(cd "$ROOT" && ts_node bin/cluster-info.ts "$dir") || exit 1
  eval "$info"
  log "synthesizing stacks"
  (cd "$ROOT" && npx --no-install cdktf synth >/dev/null)
  local stack_dir="$ROOT/cdktf.out/stacks/$STACK"
  mkdir -p "$(dirname "$STATE_FILE")"
  log "initializing $STACK (state: $STATE_FILE)"
  # -reconfigure: the backend path differs between Fly and the local emulator;
  # each target's state stays where it is (nothing is migrated).
  "$TERRAFORM_BINARY_NAME" -chdir="$stack_dir" init -input=false -reconfigure >/dev/null
  log "applying $STACK: control plane ${NODE_GROUPS:+and node groups $NODE_GROUPS}"
  "$TERRAFORM_BINARY_NAME" -chdir="$stack_dir" apply -input=false -auto-approve
  log "cluster $CLUSTER is up; ./k3s.sh -k $dir writes the kubeconfig"
}

case "$action" in
  create) deploy ;;
  add)
    if grep -qx "$group" "$ROOT/$dir/node-groups" 2>/dev/null; then
      log "node group $group is already recorded; deploying"
    else
      # Keep one id per line even if the file lacks a final newline.
      if [ -s "$ROOT/$dir/node-groups" ] && [ -n "$(tail -c1 "$ROOT/$dir/node-groups")" ]; then
        echo >>"$ROOT/$dir/node-groups"
      fi
      echo "$group" >>"$ROOT/$dir/node-groups"
      log "recorded node group $group in $dir/node-groups"
    fi
    deploy
    ;;
  kubeconfig)
    fly_machines kubeconfig --cp-app "$CP_APP" --bootstrap "$BOOTSTRAP_MACHINE" \
      --cluster "$CLUSTER" --server "$API_SERVER" --out "$HOME/.kube/$CLUSTER"
    echo "KUBECONFIG=$HOME/.kube/$CLUSTER kubectl get nodes"
    ;;
  taint) fly_machines taint --cp-app "$CP_APP" --bootstrap "$BOOTSTRAP_MACHINE" ;;
  list) fly_machines list --app "$app" ;;
  shell)
    if [ "$FLY_K3S_TARGET" = fly ]; then
      command -v fly >/dev/null 2>&1 || die "-s needs flyctl (fly) on PATH for Fly.io"
      exec fly ssh console -a "$app" ${MACHINE:+--machine "$MACHINE"}
    fi
    local_fly_shell "$app" "${MACHINE:-}"
    ;;
esac
