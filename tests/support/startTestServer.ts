// Starts the real inferql server on 127.0.0.1 with a random port and the generated test models.
import type { Logger } from "pino";
import { inject } from "vitest";
import { type RunningInferql, startInferql } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";

export interface TestServerOptions {
  /** Extra `inferql serve` flags. */
  flags?: string[];
  /** Serve the model that ends generation at once instead of the one that rarely stops. */
  withStopsEarlyModel?: boolean;
  /** Where the server logs; by default a logger at INFERQL_TEST_LOG_LEVEL (silent). */
  logger?: Logger;
}

export async function startTestServer({
  flags = [],
  withStopsEarlyModel = false,
  logger,
}: TestServerOptions = {}): Promise<RunningInferql> {
  const models = [`tiny=${inject("tinyModelPath")}`];
  if (withStopsEarlyModel) models.push(`stops-early=${inject("stopsEarlyModelPath")}`);
  const config: Config = loadConfig(
    [
      "--port",
      "0",
      "--threads",
      "1",
      "--log-level",
      process.env.INFERQL_TEST_LOG_LEVEL ?? "silent",
      ...models.flatMap((model) => ["--model", model]),
      "--lora",
      `tiny:style=${inject("tinyLoraPath")}`,
      ...flags,
    ],
    {},
  );
  const app = await startInferql(config, logger ?? createLogger(config.logLevel));
  await app.ready;
  return app;
}
