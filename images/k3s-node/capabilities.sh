#!/bin/sh
# What this machine can run, as facts, one per line on stdout:
#   KEY<TAB>FIELD<TAB>FIELD...   (no field holds a TAB or a newline)
# It decides nothing: cli/probe/decide.ts says what each fact means for a node.
#
# `./k3s.sh --probe` (cli/probe/) sends it through the Machines API exec
# endpoint to a throwaway machine as `sh -s -- CP_HOST SELF_HOST`, the script
# on stdin, with one line put in front of it at run time:
#   probe_options='CONFIG_A CONFIG_B ...'
# the option names of kernel/k3s-fly.config (the one list of kernel options;
# never copied here). CP_HOST and SELF_HOST are the names to resolve: the
# control plane's `.internal` name and the probe app's own (the control).
#
# POSIX sh only (dash, busybox ash): every tool it calls may be absent, and a
# fact it cannot get is reported as such, never guessed. Not `set -e`: every
# check may fail, and a failure is a fact too.
#
# Lines, in this order:
#   kernel.release   RELEASE
#   kernel.config    read|unreadable|none PATH
#   kernel.modules   VALUE                      (CONFIG_MODULES; with a config)
#   option           CONFIG_NAME VALUE          (VALUE empty: not set; with a config)
#   link             wireguard|vxlan created|failed|untried MESSAGE
#   tool             ipset|iptables-legacy|ip6tables-legacy|iptables-nft ok|failed|absent MESSAGE
#   cgroup.fstype    TYPE                       (of /sys/fs/cgroup)
#   cgroup.controllers LIST                     (cgroup v2: cgroup.controllers)
#   cgroup.dirs      LIST                       (otherwise: the hierarchies mounted)
#   eth0.mtu         MTU
#   eth0.addr        inet|inet6 ADDRESS/PREFIX SCOPE FLAGS
#   fly.private_ip   ADDRESS                    (FLY_PRIVATE_IP; empty when unset)
#   dns              NAME AAAA|A getent|nslookup|none ANSWERS   (space-separated)
#   nofile.hard      LIMIT                      (hard open-file limit, /proc/self/limits)
#   end              ok
set -u

cp_host=${1:-}
self_host=${2:-}
: "${probe_options:?probe_options is not set: the sender puts the option names of kernel/k3s-fly.config in front of this script}"

tab=$(printf '\t')
link_name=fk3s-probe0
config_copy=$(mktemp 2>/dev/null || echo "/tmp/fk3s-probe.$$")
trap 'rm -f "$config_copy"; ip link del "$link_name" >/dev/null 2>&1' EXIT

# emit KEY FIELD...: one line, fields joined by TABs.
emit() {
  line=$1
  shift
  for field in "$@"; do line="$line$tab$field"; done
  printf '%s\n' "$line"
}

# oneline TEXT: TEXT with TABs and newlines made spaces, trailing ones dropped.
oneline() {
  printf '%s' "$1" | tr '\t\n' '  ' | sed 's/ *$//'
}

have() { command -v "$1" >/dev/null 2>&1; }

# --- Kernel ---------------------------------------------------------------------

emit kernel.release "$(uname -r 2>/dev/null)"

config_state=none
config_path=""
for candidate in /proc/config.gz "/boot/config-$(uname -r 2>/dev/null)"; do
  [ -e "$candidate" ] || continue
  config_path=$candidate
  config_state=unreadable
  if { gzip -dc <"$candidate" || cat <"$candidate"; } 2>/dev/null >"$config_copy" &&
    grep -q '^CONFIG_' "$config_copy" 2>/dev/null; then
    config_state="read"
    break
  fi
done
emit kernel.config "$config_state" "$config_path"

if [ "$config_state" = read ]; then
  emit kernel.modules "$(sed -n 's/^CONFIG_MODULES=//p' "$config_copy" | head -n 1)"
  for name in $probe_options; do
    emit option "$name" "$(sed -n "s/^$name=//p" "$config_copy" | head -n 1)"
  done
fi

# --- Pod network devices (created, then removed) --------------------------------

# try_link TYPE ARG...: whether `ip link add` can create a device of TYPE.
try_link() {
  kind=$1
  shift
  if ! have ip; then
    emit link "$kind" untried "no ip command in this image"
    return
  fi
  ip link del "$link_name" >/dev/null 2>&1
  if out=$(ip link add "$link_name" type "$kind" "$@" 2>&1); then
    ip link del "$link_name" >/dev/null 2>&1
    emit link "$kind" created ""
  else
    emit link "$kind" failed "$(oneline "$out")"
  fi
}
try_link wireguard
try_link vxlan id 42 dstport 4789 dev eth0

