#!/usr/bin/env bash
# Render the k3s config.yaml of a fly-k3s node from its machine environment.
#
# Usage: render-config.sh [--out FILE]
#
#   --out FILE  where to write (default: $K3S_CONFIG_FILE). The file is
#               replaced atomically.
#               The flannel net-conf is written next to it
#               (flannel-net-conf.json). A copy of each rendered config is kept
#               on the volume, in $K3S_STATE_DIR: config.yaml.last, and when
#               the content changes since the last boot the one before it as
#               config.yaml.prev (Fly rebuilds the root filesystem at every
#               boot, so a .prev next to FILE would never survive).
#
# Environment: the K3S_* variables, who sets them and their defaults are in
# node-env.sh (generated from contract/node-env.ts; never repeat a default
# here). Read here: K3S_ROLE, K3S_BOOTSTRAP, K3S_CLUSTER_NAME, K3S_VERSION,
# K3S_CP_APP, K3S_BOOTSTRAP_SERVER, K3S_CLUSTER_CIDR, K3S_SERVICE_CIDR,
# K3S_CLUSTER_DNS, K3S_ZONE, K3S_NODE_LABELS, K3S_DATA_DIR, K3S_TOKEN_FILE,
# K3S_STATE_DIR, K3S_CONFIG_FILE, K3S_FLANNEL_BACKEND, K3S_DECISION_FILE, and
# the test hooks K3S_ETH0_IPV4 (eth0's IPv4 instead of asking `ip`; set and
# empty means none), K3S_ETH0_MTU and K3S_CGROUP_FSTYPE. How the server
# starts (found, join, restart its member) comes from datastore.sh. Set by Fly: FLY_PRIVATE_IP (6PN IPv6, first node-ip),
# FLY_MACHINE_ID, FLY_APP_NAME, FLY_REGION.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=images/k3s-node/node-env.sh disable=SC1091
source "$here/node-env.sh"

log() { echo "render-config: $*" >&2; }
fail() {
  log "$*"
  exit 1
}

out=$K3S_CONFIG_FILE
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out)
      [[ $# -ge 2 ]] || fail "--out needs a file"
      out=$2
      shift 2
      ;;
    --out=*)
      out=${1#*=}
      shift
      ;;
    *) fail "unknown argument \"$1\"; usage: render-config.sh [--out FILE]" ;;
  esac
done

# --- Inputs and validation ------------------------------------------------------

require() {
  local name=$1 hint=$2
  [[ -n ${!name:-} ]] || fail "$name is not set; $hint"
}

require K3S_ROLE "set it to server or agent"
require K3S_CP_APP "set it to the control-plane app name (<cluster>-cp)"
require FLY_PRIVATE_IP "Fly sets it to the machine's 6PN IPv6 address"
require FLY_MACHINE_ID "Fly sets it to the machine id"
require FLY_APP_NAME "Fly sets it to the app name"

role=${K3S_ROLE:-}
case "$role" in
  server | agent) ;;
  *) fail "K3S_ROLE must be server or agent (got \"$role\")" ;;
esac

bootstrap=0
case "$K3S_BOOTSTRAP" in
  true) bootstrap=1 ;;
  false | "") ;;
  *) fail "K3S_BOOTSTRAP must be \"true\" or \"false\" (got \"$K3S_BOOTSTRAP\")" ;;
esac
if [[ $bootstrap -eq 1 && $role != server ]]; then
  fail "K3S_BOOTSTRAP=true is only valid with K3S_ROLE=server (got K3S_ROLE=$role)"
fi

data_dir=$K3S_DATA_DIR
token_file=$K3S_TOKEN_FILE
state_dir=$K3S_STATE_DIR

# flannel backend (K3S_FLANNEL_BACKEND, config FLANNEL_BACKEND; README.md,
# "Pod network"). Every node renders the same net-conf, because k3s hands a
# --flannel-conf file to flannel as it is (pkg/agent/flannel/setup.go). Fly
# links machines over IPv6 only (6PN).
# - wireguard: Mode "ipv6" builds one device, flannel-wg, listening on
#   ListenPort, whose peers carry both of a node's pod subnets, dialled over
#   IPv6: IPv4 and IPv6 pod traffic ride one tunnel. Since flannel v0.26.6
#   (commit 35249c25, "Use peer's wireguard port") a peer is dialled at the
#   IPv6 port its lease advertises, ListenPortV6 (default 51821), while the
#   ipv6-mode device listens on ListenPort (default 51820): flannel v0.28.4
#   (k3s v1.36) pkg/backend/wireguard/wireguard.go:123-124,158,167 and
#   wireguard_network.go:172-179,226. Both are set to one port here.
# - vxlan: one device per family (pkg/backend/vxlan/vxlan.go); the IPv6 one
#   tunnels over 6PN, the IPv4 one over eth0's IPv4, which Fly does not route
#   between machines: IPv4 pod traffic stays within a node (and egress).
#   Over an IPv6 underlay VXLAN costs 70 bytes, and flannel's vxlan devices
#   take Backend.MTU (vxlan.go:171,206,234), so MTU = eth0's MTU - 70.
readonly FLANNEL_WG_PORT=51820 FLANNEL_WG_KEEPALIVE=25 VXLAN_IPV6_OVERHEAD=70
require K3S_FLANNEL_BACKEND "set it to wireguard or vxlan (config FLANNEL_BACKEND)"
flannel_backend=$K3S_FLANNEL_BACKEND
case "$flannel_backend" in
  wireguard | vxlan) ;;
  *) fail "K3S_FLANNEL_BACKEND must be wireguard or vxlan (got \"$flannel_backend\")" ;;
