#!/usr/bin/env bash
# Builds llama-server from the llama.cpp source that node-llama-cpp ships as a git bundle, so the
# benchmark can compare inferql with llama-server built from the very same llama.cpp (no internet).
# Output: .cache/llama.cpp/build/bin/llama-server (gitignored). Then: LLAMA_SERVER=<that path> npm run bench
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bundle="$root/node_modules/node-llama-cpp/llama/gitRelease.bundle"
src="$root/.cache/llama.cpp"
if [ ! -d "$src/.git" ]; then
  git clone --quiet "$bundle" "$src"
fi
cd "$src"
cmake -B build -DLLAMA_CURL=OFF -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON
cmake --build build --target llama-server -j"${JOBS:-2}"
echo "built: $src/build/bin/llama-server"
