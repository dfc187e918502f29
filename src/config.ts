// Every setting of `inferql serve`, from flags and environment variables, validated in one place.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** One core is left to the event loop (transports, JSON, sockets); the rest decode. */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

const modelArgSchema = z.string().transform((value, context) => {
  const separator = value.indexOf("=");
  const modelPath = separator > 0 ? value.slice(separator + 1) : value;
  const id = separator > 0 ? value.slice(0, separator) : path.basename(modelPath).replace(/\.gguf$/i, "");
  if (!id) context.addIssue({ code: "custom", message: `cannot take a model id from '${value}'` });
  if (!existsSync(modelPath))
    context.addIssue({ code: "custom", message: `model file not found: ${modelPath}` });
  return { id, path: modelPath };
});

const loraArgSchema = z.string().transform((value, context) => {
  const match = /^(?:([^:=]+):)?([^:=]+)=(.+)$/.exec(value);
  if (!match) {
    context.addIssue({ code: "custom", message: `expected [model:]name=path, got '${value}'` });
    return z.NEVER;
  }
  const [, model, name, adapterPath] = match;
  if (!existsSync(adapterPath))
    context.addIssue({ code: "custom", message: `LoRA file not found: ${adapterPath}` });
  return { model, name, path: adapterPath };
});

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z.object({
  host: z.string().min(1).default("127.0.0.1"),
  port: integer(0, 65535).default(8080),
  model: z.array(modelArgSchema).default([]),
  lora: z.array(loraArgSchema).default([]),
  slots: integer(1, 64).default(4),
  queue: integer(0, 100_000).default(64),
  threads: integer(1, 1024).default(defaultThreads()),
  ctxSize: integer(64, 1_048_576).default(2048),
  batchSize: integer(1, 65_536).default(512),
  requestTimeout: integer(1, 86_400).default(600),
  gpu: z.enum(["auto", "cpu", "cuda", "vulkan", "metal"]).default("cpu"),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.output<typeof configSchema>;

/** Flag name, environment variable, and the config key they set. */
const SETTINGS = [
  { flag: "host", env: "INFERQL_HOST", key: "host" },
  { flag: "port", env: "INFERQL_PORT", key: "port" },
  { flag: "model", env: "INFERQL_MODEL", key: "model", list: true },
  { flag: "lora", env: "INFERQL_LORA", key: "lora", list: true },
  { flag: "slots", env: "INFERQL_SLOTS", key: "slots" },
  { flag: "queue", env: "INFERQL_QUEUE", key: "queue" },
  { flag: "threads", env: "INFERQL_THREADS", key: "threads" },
  { flag: "ctx-size", env: "INFERQL_CTX_SIZE", key: "ctxSize" },
  { flag: "batch-size", env: "INFERQL_BATCH_SIZE", key: "batchSize" },
  { flag: "request-timeout", env: "INFERQL_REQUEST_TIMEOUT", key: "requestTimeout" },
  { flag: "gpu", env: "INFERQL_GPU", key: "gpu" },
  { flag: "log-level", env: "INFERQL_LOG_LEVEL", key: "logLevel" },
] as const;

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Config {
  let flags: Record<string, string | string[] | undefined>;
  try {
    flags = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        SETTINGS.map((setting) => [setting.flag, { type: "string", multiple: "list" in setting }]),
      ) as Record<string, { type: "string"; multiple: boolean }>,
    }).values as Record<string, string | string[] | undefined>;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const raw: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const fromEnv = env[setting.env];
    const value =
      flags[setting.flag] ?? (fromEnv ? ("list" in setting ? fromEnv.split(",") : fromEnv) : undefined);
    if (value !== undefined) raw[setting.key] = value;
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const setting = SETTINGS.find((candidate) => candidate.key === issue.path[0]);
    const name = setting ? `--${setting.flag} (${setting.env})` : String(issue.path[0]);
    throw new ConfigError(`invalid ${name}: ${issue.message}`);
  }
  return result.data;
}
