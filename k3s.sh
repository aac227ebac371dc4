#!/usr/bin/env bash
# fly-k3s operator interface: a launcher for the TypeScript command line
# (bin/k3s.ts), which validates, chooses Fly.io or the local emulator, and
# drives synth and OpenTofu. ./k3s.sh -h lists the actions.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# bin/ts-register.js compiles the TypeScript as it loads (esbuild).
exec node -r "$root/bin/ts-register.js" "$root/bin/k3s.ts" "$@"
