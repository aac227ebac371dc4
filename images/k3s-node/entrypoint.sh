#!/usr/bin/env bash
# Boot a fly-k3s node: check the kernel, wait for the 6PN address and the join
# token, render the k3s config, exec k3s. Inputs are described in README.md
# and render-config.sh.
#
# Knobs besides the render inputs:
#   K3S_SKIP_KERNEL_CHECK=1  start even if required kernel options are missing
#   K3S_KERNEL_CONFIG=FILE   kernel config to check instead of /proc/config.gz
#   K3S_WAIT_TIMEOUT=SECS    how long to wait for the address and the token
#                            (3600: the join step reaches a node only after the
#                            bootstrap server is Ready and, for workers, after
#                            every server has joined; a node that gives up is
#                            restarted by its restart policy and waits again)
#   K3S_CONFIG_FILE=FILE     where to render the config (k3s reads the same
#                            variable; default /etc/rancher/k3s/config.yaml)
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)

log() { printf '%s fly-k3s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "$*"
  exit 1
}

role=${K3S_ROLE:-}
bootstrap=${K3S_BOOTSTRAP:-false}
data_dir=${K3S_DATA_DIR:-/data/k3s}
token_file=${K3S_TOKEN_FILE:-/data/k3s-token}
config_file=${K3S_CONFIG_FILE:-/etc/rancher/k3s/config.yaml}
timeout=${K3S_WAIT_TIMEOUT:-3600}

case "$role" in
  server | agent) ;;
  *) die "K3S_ROLE must be server or agent (got \"$role\")" ;;
esac
[[ $timeout =~ ^[0-9]+$ ]] || die "K3S_WAIT_TIMEOUT must be a number of seconds (got \"$timeout\")"
[[ -n ${FLY_PRIVATE_IP:-} ]] || die "FLY_PRIVATE_IP is not set; this image runs on Fly Machines"

# --- 1. Kernel ------------------------------------------------------------------

check_kernel() {
  if [[ ${K3S_SKIP_KERNEL_CHECK:-0} == 1 ]]; then
    log "K3S_SKIP_KERNEL_CHECK=1: not checking kernel options"
    return 0
  fi
  local args=() rc=0
  [[ -n ${K3S_KERNEL_CONFIG:-} ]] && args+=(--kernel-config "$K3S_KERNEL_CONFIG")
  "$here/kernel/check-kernel.sh" "${args[@]}" || rc=$?
  case "$rc" in
    0) ;;
    1) die "refusing to start k3s: required kernel options are missing (listed above);" \
      "use a kernel with them built in, or set K3S_SKIP_KERNEL_CHECK=1 to start anyway" ;;
    2) log "warning: no kernel config to check; starting without a kernel check" ;;
    *) die "kernel check could not run (exit $rc)" ;;
  esac
}

# --- Waiting --------------------------------------------------------------------

# wait_until WHAT COMMAND...: retry COMMAND every second, log every 30 s, give
# up after $timeout seconds.
wait_until() {
  local what=$1 waited=0
  shift
  until "$@"; do
    if ((waited >= timeout)); then
      die "gave up after ${timeout}s waiting for $what"
    fi
    if ((waited % 30 == 0)); then
      log "waiting for $what (${waited}s of ${timeout}s)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# The 6PN address must be past duplicate address detection, or k3s's network
# policy controller can abort with "no IPv6 address found on node".
ipv6_ready() {
  local line
  line=$(ip -6 -o addr show dev eth0 2>/dev/null | grep -F " $FLY_PRIVATE_IP/") || return 1
  [[ $line == *dadfailed* ]] && die "6PN address $FLY_PRIVATE_IP failed duplicate address detection on eth0"
  [[ $line != *tentative* ]]
}

token_present() { [[ -s $token_file ]]; }

# /etc/rancher/node/password identifies this node to the servers; the root
# filesystem is rebuilt at every Fly restart, so keep it on the volume, or the
# node is rejected when it registers again under the same name.
persist_node_identity() {
  local keep
  keep="$(dirname -- "$data_dir")/rancher-node"
  mkdir -p -- "$keep" /etc/rancher
  if [[ -d /etc/rancher/node && ! -L /etc/rancher/node ]]; then
    cp -an /etc/rancher/node/. "$keep/"
    rm -rf /etc/rancher/node
  fi
  ln -sfn -- "$keep" /etc/rancher/node
}

# --- Boot -----------------------------------------------------------------------

check_kernel

# kubelet needs shared mount propagation for volume mounts.
mount --make-rshared / 2>/dev/null || log "warning: mount --make-rshared / failed; continuing"

persist_node_identity

wait_until "6PN address $FLY_PRIVATE_IP on eth0 to become usable" ipv6_ready

if [[ $role == agent || $bootstrap != true ]]; then
  wait_until "the join token in $token_file (written by the provisioner)" token_present
fi

K3S_DATA_DIR=$data_dir K3S_TOKEN_FILE=$token_file \
  "$here/render-config.sh" --out "$config_file"

if [[ -n ${K3S_VERSION:-} ]]; then
  running=$(k3s --version 2>/dev/null | head -n 1 || true)
  if [[ $running != *"$K3S_VERSION"* ]]; then
    log "warning: K3S_VERSION is $K3S_VERSION but the image runs \"${running:-unknown}\""
  fi
fi

# Several of our inputs share names with k3s's own environment bindings
# (K3S_TOKEN_FILE, K3S_DATA_DIR, K3S_CONFIG_FILE). Everything is in the config
# file now; clear them so k3s reads only that (a bootstrap server has no token
# file, and k3s would fail trying to read K3S_TOKEN_FILE).
unset K3S_ROLE K3S_BOOTSTRAP K3S_CLUSTER_NAME K3S_CP_APP K3S_BOOTSTRAP_SERVER \
  K3S_CLUSTER_CIDR K3S_SERVICE_CIDR K3S_CLUSTER_DNS K3S_ZONE K3S_NODE_LABELS \
  K3S_DATA_DIR K3S_TOKEN_FILE K3S_CONFIG_FILE K3S_VERSION K3S_SKIP_KERNEL_CHECK \
  K3S_KERNEL_CONFIG K3S_WAIT_TIMEOUT K3S_ETH0_IPV4 K3S_CGROUP_FSTYPE

log "starting k3s $role with $config_file"
exec k3s "$role" --config "$config_file"
