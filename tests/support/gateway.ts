// A gateway inferql (in-process) serving only remote upstreams (`--upstream`), and its RemoteModels.
import { type RunningInferql, startInferql } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import type { RemoteModel } from "../../src/inference/remote/remoteModel.js";
import { createLogger } from "../../src/logger.js";

/** Starts a gateway with one `--upstream` per entry of `upstreams`, plus `flags`. */
export async function startGateway(
  upstreams: string | readonly string[],
  flags: string[] = [],
): Promise<RunningInferql> {
  const upstreamFlags = [upstreams].flat().flatMap((upstream) => ["--upstream", upstream]);
  const config = loadConfig(
    [
      "--port",
      "0",
      "--log-level",
      process.env.INFERQL_TEST_LOG_LEVEL ?? "silent",
      ...upstreamFlags,
      ...flags,
    ],
    {},
  );
  const app = await startInferql(config, createLogger(config.logLevel));
  await app.ready;
  return app;
}

export const remoteOf = (app: RunningInferql, id: string) =>
  app.registry.remotes.find((remote) => remote.id === id) as RemoteModel;
