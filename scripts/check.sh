#!/usr/bin/env bash
# npm test's first step: lint (Biome, knip) and the type-check side by side.
# Neither needs the other, and together on two cores they take about the time of the slower.
# The tools run from node_modules/.bin: npx or npm run would add a Node start each.
# `tsc -b` finds an unchanged tree up to date from its build info without parsing the program.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
{ "$bin/biome" ci . && "$bin/knip" --cache; } &
lint=$!
"$bin/tsc" -b tsconfig.json
typecheck=$?
wait "$lint"
lint=$?
exit $((lint || typecheck))
