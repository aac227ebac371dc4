#!/usr/bin/env bash
# Boot a fly-k3s node: raise resource limits, decide what a changed 6PN
# address means (renumber.sh), check the kernel, wait for the 6PN address and
# the join token, render the k3s config, exec k3s. Inputs are described in
# README.md and render-config.sh.
#
# Every input, who sets it and its default: node-env.sh (generated from
# contract/node-env.ts; never repeat a default here). Besides the render
# inputs this script reads K3S_SKIP_KERNEL_CHECK, K3S_KERNEL_CONFIG,
# K3S_WAIT_TIMEOUT (how long to wait for the address and the token: the join
# step reaches a node only after the bootstrap server is Ready; a node that
# gives up is restarted by its restart policy and waits again),
# K3S_CONFIG_FILE, K3S_STATE_DIR, and the
# test hooks K3S_SYSCTL_DIR, K3S_PEER_PING_URL and K3S_LINK_TYPES. Whether a
# server founds, joins or restarts its member is datastore.sh's table, as are
# the one-shot restore and rejoin of ./k3s.sh --restore (their section below).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)

log() { printf '%s fly-k3s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# shellcheck source=images/k3s-node/node-env.sh disable=SC1091
source "$here/node-env.sh"

role=${K3S_ROLE:-}
bootstrap=$K3S_BOOTSTRAP
data_dir=$K3S_DATA_DIR
token_file=$K3S_TOKEN_FILE
config_file=$K3S_CONFIG_FILE
timeout=$K3S_WAIT_TIMEOUT
state_dir=$K3S_STATE_DIR
sysctl_dir=$K3S_SYSCTL_DIR
peer_ping_url=$K3S_PEER_PING_URL

case "$role" in
  server | agent) ;;
  *) die "K3S_ROLE must be server or agent (got \"$role\")" ;;
esac
[[ $timeout =~ ^[0-9]+$ ]] || die "K3S_WAIT_TIMEOUT must be a number of seconds (got \"$timeout\")"
[[ -n ${FLY_PRIVATE_IP:-} ]] || die "FLY_PRIVATE_IP is not set; this image runs on Fly Machines"

# --- Resource limits ------------------------------------------------------------

# Fly's init starts us with a hard open-file limit of 10240; containerd, the
# kubelet and etcd want far more (k3s's own systemd unit sets LimitNOFILE=1048576).
# The inotify limits are per user and small by default (128 instances), and
# every pod that watches files (kubelet, log tailers, controllers) uses some.
readonly NOFILE_TARGET=1048576
readonly SYSCTL_TARGETS=(
  fs.inotify.max_user_instances=8192
  fs.inotify.max_user_watches=524288
)

