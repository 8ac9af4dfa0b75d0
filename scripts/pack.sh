#!/usr/bin/env bash
# Builds every published package (packages/* and apps/*) and packs it as it would be published, into the directory
# given: `pnpm pack` turns workspace: ranges into versions and applies publishConfig. The Dockerfile and the release
# tests install these tarballs.
set -euo pipefail
destination=$(realpath -m "${1:?usage: scripts/pack.sh DIRECTORY}")
cd "$(dirname "$0")/.."
mkdir -p "$destination"
pnpm exec turbo run build --filter='./packages/*' --filter='./apps/*' --output-logs=errors-only >&2
pnpm --recursive --filter='./packages/*' --filter='./apps/*' pack --pack-destination "$destination" >/dev/null
ls "$destination"/*.tgz
