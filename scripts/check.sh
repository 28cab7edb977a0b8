#!/usr/bin/env bash
# npm test's first step: lint (Biome, knip) and the type-check side by side.
# Neither needs the other, and together on two cores they take about the time of the slower.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run --silent lint &
lint=$!
npx tsc -p tsconfig.json
typecheck=$?
wait "$lint"
lint=$?
exit $((lint || typecheck))