raise_limits() {
  local hard file current
  hard=$(ulimit -Hn)
  if [[ $hard != unlimited ]] && ((hard < NOFILE_TARGET)); then
    if ulimit -Hn "$NOFILE_TARGET" 2>/dev/null; then
      hard=$NOFILE_TARGET
    else
      log "warning: cannot raise the hard open-file limit above $hard (needs CAP_SYS_RESOURCE)"
    fi
  fi
  ulimit -Sn "$hard" 2>/dev/null || log "warning: cannot raise the open-file limit to $hard"
  log "open-file limit: $(ulimit -Sn) (hard $(ulimit -Hn))"

  # Only ever raise: a higher value set by the host stays.
  local entry name target
  for entry in "${SYSCTL_TARGETS[@]}"; do
    name=${entry%%=*}
    target=${entry#*=}
    file="$sysctl_dir/${name//.//}"
    if ! current=$(cat -- "$file" 2>/dev/null) || [[ ! $current =~ ^[0-9]+$ ]]; then
      log "warning: cannot read $file; leaving $name alone"
      continue
    fi
    if ((current < target)); then
      if echo "$target" 2>/dev/null >"$file"; then
        log "$name: $current -> $target"
      else
        log "warning: cannot raise $name from $current to $target"
      fi
    fi
  done
}

# --- 6PN renumbering --------------------------------------------------------------

address_file="$state_dir/last-address"

record_address() {
  local tmp
  mkdir -p -- "$state_dir"
  tmp=$(mktemp "$state_dir/.last-address.XXXXXX")
  printf '%s\n' "$FLY_PRIVATE_IP" >"$tmp"
  mv -f -- "$tmp" "$address_file"
}

peer_state() {
  local answer
  answer=$(curl -fsk --max-time 5 -- "$peer_ping_url" 2>/dev/null) || answer=""
  if [[ $answer == pong ]]; then echo healthy; else echo unreachable; fi
}

check_renumbering() {
  local stored="" etcd_data=no action etcd_flags
  [[ -r $address_file ]] && stored=$(head -n 1 -- "$address_file")
  # A restore replaces the member: k3s's cluster-reset rewrites its peer URL.
  [[ $role == server && -d $data_dir/server/db/etcd && $(instruction) != restore ]] && etcd_data=yes
  action=$("$here/renumber.sh" decide "$stored" "$FLY_PRIVATE_IP" "$role" unknown "$etcd_data")
  if [[ $action == check-peer ]]; then
    action=$("$here/renumber.sh" decide "$stored" "$FLY_PRIVATE_IP" "$role" "$(peer_state)" "$etcd_data")
  fi
  etcd_flags="--endpoints=https://127.0.0.1:2379 --cacert=$data_dir/server/tls/etcd/server-ca.crt --cert=$data_dir/server/tls/etcd/client.crt --key=$data_dir/server/tls/etcd/client.key"
  case "$action" in
    first-boot)
      log "6PN address $FLY_PRIVATE_IP: first boot; recording it in $address_file"
      record_address
      ;;
    adopt)
      log "warning: no 6PN address recorded in $address_file, but etcd data exists;" \
        "recording $FLY_PRIVATE_IP as the address etcd knows (if this server was renumbered" \
        "before, it cannot reach its peers: see README.md, 6PN renumbering)"
      record_address
      ;;
    unchanged) log "6PN address $FLY_PRIVATE_IP unchanged" ;;
    agent-renumbered | server-fresh)
      log "6PN address changed from $stored to $FLY_PRIVATE_IP ($action); recording it"
      record_address
      ;;
    update-peer-url)
      die "6PN address changed from $stored to $FLY_PRIVATE_IP, and this server's etcd member" \
        "still advertises https://[$stored]:2380. Another server is up: update the member" \
        "there before starting this one (k3s does not bundle etcdctl; install it on that server):" \
        "etcdctl $etcd_flags member list   # the member whose peer URL is https://[$stored]:2380;" \
        "etcdctl $etcd_flags member update <member-id> --peer-urls=https://[$FLY_PRIVATE_IP]:2380;" \
        "then, on this machine, echo $FLY_PRIVATE_IP > $address_file and restart it." \
        "Refusing to start k3s."
      ;;
    refuse)
      die "6PN address changed from $stored to $FLY_PRIVATE_IP, this server holds etcd data, and no" \
        "other server answers at $peer_ping_url, so its etcd member (peer URL https://[$stored]:2380)" \
        "cannot rejoin. If other servers are coming back, the restart policy retries. If this is" \
        "the last server, run k3s server --cluster-reset on it (k3s rewrites the peer URL during a" \
        "reset), then echo $FLY_PRIVATE_IP > $address_file and restart. Refusing to start k3s."
      ;;
    *) die "renumber.sh gave an unknown action \"$action\"" ;;
  esac
}

# --- 1. Kernel ------------------------------------------------------------------

check_kernel() {
  if [[ $K3S_SKIP_KERNEL_CHECK == 1 ]]; then
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

# How k3s will start (datastore.sh): found, join, restart its member, or wait
# for the deploy's decision or the join token.
datastore_action() {
  local wal=no token=no decision=none
  [[ $role == server && -d $data_dir/server/db/etcd/member/wal ]] && wal=yes
  [[ -s $token_file ]] && token=yes
  if [[ -s $K3S_DECISION_FILE ]]; then read -r decision _ <"$K3S_DECISION_FILE" || true; fi
  [[ $decision == found || $decision == join ]] || decision=none
  "$here/datastore.sh" decide "$role" "$bootstrap" "$wal" "$decision" "$token" "$(instruction)"
}
datastore_ready() { [[ $(datastore_action) != wait-* ]]; }

# --- Pod network backend ------------------------------------------------------------

# Whether this kernel can create a link of TYPE: a kernel config may be
# unreadable or lie about modules, so try it (and remove it again).
can_create_link() {
  local type=$1 probe=fk3s-probe0
  if [[ -n ${K3S_LINK_TYPES+set} ]]; then
    [[ " $K3S_LINK_TYPES " == *" $type "* ]]
    return
  fi
  local args=(type "$type")
  [[ $type == vxlan ]] && args+=(id 4242 dstport 4789)
  ip link add "$probe" "${args[@]}" 2>/dev/null || return 1
  ip link del "$probe" 2>/dev/null || true
}

check_backend() {
  local backend=$K3S_FLANNEL_BACKEND device
  case "$backend" in
    wireguard) device=wireguard ;;
    vxlan) device=vxlan ;;
    *) die "K3S_FLANNEL_BACKEND must be wireguard or vxlan (got \"$backend\")" ;;
  esac
  if can_create_link "$device"; then
    log "pod network: flannel $backend (this kernel can create a $device device)"
    return 0
  fi
  if [[ $backend == wireguard ]]; then
    die "refusing to start k3s: FLANNEL_BACKEND is wireguard, but this kernel cannot create a" \
      "WireGuard device (ip link add ... type wireguard failed: no CONFIG_WIREGUARD). Every node" \
      "must use the same backend: set FLANNEL_BACKEND=vxlan in clusters/<name>/config and deploy" \
      "again (IPv6 pod traffic then crosses nodes over VXLAN on 6PN; IPv4 pod traffic stays" \
      "within a node, plus egress)"
  fi
  die "refusing to start k3s: this kernel cannot create a VXLAN device (no CONFIG_VXLAN), so" \
    "flannel has no backend here; set FLANNEL_BACKEND=wireguard if the kernel has WireGuard"
}

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

