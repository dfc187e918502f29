// The `inferql` command line: `inferql serve [flags]` and `inferql model <preset> [flags]`.
import { startInferql } from "./app.js";
import { runModelCommand } from "./cli/modelCommand.js";
import { handleUnhandledRejection } from "./cli/unhandledRejection.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";

async function serve(argv: string[]): Promise<void> {
  const config = loadConfig(argv);
  const logger = createLogger(config.logLevel);
  // Logged, then the process exits as Node's default would; node-llama-cpp's one known harmless
  // rejection (DisposedError from its background work) is let through (cli/unhandledRejection.ts).
  process.on("unhandledRejection", (reason: unknown) => handleUnhandledRejection(reason, logger));
  const app = await startInferql(config, logger);
  app.ready.then(
    () => logger.info({ models: app.registry.list().map((model) => model.id) }, "ready"),
    (error: unknown) => {
      logger.fatal({ err: error }, "could not load the models");
      process.exit(1);
    },
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // In-flight generations get --drain-timeout seconds to finish before they are ended as cancelled.
    app.close({ drainMs: config.drainTimeout * 1000 }).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function main(): Promise<number | undefined> {
  const [command = "serve", ...rest] = process.argv.slice(2);
  if (command === "serve") return void (await serve(rest));
  if (command === "model") return runModelCommand(rest);
  throw new ConfigError(`unknown command '${command}' (use 'serve' or 'model')`);
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`inferql: ${message}\n`);
    process.exit(2);
  },
);
