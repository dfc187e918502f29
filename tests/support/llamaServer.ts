// llama-server for the tests that put a gateway in front of it: the binary `LLAMA_SERVER` names, else
// the one bench/build-llama-server.sh builds into this checkout's .cache (a fresh clone has none:
// those tests are skipped, saying how to build it).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export const LLAMA_SERVER_MISSING =
  "llama-server not found (LLAMA_SERVER, or .cache/llama.cpp/build/bin/llama-server): the tests in front of it are skipped; build it with `bash bench/build-llama-server.sh`";

/** The llama-server binary to test against, if there is one. */
export function llamaServerBinary(): string | undefined {
  const binary = process.env.LLAMA_SERVER || path.join(root, ".cache/llama.cpp/build/bin/llama-server");
  return existsSync(binary) ? binary : undefined;
}

/** Where the test llama-servers write their logs (gitignored). */
export const LLAMA_SERVER_LOG_DIR = path.join(root, ".cache/test-logs");
