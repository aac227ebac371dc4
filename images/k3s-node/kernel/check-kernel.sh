#!/usr/bin/env bash
# Check the running kernel's build options against k3s-fly.config beside this script.
#
# Usage: check-kernel.sh [--kernel-config FILE] [--fragment FILE] [--quiet]
#
#   --kernel-config FILE  kernel config to read (plain or gzip). Default: the
#                         first readable of /proc/config.gz and
#                         /boot/config-$(uname -r).
#   --fragment FILE       option list to check. Default: k3s-fly.config next
#                         to this script.
#   --quiet               print only missing required options.
#
# Every option in the list carries its reason: `# required: <why>` (needed by
# a choice this cluster makes: flannel VXLAN, kube-proxy in iptables mode, the
# network policy controller, containers, iptables-legacy) or `# optional:
# <why>`. A missing required option fails the check, a missing optional one is
# a warning; each is printed with its reason.
#
# An option counts as present when it is =y, or =m on a kernel that can load
# modules (CONFIG_MODULES=y). Fly kernels cannot, so there only =y counts.
#
# Exit status: 0 every required option is present (optional ones may be
# missing: they are printed as warnings); 1 required options are missing (each
# is printed, then a summary); 2 no kernel config could be found or read (the
# caller decides whether that is fatal); 64 bad arguments or a bad fragment.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment="$here/k3s-fly.config"
kernel_config=""
quiet=0

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

usage_error() {
  echo "check-kernel: $1" >&2
  echo "usage: check-kernel.sh [--kernel-config FILE] [--fragment FILE] [--quiet]" >&2
  exit 64
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --kernel-config)
      [[ $# -ge 2 ]] || usage_error "--kernel-config needs a file"
      kernel_config=$2
      shift 2
      ;;
    --kernel-config=*)
      kernel_config=${1#*=}
      shift
      ;;
    --fragment)
      [[ $# -ge 2 ]] || usage_error "--fragment needs a file"
      fragment=$2
      shift 2
      ;;
    --fragment=*)
      fragment=${1#*=}
      shift
      ;;
    -q | --quiet)
      quiet=1
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage_error "unknown argument \"$1\""
      ;;
  esac
done

[[ -r $fragment ]] || usage_error "cannot read the option list $fragment"

# --- Locate and load the kernel config ---------------------------------------

if [[ -z $kernel_config ]]; then
  for candidate in /proc/config.gz "/boot/config-$(uname -r)"; do
    if [[ -r $candidate ]]; then
      kernel_config=$candidate
      break
    fi
  done
  if [[ -z $kernel_config ]]; then
    echo "check-kernel: no kernel config found (tried /proc/config.gz and /boot/config-$(uname -r));" \
      "cannot check kernel options; pass --kernel-config FILE to check a known config" >&2
    exit 2
  fi
elif [[ ! -r $kernel_config ]]; then
  echo "check-kernel: cannot read kernel config \"$kernel_config\"" >&2
  exit 2
fi

# gzip -dcf decompresses gzip input and passes plain text through unchanged.
if ! config_text=$(gzip -dcf -- "$kernel_config"); then
  echo "check-kernel: cannot decompress kernel config \"$kernel_config\"" >&2
  exit 2
fi

declare -A kernel=()
while IFS= read -r line; do
  if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
    kernel[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
  fi
done <<<"$config_text"

if [[ ${#kernel[@]} -eq 0 ]]; then
  echo "check-kernel: \"$kernel_config\" holds no CONFIG_ lines; it is not a kernel config" >&2
  exit 2
fi

modules_loadable=0
[[ ${kernel[CONFIG_MODULES]:-} == y ]] && modules_loadable=1

# --- Compare ------------------------------------------------------------------

missing_required=()
missing_optional=0
checked=0
lineno=0
while IFS= read -r raw || [[ -n $raw ]]; do
  lineno=$((lineno + 1))
  body=${raw%%#*}
  [[ $body =~ ^[[:space:]]*$ ]] && continue
  if [[ ! $body =~ ^[[:space:]]*(CONFIG_[A-Z0-9_]+)=y[[:space:]]*$ ]]; then
    usage_error "$fragment:$lineno: expected CONFIG_NAME=y with an optional comment, got \"$raw\""
  fi
  name=${BASH_REMATCH[1]}
  if [[ $raw =~ \#[[:space:]]*(required|optional):[[:space:]]*([^[:space:]].*)$ ]]; then
    kind=${BASH_REMATCH[1]}
    reason=${BASH_REMATCH[2]}
  else
    usage_error "$fragment:$lineno: $name needs its reason: \"# required: <why>\" or \"# optional: <why>\""
  fi
  checked=$((checked + 1))

  value=${kernel[$name]:-}
  problem=""
  case "$value" in
    y) ;;
    m)
      if [[ $modules_loadable -eq 0 ]]; then
        problem="is a module (=m), but this kernel cannot load modules (CONFIG_MODULES is not set)"
      fi
      ;;
    "") problem="is not set" ;;
    *) problem="is set to \"$value\"; need y" ;;
  esac
  [[ -z $problem ]] && continue

  if [[ $kind == optional ]]; then
    missing_optional=$((missing_optional + 1))
    if [[ $quiet -eq 0 ]]; then
      echo "warning: $name $problem (optional: $reason)" >&2
    fi
  else
    missing_required+=("$name")
    echo "missing: $name $problem (required: $reason)" >&2
  fi
done <"$fragment"

if [[ ${#missing_required[@]} -gt 0 ]]; then
  echo "check-kernel: ${#missing_required[@]} required kernel option(s) missing in $kernel_config:" \
    "${missing_required[*]}. Build them in (=y): see $fragment" >&2
  exit 1
fi

if [[ $quiet -eq 0 ]]; then
  echo "check-kernel: ok: $checked options checked in $kernel_config," \
    "all required present, $missing_optional optional missing"
fi
exit 0
