// Child-process entry: runs one inferql server (or the fake-engine server, or the proxy floor) for
// the harness, so the server has its own event loop as in production, and reports its URL over IPC.
// Started by targets/inferqlServer.ts with one JSON argument (ServeRequest).
import { startInferql } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { startFakeEngineServer } from "./fakeEngine.js";
import { startProxyFloor } from "./proxyFloor.js";

export type ServeRequest =
  | { mode: "fake" }
  /** A node:http proxy forwarding to `upstream` (proxyFloor.ts). */
  | { mode: "proxy-floor"; upstream: string }
  | {
      mode: "inferql";
      /** `inferql serve` flags, e.g. ["--model", "bench=/path.gguf", "--slots", "4"]. */
      flags: string[];
    };

export interface ServeReady {
  url: string;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? "{}") as ServeRequest;
  let close: () => Promise<void>;
  let url: string;
  if (request.mode === "fake") {
    const server = await startFakeEngineServer();
    url = server.url;
    close = () => server.close();
  } else if (request.mode === "proxy-floor") {
    const proxy = await startProxyFloor(request.upstream);
    url = proxy.url;
    close = () => proxy.close();
  } else {
    const config = loadConfig(["--port", "0", "--log-level", "error", ...request.flags], {});
    const app = await startInferql(config, createLogger(config.logLevel));
    await app.ready;
    url = app.url;
    close = () => app.close();
  }
  const ready: ServeReady = { url };
  process.send?.(ready);
  // The parent ends the server by disconnecting (or by dying).
  process.once("disconnect", () => {
    void close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