# --- One-shot instructions of ./k3s.sh --restore (datastore.sh; README.md) -------

restore_file="$state_dir/restore"
rejoin_file="$state_dir/rejoin"

# What ./k3s.sh --restore left for this server's boot: restore, rejoin or none.
instruction() {
  if [[ $role == server && -e $restore_file ]]; then
    echo restore
  elif [[ $role == server && -e $rejoin_file ]]; then
    echo rejoin
  else
    echo none
  fi
}

# rejoin: back up and clear this server's etcd data, as k3s asks after a
# restore ("Backup and delete ${datadir}/server/db on each peer etcd server and
# rejoin the nodes"), keeping its local snapshots; then without a WAL it joins
# the restored server as a new member.
follow_rejoin() {
  [[ $(instruction) == rejoin ]] || return 0
  local db=$data_dir/server/db backup=$data_dir/server/db.before-restore
  if [[ -d $db ]]; then
    rm -rf -- "$backup"
    mv -- "$db" "$backup"
    if [[ -d $backup/snapshots ]]; then
      mkdir -p -- "$db"
      mv -- "$backup/snapshots" "$db/snapshots"
    fi
    log "rejoin ($rejoin_file, from ./k3s.sh --restore): etcd data moved to $backup" \
      "(local snapshots kept); this server joins the restored cluster as a new member"
  else
    log "rejoin ($rejoin_file, from ./k3s.sh --restore): no etcd data here; joining the restored cluster"
  fi
  rm -f -- "$rejoin_file"
}

# restore: run k3s once with the reset lines render-config.sh wrote; k3s exits
# 0 once etcd runs restored as a one-member cluster. Then the instruction goes
# and the config is rendered again (member). A failed restore keeps the
# instruction as restore.failed (./k3s.sh --restore reports it) and stops.
follow_restore() {
  [[ $(instruction) == restore ]] || return 0
  local snapshot="" rc=0
  IFS= read -r snapshot <"$restore_file" || true
  log "restoring etcd from snapshot $snapshot ($restore_file, from ./k3s.sh --restore):" \
    "k3s runs once with cluster-reset and exits"
  (
    unset "${NODE_ENV_NAMES[@]}"
    exec k3s server --config "$config_file"
  ) || rc=$?
  if ((rc != 0)); then
    mv -f -- "$restore_file" "$restore_file.failed"
    die "the restore from $snapshot failed: k3s exited $rc (its log is above); the instruction" \
      "is kept as $restore_file.failed, and the next boot starts k3s without it"
  fi
  rm -f -- "$restore_file" "$restore_file.failed"
  log "etcd restored from $snapshot: this server is its only member; starting k3s normally"
  K3S_DATA_DIR=$data_dir K3S_TOKEN_FILE=$token_file K3S_STATE_DIR=$state_dir \
    "$here/render-config.sh" --out "$config_file"
}

# --- Boot -----------------------------------------------------------------------

raise_limits
follow_rejoin
check_renumbering
check_kernel
check_backend

# kubelet needs shared mount propagation for volume mounts.
mount --make-rshared / 2>/dev/null || log "warning: mount --make-rshared / failed; continuing"

persist_node_identity

wait_until "6PN address $FLY_PRIVATE_IP on eth0 to become usable" ipv6_ready

action=$(datastore_action)
case "$action" in
  wait-decision)
    log "no etcd data on this volume: waiting for the deploy to say whether this cluster" \
      "ever formed (found, or join a running server; $K3S_DECISION_FILE); never founding a" \
      "second cluster by itself"
    ;;
  wait-token) log "waiting for the join token in $token_file (written by the deploy's join step)" ;;
esac
wait_until "the deploy's decision or the join token (datastore.sh: $action)" datastore_ready
log "datastore: $(datastore_action)"

K3S_DATA_DIR=$data_dir K3S_TOKEN_FILE=$token_file K3S_STATE_DIR=$state_dir \
  "$here/render-config.sh" --out "$config_file"
follow_restore

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
unset "${NODE_ENV_NAMES[@]}"

log "starting k3s $role with $config_file"
exec k3s "$role" --config "$config_file"
