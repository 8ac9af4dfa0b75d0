#!/usr/bin/env bash
# The main job on embedded defaults, on a fresh machine: installs what is missing, then runs it.
# Until the sync daemon lands, the main job is the contract check: both vendor specs, their examples and every
# example on the vendors' own pages, validated and summarised.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
CI=true pnpm --silent demo
