#!/usr/bin/env bash
# fly-k3s operator interface: a launcher for the TypeScript command line
# (bin/k3s.ts), which validates, chooses Fly.io or the local emulator, and
# drives synth and OpenTofu. ./k3s.sh -h lists the actions.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# esbuild-register compiles the TypeScript as it loads: a fraction of
# ts-node's start-up, which loads the TypeScript compiler.
exec node -r "$root/node_modules/esbuild-register/register.js" "$root/bin/k3s.ts" "$@"
