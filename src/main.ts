// The `inferql` command line: `inferql serve [flags]` and `inferql model <preset> [flags]`.
import { inferqlVersion, mainHelp, serveHelp } from "./cli/help.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";

async function serve(argv: string[]): Promise<void> {
  const config = loadConfig(argv);
  const logger = createLogger(config.logLevel);
  // The server and the engine (node-llama-cpp, ~0.5 s to import) load only for `serve`, so --help,
  // --version and bad flags answer at once.
  const { handleUnhandledRejection } = await import("./cli/unhandledRejection.js");
  // Logged, then the process exits as Node's default would; node-llama-cpp's one known harmless
  // rejection (DisposedError from its background work) is let through (cli/unhandledRejection.ts).
  process.on("unhandledRejection", (reason: unknown) => handleUnhandledRejection(reason, logger));
  const { startInferql } = await import("./app.js");
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
  const argv = process.argv.slice(2);
  const [command, ...rest] = argv[0] === undefined || argv[0].startsWith("-") ? ["serve", ...argv] : argv;
  if (argv[0] === "--version" || argv[0] === "-v") return print(`${inferqlVersion()}\n`);
  if (command === "help" || argv[0] === "--help" || argv[0] === "-h") return print(mainHelp());
  if (command === "serve") {
    if (rest.includes("--help") || rest.includes("-h")) return print(serveHelp());
    return void (await serve(rest));
  }
  if (command === "model") return (await import("./cli/modelCommand.js")).runModelCommand(rest);
  throw new ConfigError(`unknown command '${command}' (use 'serve' or 'model'; see inferql --help)`);
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`inferql: ${message} (see: inferql --help)\n`);
    process.exit(2);
  },
);
