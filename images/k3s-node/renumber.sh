#!/usr/bin/env bash
# Decide what a booting node does about its 6PN address. Fly host migration can
# change a machine's 6PN address (the host id is part of it), and embedded
# etcd's peer URLs are literal addresses, so a server whose address changed
# cannot rejoin its peers by itself (k3s-io/k3s#5991; k3s only rewrites the
# peer URL during --cluster-reset, k3s-io/k3s#4304).
#
# Usage: renumber.sh decide STORED CURRENT ROLE PEER ETCD_DATA
#
#   STORED     address recorded on the volume at the last boot ("" if none)
#   CURRENT    this boot's 6PN address (FLY_PRIVATE_IP)
#   ROLE       server | agent
#   PEER       healthy | unreachable | unknown: whether another server answers
#              (only asked for when it matters: see check-peer)
#   ETCD_DATA  yes | no: whether <data-dir>/server/db/etcd exists
#
# Prints one action (README.md, "6PN renumbering", has the table):
#   first-boot        no address recorded, no etcd data: record it, start
#   adopt             no address recorded but etcd data exists (a volume from
#                     before this check): record it, start, warn
#   unchanged         same address: start
#   agent-renumbered  agent with a new address: record it, start (node-ip is
#                     rendered anew; the kubelet updates the node object)
#   server-fresh      server with a new address and no etcd data: record it,
#                     start (it joins as a new member)
#   check-peer        server with a new address and etcd data, PEER unknown:
#                     find out whether another server is up, then ask again
#   update-peer-url   ... and a healthy peer: the member's peer URL must be
#                     updated through that peer before this node starts
#   refuse            ... and no healthy peer: do not start
# Exit status: 0, or 64 on bad arguments.
set -euo pipefail

usage_error() {
  echo "renumber: $1" >&2
  echo "usage: renumber.sh decide STORED CURRENT ROLE PEER ETCD_DATA" >&2
  exit 64
}

decide() {
  local stored=${1,,} current=${2,,} role=$3 peer=$4 etcd_data=$5
  [[ -n $current ]] || usage_error "CURRENT must not be empty"
  case "$role" in server | agent) ;; *) usage_error "ROLE must be server or agent (got \"$role\")" ;; esac
  case "$peer" in healthy | unreachable | unknown) ;; *) usage_error "PEER must be healthy, unreachable or unknown (got \"$peer\")" ;; esac
  case "$etcd_data" in yes | no) ;; *) usage_error "ETCD_DATA must be yes or no (got \"$etcd_data\")" ;; esac

  if [[ -z $stored ]]; then
    if [[ $role == server && $etcd_data == yes ]]; then
      echo adopt
    else
      echo first-boot
    fi
  elif [[ $stored == "$current" ]]; then
    echo unchanged
  elif [[ $role == agent ]]; then
    echo agent-renumbered
  elif [[ $etcd_data == no ]]; then
    echo server-fresh
  else
    case "$peer" in
      unknown) echo check-peer ;;
      healthy) echo update-peer-url ;;
      unreachable) echo refuse ;;
    esac
  fi
}

[[ $# -ge 1 ]] || usage_error "missing command"
case "$1" in
  decide)
    [[ $# -eq 6 ]] || usage_error "decide takes 5 arguments (got $(($# - 1)))"
    shift
    decide "$@"
    ;;
  *) usage_error "unknown command \"$1\"" ;;
esac