esac
eth0_mtu=${K3S_ETH0_MTU:-$(cat /sys/class/net/eth0/mtu 2>/dev/null || true)}
[[ $eth0_mtu =~ ^[0-9]+$ ]] || fail "cannot read eth0's MTU (got \"$eth0_mtu\")"

ipv6=$FLY_PRIVATE_IP
if [[ ! $ipv6 =~ ^[0-9A-Fa-f:]+$ || $ipv6 != *:* ]]; then
  fail "FLY_PRIVATE_IP must be the machine's 6PN IPv6 address (got \"$ipv6\")"
fi

if [[ -n ${K3S_ETH0_IPV4+set} ]]; then
  ipv4=$K3S_ETH0_IPV4
else
  ipv4=$(ip -4 -o addr show dev eth0 scope global 2>/dev/null |
    awk 'NR == 1 { split($4, a, "/"); print a[1] }') || ipv4=""
fi
if [[ -n $ipv4 && ! $ipv4 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
  fail "eth0 IPv4 address \"$ipv4\" is not an IPv4 address"
fi

cgroup_fstype=${K3S_CGROUP_FSTYPE:-$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo unknown)}

# Every range list must put IPv6 first: the first entry sets the primary family,
# and node-ip, cluster-cidr and service-cidr must agree.
ipv6_first() {
  local name=$1 value=$2 first
  first=${value%%,*}
  if [[ $first != *:* ]]; then
    fail "$name: the IPv6 range must come first for an IPv6-first cluster (got \"$value\")"
  fi
}

require K3S_CLUSTER_CIDR "every node needs the pod ranges for flannel (config CLUSTER_CIDR)"
ipv6_first K3S_CLUSTER_CIDR "$K3S_CLUSTER_CIDR"
IFS=, read -r pod_range_v6 pod_range_v4 pod_range_extra <<<"$K3S_CLUSTER_CIDR"
if [[ -n $pod_range_extra || $pod_range_v6 != */* || (-n $pod_range_v4 && ($pod_range_v4 == *:* || $pod_range_v4 != */*)) ]]; then
  fail "K3S_CLUSTER_CIDR must be an IPv6 range, optionally followed by an IPv4 range (got \"$K3S_CLUSTER_CIDR\")"
fi

if [[ $role == server ]]; then
  require K3S_SERVICE_CIDR "servers need the service ranges (config SERVICE_CIDR)"
  require K3S_CLUSTER_DNS "servers need the cluster DNS address (config CLUSTER_DNS)"
  ipv6_first K3S_SERVICE_CIDR "$K3S_SERVICE_CIDR"
  if [[ $K3S_CLUSTER_DNS != *:* || $K3S_CLUSTER_DNS == *,* ]]; then
    fail "K3S_CLUSTER_DNS must be one IPv6 address inside the first service range (got \"$K3S_CLUSTER_DNS\")"
  fi
  if [[ -z $ipv4 && $K3S_CLUSTER_CIDR == *,* ]]; then
    log "warning: eth0 has no IPv4 address, but K3S_CLUSTER_CIDR is dual-stack;" \
      "k3s will refuse a single-family node-ip"
  fi
fi

labels=()
[[ -n ${FLY_REGION:-} ]] && labels+=("topology.kubernetes.io/region=$FLY_REGION")
[[ -n ${K3S_ZONE:-} ]] && labels+=("topology.kubernetes.io/zone=$K3S_ZONE")
if [[ -n ${K3S_NODE_LABELS:-} ]]; then
  IFS=, read -r -a extra_labels <<<"$K3S_NODE_LABELS"
  for label in "${extra_labels[@]}"; do
    [[ -z $label ]] && continue
    if [[ ! $label =~ ^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?=([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?$ ]]; then
      fail "K3S_NODE_LABELS: \"$label\" is not a key=value node label"
    fi
    labels+=("$label")
  done
fi

# Bracket literal IPv6 addresses, add the default port, accept full URLs.
server_url() {
  local target=$1
  case "$target" in
    *://*) echo "$target" ;;
    \[*) [[ $target == *\]:* ]] && echo "https://$target" || echo "https://$target:$K3S_API_PORT" ;;
    *:*:*) echo "https://[$target]:$K3S_API_PORT" ;;
    *:*) echo "https://$target" ;;
    *) echo "https://$target:$K3S_API_PORT" ;;
  esac
}

