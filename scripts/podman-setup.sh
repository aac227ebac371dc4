#!/usr/bin/env bash
# Install and configure podman for the local Fly emulator. Idempotent: safe to
# re-run; it only installs what is missing, and writes containers.conf only
# when it differs (keeping any other previous file as a .bak).
#
# Why the config: on hosts with hybrid cgroups (v1 controllers + a v2 mount at
# /sys/fs/cgroup/unified) crun refuses to start containers, so runc is used;
# and the default ulimits are refused by such sandboxes, so none are set.
#
#   PODMAN_SETUP_SKIP_APT=1   do not call apt-get (config only)
set -euo pipefail

log() { printf '[podman-setup] %s\n' "$*" >&2; }
die() { printf 'podman-setup: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (podman is used rootful by the emulator)"

# Packages: podman itself, runc (crun fails on hybrid cgroups), iptables/iproute2 for
# the emulator's isolation rules, busybox-static for the test image.
packages=(podman runc iptables iproute2 busybox-static uidmap slirp4netns)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  [ "${PODMAN_SETUP_SKIP_APT:-}" = 1 ] && die "missing packages: ${missing[*]}"
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "packages already installed"
fi

conf_dir=/etc/containers
conf="$conf_dir/containers.conf"
mkdir -p "$conf_dir"

desired=$(
  cat <<'EOF'
# Written by fly-k3s scripts/podman-setup.sh
[containers]
default_ulimits = []

[engine]
runtime = "runc"
EOF
)

if [ -f "$conf" ] && [ "$(cat "$conf")" = "$desired" ]; then
  log "$conf already configured"
else
  if [ -f "$conf" ] && ! grep -q 'fly-k3s scripts/podman-setup.sh' "$conf"; then
    cp "$conf" "$conf.bak.$(date +%s)"
    log "kept previous $conf as a .bak file"
  fi
  tmp=$(mktemp "$conf_dir/.containers.conf.XXXXXX")
  printf '%s\n' "$desired" >"$tmp"
  chmod 0644 "$tmp"
  mv "$tmp" "$conf"
  log "wrote $conf"
fi

# IPv6 forwarding is needed for routed 6PN bridges; harmless if already on.
if [ -w /proc/sys/net/ipv6/conf/all/forwarding ]; then
  echo 1 >/proc/sys/net/ipv6/conf/all/forwarding || true
fi

podman info --format '{{.Host.OCIRuntime.Name}} {{.Version.Version}}' >/dev/null ||
  die "podman is installed but 'podman info' fails; see its error above"
log "podman $(podman version --format '{{.Client.Version}}') ready (runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'))"