# --- Userspace tools the node calls, tried against this kernel --------------------

# try_tool LABEL COMMAND ARG...: absent, or whether the command works (MESSAGE:
# its version when it does, its error when it does not).
try_tool() {
  label=$1
  shift
  if ! have "$1"; then
    emit tool "$label" absent ""
    return
  fi
  if out=$("$@" 2>&1); then
    emit tool "$label" ok "$(oneline "$("$1" -V 2>&1 | head -n 1)")"
  else
    emit tool "$label" failed "$(oneline "$out")"
  fi
}
try_tool ipset ipset list -n
try_tool iptables-legacy iptables-legacy -t nat -S
try_tool ip6tables-legacy ip6tables-legacy -t nat -S
try_tool iptables-nft iptables-nft -t nat -S

# --- cgroups ---------------------------------------------------------------------

fstype=$(stat -fc %T /sys/fs/cgroup 2>/dev/null) || fstype=""
if [ -z "$fstype" ] && [ -r /proc/mounts ]; then
  while read -r _dev mountpoint type _rest; do
    [ "$mountpoint" = /sys/fs/cgroup ] && fstype=$type
  done </proc/mounts
fi
emit cgroup.fstype "$fstype"
if [ -r /sys/fs/cgroup/cgroup.controllers ]; then
  emit cgroup.controllers "$(oneline "$(cat /sys/fs/cgroup/cgroup.controllers)")"
elif [ -d /sys/fs/cgroup ]; then
  emit cgroup.dirs "$(oneline "$(ls /sys/fs/cgroup 2>/dev/null)")"
fi

# --- eth0 and the 6PN address -------------------------------------------------------

[ -r /sys/class/net/eth0/mtu ] && emit eth0.mtu "$(cat /sys/class/net/eth0/mtu)"
if have ip; then
  ip addr show dev eth0 2>/dev/null | while read -r family address rest; do
    case $family in inet | inet6) ;; *) continue ;; esac
    scope=""
    case $rest in *"scope "*) scope=${rest#*scope } && scope=${scope%% *} ;; esac
    flags=""
    for flag in tentative dadfailed deprecated; do
      case " $rest " in *" $flag "*) flags="$flags $flag" ;; esac
    done
    emit eth0.addr "$family" "$address" "$scope" "${flags# }"
  done
fi
emit fly.private_ip "${FLY_PRIVATE_IP:-}"

# --- .internal DNS -----------------------------------------------------------------

# lookup NAME TYPE: the addresses NAME resolves to (space-separated), and the tool.
lookup() {
  name=$1
  type=$2
  if have getent; then
    db=ahostsv4
    [ "$type" = AAAA ] && db=ahostsv6
    answers=$(getent "$db" "$name" 2>/dev/null | while read -r address _; do
      case $address in ::ffff:*) ;; *) printf '%s\n' "$address" ;; esac
    done | sort -u)
    emit dns "$name" "$type" getent "$(oneline "$answers")"
  elif have nslookup; then
    answers=$(nslookup -type="$type" "$name" 2>/dev/null |
      sed -n '/^Name:/,$ s/^Address:[[:space:]]*//p' | sort -u)
    emit dns "$name" "$type" nslookup "$(oneline "$answers")"
  else
    emit dns "$name" "$type" none ""
  fi
}

# The probe's own name is registered once the machine has started, which may
# take a moment: ask again for up to 10 s before taking "no answer".
if [ -n "$self_host" ]; then
  tries=0
  while :; do
    result=$(lookup "$self_host" AAAA)
    case $result in
      *"${tab}none$tab") break ;; # no resolver tool: asking again will not help
      *"$tab") ;;                 # no answer yet
      *) break ;;
    esac
    tries=$((tries + 1))
    [ "$tries" -ge 10 ] && break
    sleep 1
  done
  printf '%s\n' "$result"
  lookup "$self_host" A
fi
if [ -n "$cp_host" ]; then
  lookup "$cp_host" AAAA
  lookup "$cp_host" A
fi

# --- Limits ----------------------------------------------------------------------

# The hard open-file limit (`ulimit -Hn` is not POSIX; the kernel says it here).
emit nofile.hard "$(sed -n 's/^Max open files  *[0-9a-z]*  *\([0-9a-z]*\).*/\1/p' /proc/self/limits 2>/dev/null)"
emit end ok
