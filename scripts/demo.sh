#!/usr/bin/env bash
# The main job on embedded defaults, on a fresh machine: installs what is missing, then starts the vendor sandbox and
# the proxy sidecar on loopback and runs the sync daemon twice over the bundled example (examples/demo.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
CI=true pnpm --silent demo
