#!/usr/bin/env bash
# Functions for k3s.sh and scripts/cdktf.sh: choose the target, run the local
# Fly emulator in the background and point FLY_API_URL / FLY_API_TOKEN at it.
# Source it (after scripts/lib.sh); do not run it.
#
#   FLY_K3S_EMULATOR_DIR   emulator state (default ~/.local/share/fly-k3s/emulator)
#   FLY_K3S_EMULATOR_PORT  API port (default 4280)

FLY_K3S_EMULATOR_DIR=${FLY_K3S_EMULATOR_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/fly-k3s/emulator}
FLY_K3S_EMULATOR_PORT=${FLY_K3S_EMULATOR_PORT:-4280}

# Reads FLY_API_URL and FLY_API_TOKEN from the emulator's log; true when the API answers with them.
local_fly_endpoint() {
  local log_file="$FLY_K3S_EMULATOR_DIR/emulator.log" url token
  [ -f "$log_file" ] || return 1
  url=$(sed -n 's/^FLY_API_URL=//p' "$log_file" | tail -n1)
  token=$(sed -n 's/^FLY_API_TOKEN=//p' "$log_file" | tail -n1)
  [ -n "$url" ] && [ -n "$token" ] || return 1
  # The token goes to curl on stdin, not on its command line.
  printf 'header = "Authorization: Bearer %s"\n' "$token" |
    curl -fsS -o /dev/null --config - "$url/apps" 2>/dev/null || return 1
  export FLY_API_URL=$url FLY_API_TOKEN=$token
}

# Starts the emulator unless it already runs, then exports its endpoint.
local_fly_up() {
  if local_fly_endpoint; then return 0; fi
  # The log holds the API token: keep the directory and the log private.
  (umask 077 && mkdir -p "$FLY_K3S_EMULATOR_DIR")
  chmod 700 "$FLY_K3S_EMULATOR_DIR"
  log "starting the local Fly emulator (state $FLY_K3S_EMULATOR_DIR, log $FLY_K3S_EMULATOR_DIR/emulator.log)"
  # Detached (own session, stdio closed) so that it outlives this script, a
  # Ctrl-C here does not stop it, and no pipe this script writes to is held open.
  (
    umask 077
    cd "$ROOT_DIR" &&
      exec setsid nohup node -r ts-node/register/transpile-only emulator/cli.ts \
        --state-dir "$FLY_K3S_EMULATOR_DIR" --port "$FLY_K3S_EMULATOR_PORT" \
        >"$FLY_K3S_EMULATOR_DIR/emulator.log" 2>&1 </dev/null
  ) &
  local i
  for i in $(seq 1 60); do
    if local_fly_endpoint; then return 0; fi
    sleep 1
    [ $((i % 10)) -ne 0 ] || log "waiting for the emulator to answer (${i}s)"
  done
  tail -n 20 "$FLY_K3S_EMULATOR_DIR/emulator.log" >&2 || true
  die "the local Fly emulator did not start within 60s"
}

# Chooses where deployments go: Fly.io when FLY_API_TOKEN is set, else the
# local emulator (started if needed). Exports FLY_K3S_TARGET, and FLY_API_URL
# and FLY_API_TOKEN for the provider and bin/fly-machines.
use_target() {
  if [ -n "${FLY_API_TOKEN:-}" ]; then
    export FLY_K3S_TARGET=fly
    log "target: Fly.io (${FLY_API_URL:-https://api.machines.dev/v1})"
  else
    local_fly_up
    export FLY_K3S_TARGET=local
    log "target: local Fly emulator at $FLY_API_URL"
  fi
}

# Opens a shell in a machine of APP (MACHINE = name or id; default the first).
local_fly_shell() {
  local app=$1 machine=${2:-} id
  id=$("$ROOT_DIR/bin/fly-machines" list --app "$app" | awk -v m="$machine" \
    'NR > 1 && (m == "" || $1 == m || $2 == m) { print $2; exit }')
  [ -n "$id" ] || die "no machine ${machine:-at all} in app $app"
  local container
  container=$(podman ps --filter "label=io.fly-k3s.emulator.machine=$id" --format '{{.Names}}' | head -n1)
  [ -n "$container" ] || die "machine $id of $app has no running container"
  exec podman exec -it "$container" /bin/bash
}