# --- One-shot instructions of ./k3s.sh --restore (ops/restore.ts; README.md) ---
# <state dir>/restore names the etcd snapshot this server restores, as k3s's
# cluster-reset-restore-path takes it: a name (k3s fetches it from S3 with the
# etcd-s3 settings) or the absolute path of a file on this volume.
# <state dir>/rejoin: the entrypoint moves this server's etcd data aside and
# removes it before rendering, so it is never rendered.
restore_file="$state_dir/restore"
instruction=none restore_path=""
if [[ $role == server && -e $restore_file ]]; then
  instruction=restore
  IFS= read -r restore_path <"$restore_file" || true
  if [[ ! $restore_path =~ ^((/[A-Za-z0-9._-]+)+|[A-Za-z0-9._-]+)$ || /$restore_path/ == */../* ]]; then
    fail "$restore_file holds \"$restore_path\"; expected an etcd snapshot name, or the absolute path of a snapshot file on this volume"
  fi
elif [[ $role == server && -e $state_dir/rejoin ]]; then
  instruction=rejoin
fi

# The reset lines, last: k3s's config reader lets a later key replace an
# earlier one (pkg/configfilearg/parser.go), so etcd-s3: false wins over any
# S3 settings above. k3s restores, prints "Managed etcd cluster membership has
# been reset, restart without --cluster-reset flag now" and exits 0; the
# entrypoint then removes the instruction and renders again.
render_restore() {
  echo "# one-shot restore ($restore_file, ./k3s.sh --restore): k3s restores and exits"
  flag cluster-reset true
  scalar cluster-reset-restore-path "$restore_path"
  # A file on the volume: not looked up in S3, even when S3 is configured (k3s docs).
  if [[ $restore_path == /* ]]; then flag etcd-s3 false; fi
}

# How k3s starts: found, join, restart its member (datastore.sh, one table).
wal=no token=no decision=none join_url=""
[[ $role == server && -d $data_dir/server/db/etcd/member/wal ]] && wal=yes
[[ -s $token_file ]] && token=yes
if [[ -s $K3S_DECISION_FILE ]]; then
  read -r decision join_url <"$K3S_DECISION_FILE" || true
  case "$decision" in
    found | join) ;;
    *) fail "$K3S_DECISION_FILE holds \"$decision\"; expected \"found\" or \"join <server URL>\"" ;;
  esac
fi
action=$("$here/datastore.sh" decide "$role" "$([[ $bootstrap -eq 1 ]] && echo true || echo false)" \
  "$wal" "$decision" "$token" "$instruction")
case "$action" in
  wait-decision) fail "no etcd data and no decision from the deploy in $K3S_DECISION_FILE: nothing to render yet" ;;
  wait-token) fail "no join token in $token_file yet: nothing to render yet" ;;
  rejoin) fail "$state_dir/rejoin: the entrypoint moves this server's etcd data aside first; nothing to render yet" ;;
  join)
    if [[ $bootstrap -eq 1 ]]; then
      [[ -n $join_url ]] || fail "$K3S_DECISION_FILE says join but names no server URL"
    else
      require K3S_BOOTSTRAP_SERVER "joining servers need the address of the server to join"
      join_url=$K3S_BOOTSTRAP_SERVER
    fi
    ;;
esac

node_name=$K3S_NODE_NAME
out_dir=$(dirname -- "$out")
flannel_conf="$out_dir/flannel-net-conf.json"

# The etcd snapshot settings (render_snapshots, record_s3_keys).
# shellcheck source=images/k3s-node/render-snapshots.sh disable=SC1091
source "$here/render-snapshots.sh"

# --- YAML helpers (every scalar is double-quoted) -------------------------------

quote() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}
scalar() { printf '%s: %s\n' "$1" "$(quote "$2")"; }
flag() { printf '%s: %s\n' "$1" "$2"; }
list() {
  local key=$1 item
  shift
  [[ $# -eq 0 ]] && return 0
  printf '%s:\n' "$key"
  for item in "$@"; do
    printf '  - %s\n' "$(quote "$item")"
  done
}

# --- Render ---------------------------------------------------------------------

render() {
  local kind=$role
  [[ $bootstrap -eq 1 ]] && kind="server (bootstrap)"
  echo "# Written by fly-k3s render-config.sh at every boot; edits are overwritten."
  echo "# cluster: ${K3S_CLUSTER_NAME:-unknown}, role: $kind, k3s: ${K3S_VERSION:-unknown}"
  scalar data-dir "$data_dir"
  scalar node-name "$node_name"
  if [[ -n $ipv4 ]]; then
    scalar node-ip "$ipv6,$ipv4"
  else
    scalar node-ip "$ipv6"
  fi
  list node-label "${labels[@]}"
  scalar flannel-iface eth0
  scalar flannel-conf "$flannel_conf"
  if [[ $cgroup_fstype != cgroup2fs ]]; then
    list kubelet-arg "fail-cgroupv1=false"
  fi
  list kube-proxy-arg "conntrack-max-per-core=0"

  if [[ $action == agent ]]; then
    scalar server "$K3S_SERVER_URL"
    scalar token-file "$token_file"
    return 0
  fi

  scalar cluster-cidr "$K3S_CLUSTER_CIDR"
  scalar service-cidr "$K3S_SERVICE_CIDR"
  scalar cluster-dns "$K3S_CLUSTER_DNS"
  if [[ $flannel_backend == wireguard ]]; then
    scalar flannel-backend wireguard-native
  else
    scalar flannel-backend vxlan
  fi
  flag flannel-ipv6-masq true
  list tls-san "$K3S_CP_HOST" "$node_name"
  list disable traefik servicelb metrics-server
  render_snapshots

  echo "# datastore: $action (datastore.sh)"
  case "$action" in
    found) flag cluster-init true ;;
    join) scalar server "$(server_url "$join_url")" ;;
  esac
  # k3s writes the token on the founding server; a joined one has it in the file.
  if [[ -s $token_file ]]; then
    scalar token-file "$token_file"
  fi
  if [[ $action == restore ]]; then render_restore; fi
}

# --- flannel net-conf ----------------------------------------------------------

# k3s uses a --flannel-conf file as it is (FlannelConfOverride in k3s's
# pkg/agent/flannel/setup.go), so this is the whole net-conf: for wireguard
# the keys k3s would generate for wireguard-native (keepalive 25) plus the
# Mode and the one port; for vxlan the MTU for an IPv6 underlay.
render_flannel_conf() {
  local ipv4_enabled=false
  [[ -n $pod_range_v4 ]] && ipv4_enabled=true
  echo "{"
  [[ -n $pod_range_v4 ]] && printf '  "Network": "%s",\n' "$pod_range_v4"
  printf '  "EnableIPv4": %s,\n' "$ipv4_enabled"
  printf '  "EnableIPv6": true,\n'
  printf '  "IPv6Network": "%s",\n' "$pod_range_v6"
  if [[ $flannel_backend == wireguard ]]; then
    printf '  "Backend": {\n    "Type": "wireguard",\n    "Mode": "ipv6",\n'
    printf '    "ListenPort": %d,\n    "ListenPortV6": %d,\n' "$FLANNEL_WG_PORT" "$FLANNEL_WG_PORT"
    printf '    "PersistentKeepaliveInterval": %d\n  }\n' "$FLANNEL_WG_KEEPALIVE"
  else
    printf '  "Backend": {\n    "Type": "vxlan",\n    "MTU": %d\n  }\n' \
      "$((eth0_mtu - VXLAN_IPV6_OVERHEAD))"
  fi
  echo "}"
}

# --- Write atomically; keep the history on the volume ---------------------------

# install_file TMP DEST: move TMP over DEST unless they are equal.
install_file() {
  if [[ -e $2 ]] && cmp -s -- "$1" "$2"; then
    rm -f -- "$1"
  else
    mv -f -- "$1" "$2"
  fi
}

mkdir -p -- "$out_dir" "$state_dir"
tmp=$(mktemp "$out_dir/.config.yaml.XXXXXX")
tmp_flannel=$(mktemp "$out_dir/.flannel-net-conf.json.XXXXXX")
tmp_last=$(mktemp "$state_dir/.config.yaml.last.XXXXXX")
trap 'rm -f -- "$tmp" "$tmp_flannel" "$tmp_last"' EXIT
render >"$tmp"
render_flannel_conf >"$tmp_flannel"
chmod 0600 "$tmp" "$tmp_flannel"
cp -p -- "$tmp" "$tmp_last"

last="$state_dir/config.yaml.last"
if [[ -e $last ]] && cmp -s -- "$tmp" "$last"; then
  log "$out unchanged since the last boot"
elif [[ -e $last ]]; then
  cp -p -- "$last" "$state_dir/config.yaml.prev"
  log "$out changed since the last boot; the previous version is kept in $state_dir/config.yaml.prev"
else
  log "$out written"
fi
install_file "$tmp_last" "$last"
install_file "$tmp_flannel" "$flannel_conf"
install_file "$tmp" "$out"
if [[ -n $s3_bucket ]]; then record_s3_keys; fi
