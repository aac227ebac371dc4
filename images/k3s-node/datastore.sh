#!/usr/bin/env bash
# Decide how a booting node starts k3s: whether a server founds the cluster,
# joins it, restarts the etcd member it already has, or follows a one-shot
# instruction of ./k3s.sh --restore. Pure: every input is an argument.
#
# Usage: datastore.sh decide ROLE BOOTSTRAP WAL DECISION TOKEN [INSTRUCTION]
#
#   ROLE       server | agent
#   BOOTSTRAP  true | false (K3S_BOOTSTRAP: the server the stack names to found
#              the cluster)
#   WAL        yes | no: whether <data-dir>/server/db/etcd/member/wal exists.
#              k3s decides by this directory, not by server/db: with a WAL it
#              restarts its etcd member and ignores cluster-init and server;
#              without one and with neither set it falls back to SQLite.
#   DECISION   found | join | none: what the deploy wrote onto this server's
#              volume (K3S_DECISION_FILE) after asking the other servers
#              whether the cluster ever formed (ops/bootstrap.ts); only read on
#              a bootstrap server without a WAL
#   TOKEN      yes | no: whether the join token file is non-empty
#   INSTRUCTION restore | rejoin | none (default none): the one-shot
#              instruction ./k3s.sh --restore (ops/restore.ts) left in this
#              server's state dir: `restore` (<state dir>/restore names the
#              etcd snapshot) on the server that restores it, `rejoin`
#              (<state dir>/rejoin) on every other server. Only servers get
#              one; it overrides everything else, the WAL included
#
# Prints one action (images/k3s-node/README.md, "Founding, joining,
# restarting", has the table):
#   agent          render the agent config (server URL and token file)
#   member         a server with etcd data of its own: neither cluster-init
#                  nor server; k3s restarts its member
#   found          the bootstrap server of a cluster that never formed:
#                  cluster-init
#   join           a server without etcd data: server URL and token file; it
#                  joins as a new etcd member
#   wait-decision  a bootstrap server without etcd data the deploy has not
#                  decided about yet: never found a second cluster by itself
#   wait-token     join (or agent) without the token yet
#   restore        cluster-reset from the snapshot: k3s restores etcd as a
#                  one-member cluster and exits; the entrypoint removes the
#                  instruction and starts k3s again (then: member)
#   rejoin         the entrypoint moves this server's etcd data aside and
#                  removes the instruction, then decides again (no WAL: join)
# Exit status: 0, or 64 on bad arguments.
set -euo pipefail

usage_error() {
  echo "datastore: $1" >&2
  echo "usage: datastore.sh decide ROLE BOOTSTRAP WAL DECISION TOKEN [INSTRUCTION]" >&2
  exit 64
}

one_of() {
  local name=$1 value=$2
  shift 2
  local allowed
  for allowed in "$@"; do [[ $value == "$allowed" ]] && return 0; done
  usage_error "$name must be one of $* (got \"$value\")"
}

decide() {
  local role=$1 bootstrap=$2 wal=$3 decision=$4 token=$5 instruction=${6:-none}
  one_of ROLE "$role" server agent
  one_of BOOTSTRAP "$bootstrap" true false
  one_of WAL "$wal" yes no
  one_of DECISION "$decision" found join none
  one_of TOKEN "$token" yes no
  one_of INSTRUCTION "$instruction" restore rejoin none
  [[ $role == agent && $bootstrap == true ]] && usage_error "BOOTSTRAP=true needs ROLE=server"
  [[ $role == agent && $instruction != none ]] && usage_error "INSTRUCTION=$instruction needs ROLE=server"

  if [[ $role == agent ]]; then
    [[ $token == yes ]] && echo agent || echo wait-token
  elif [[ $instruction != none ]]; then
    echo "$instruction"
  elif [[ $wal == yes ]]; then
    echo member
  elif [[ $bootstrap == false ]]; then
    [[ $token == yes ]] && echo join || echo wait-token
  else
    case "$decision" in
      found) echo found ;;
      join) [[ $token == yes ]] && echo join || echo wait-token ;;
      none) echo wait-decision ;;
    esac
  fi
}

[[ $# -ge 1 ]] || usage_error "missing command"
case "$1" in
  decide)
    [[ $# -eq 6 || $# -eq 7 ]] || usage_error "decide takes 5 or 6 arguments (got $(($# - 1)))"
    shift
    decide "$@"
    ;;
  *) usage_error "unknown command \"$1\"" ;;
esac
