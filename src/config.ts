// Every setting of `inferql serve`, from flags and environment variables, validated in one place.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { isAllowedHostEntry } from "./security/hostCheck.js";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
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

/**
 * `[model=]alias[,alias…]` entries, split at commas: a bare alias belongs to the model named before it
 * (`tiny=gpt-4o-mini,text-embedding-3-small`), or to the first model when none is.
 */
const modelAliasArgSchema = z.array(z.string()).transform((values, context) => {
  const aliases: { model?: string; alias: string }[] = [];
  let model: string | undefined;
  for (const entry of values.flatMap((value) => value.split(","))) {
    const separator = entry.indexOf("=");
    if (separator >= 0) model = entry.slice(0, separator);
    const alias = entry.slice(separator + 1);
    if (!alias || model === "")
      context.addIssue({
        code: "custom",
        message: `expected [model=]alias[,alias…], got '${values.join(" ")}'`,
      });
    aliases.push({ model, alias });
  }
  return aliases;
});

const UPSTREAM_OPTIONS = ["model", "key", "key-file", "slots", "kind", "timeout", "health"] as const;

/**
 * `ID=URL[,URL…][,OPTION=VALUE…]` entries, split at commas (so one environment variable holds several,
 * `a=http://h1:8080,http://h2:8080,slots=8,b=http://h3:8000`): `ID=URL` starts an upstream, a bare
 * URL adds a replica to it, and `model=`, `key=`, `key-file=`, `slots=`, `kind=`, `timeout=`,
 * `health=` set its options.
 */
const upstreamArgSchema = z.array(z.string()).transform((values, context) => {
  const upstreams: {
    id: string;
    replicas: string[];
    options: Partial<Record<(typeof UPSTREAM_OPTIONS)[number], string>>;
  }[] = [];
  const fail = (message: string) => {
    context.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  const isUrl = (text: string) => {
    try {
      return ["http:", "https:"].includes(new URL(text).protocol);
    } catch {
      return false;
    }
  };
  for (const entry of values.flatMap((value) => value.split(",")).map((part) => part.trim())) {
    if (entry === "") continue;
    const separator = entry.indexOf("=");
    const name = entry.slice(0, separator);
    const value = entry.slice(separator + 1);
    const current = upstreams.at(-1);
    if (separator > 0 && isUrl(value) && !(UPSTREAM_OPTIONS as readonly string[]).includes(name))
      upstreams.push({ id: name, replicas: [value], options: {} });
    else if (isUrl(entry)) {
      if (!current) return fail(`'${entry}' comes before any ID=URL`);
      current.replicas.push(entry);
    } else if (separator > 0 && (UPSTREAM_OPTIONS as readonly string[]).includes(name)) {
      if (!current) return fail(`'${entry}' comes before any ID=URL`);
      current.options[name as (typeof UPSTREAM_OPTIONS)[number]] = value;
    } else
      return fail(
        `expected ID=URL[,URL…][,model=NAME][,key=KEY|key-file=PATH][,slots=N][,kind=openai|llama|vllm][,timeout=S][,health=S], got '${entry}'`,
      );
  }
  const seconds = (text: string | undefined, fallback: number, what: string) => {
    if (text === undefined) return fallback * 1000;
    const number = Number(text);
    if (!Number.isFinite(number) || number <= 0) return fail(`${what} must be a positive number of seconds`);
    return Math.round(number * 1000);
  };
  return upstreams.map(({ id, replicas, options }) => {
    let apiKey = options.key;
    if (options["key-file"] !== undefined) {
      try {
        apiKey = readFileSync(options["key-file"], "utf8").trim();
      } catch {
        return fail(`cannot read the upstream key file ${options["key-file"]}`);
      }
    }
    const kind = options.kind ?? "openai";
    if (kind !== "openai" && kind !== "llama" && kind !== "vllm")
      return fail(`kind must be openai, llama or vllm, got '${kind}'`);
    const slots = options.slots === undefined ? undefined : Number(options.slots);
    if (slots !== undefined && !(Number.isInteger(slots) && slots >= 1 && slots <= 4096))
      return fail("slots must be an integer from 1 to 4096");
    return {
      id,
      replicas,
      ...(options.model ? { model: options.model } : {}),
      ...(apiKey ? { apiKey } : {}),
      slots,
      kind,
      timeoutMs: seconds(options.timeout, 60, "timeout"),
      healthIntervalMs: seconds(options.health, 5, "health"),
    } as const;
  });
});

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** An API key is one token: no whitespace, so a key file's lines and a header's value are unambiguous. */
const apiKeySchema = z.string().regex(/^\S+$/, "an API key must be non-empty and contain no whitespace");

/** One key per line; blank lines and lines starting with # are skipped. */
const apiKeyFileSchema = z.string().transform((filePath, context) => {
  let text: string;
  try {
    text = readFileSync(filePath, "utf8");
  } catch {
    context.addIssue({ code: "custom", message: `cannot read the API key file ${filePath}` });
    return z.NEVER;
  }
  const keys = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  if (keys.length === 0) context.addIssue({ code: "custom", message: `no API key in ${filePath}` });
  if (keys.some((key) => /\s/.test(key)))
    context.addIssue({ code: "custom", message: `a line of ${filePath} holds more than one word` });
  return keys;
});

/** `*` (any origin) or an exact origin such as `https://app.example.com`. */
const corsOriginSchema = z.string().refine((value) => {
  if (value === "*") return true;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}, "expected * or an origin such as https://app.example.com (scheme, host, optional port; no path)");

/** A Host name the server answers besides loopback, IP addresses and --host (security/hostCheck.ts). */
const allowedHostSchema = z
  .string()
  .refine(
    isAllowedHostEntry,
    "expected a host name such as api.example.com (no scheme or port), .example.com for it and its subdomains, or *",
  );

const redisUrlSchema = z.string().refine((value) => {
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === "redis:" || protocol === "rediss:") && hostname !== "";
  } catch {
    return false;
  }
}, "expected a Redis URL such as redis://host:6379 (redis:// or rediss://, optional user:password@ and /db)");

const settingsSchema = z.object({
  host: z.string().min(1).default("127.0.0.1"),
  port: integer(0, 65535).default(8080),
  model: z.array(modelArgSchema).default([]),
  lora: z.array(loraArgSchema).default([]),
  modelAlias: modelAliasArgSchema.default([]),
  upstream: upstreamArgSchema.default([]),
  slots: integer(1, 64).default(4),
  queue: integer(0, 100_000).default(64),
  streamInterval: integer(1, 1024).default(1),
  /** Absent: chosen from the machine and the engine build once it loads (defaultThreadsFor). */
  threads: integer(1, 1024).optional(),
  ctxSize: integer(64, 1_048_576).default(2048),
  batchSize: integer(1, 65_536).default(512),
  requestTimeout: integer(1, 86_400).default(600),
  gpu: z.enum(["auto", "cpu", "cuda", "vulkan", "metal"]).default("cpu"),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  apiKey: z.array(apiKeySchema).default([]),
  apiKeyFile: apiKeyFileSchema.optional(),
  metricsApiKey: apiKeySchema.optional(),
  adminApiKey: z.array(apiKeySchema).default([]),
  adminApiKeyFile: apiKeyFileSchema.optional(),
  rateLimit: integer(0, 1_000_000).default(0),
  corsOrigin: z.array(corsOriginSchema).default([]),
  allowedHosts: z.array(allowedHostSchema).default([]),
  maxMessages: integer(1, 100_000).default(1000),
  /** The most tokens one request may ask for (more is a 400); unset, the context bounds each generation. */
  maxTokensLimit: integer(1, 1_048_576).optional(),
  drainTimeout: integer(0, 3600).default(10),
  redis: redisUrlSchema.optional(),
  nodeId: z
    .string()
    .regex(/^[\w.:@-]{1,100}$/, "expected up to 100 letters, digits and . _ : @ -")
    .optional(),
  nodeTtl: integer(1, 3600).default(5),
});

export const configSchema = settingsSchema.transform(
  ({ apiKey, apiKeyFile, adminApiKey, adminApiKeyFile, ...settings }) => ({
    ...settings,
    /** Keys from --api-key and --api-key-file together; empty (and no admin key) means the API is open. */
    apiKeys: [...new Set([...apiKey, ...(apiKeyFile ?? [])])],
    /** Keys from --admin-api-key and --admin-api-key-file: API keys that see and cancel every generation. */
    adminApiKeys: [...new Set([...adminApiKey, ...(adminApiKeyFile ?? [])])],
  }),
);

export type Config = z.output<typeof configSchema>;

/**
 * Every flag: its name, environment variable, the config key it sets, what it is for (`inferql serve
 * --help` prints this table; README.md details it), and, where the schema has no default, what applies.
 */
export const SETTINGS = [
  { flag: "host", env: "INFERQL_HOST", key: "host", value: "ADDR", help: "address to listen on" },
  {
    flag: "port",
    env: "INFERQL_PORT",
    key: "port",
    value: "N",
    help: "port to listen on (0: any free port)",
  },
  {
    flag: "model",
    env: "INFERQL_MODEL",
    key: "model",
    list: true,
    value: "[ID=]PATH",
    help: "a GGUF file to serve, repeatable",
    unset: "the generated tiny model",
  },
  {
    flag: "lora",
    env: "INFERQL_LORA",
    key: "lora",
    list: true,
    value: "[MODEL:]NAME=PATH",
    help: "a LoRA adapter requests may name, repeatable",
  },
  {
    flag: "model-alias",
    env: "INFERQL_MODEL_ALIAS",
    key: "modelAlias",
    list: true,
    value: "[ID=]ALIAS[,…]",
    help: "other names a model answers to, repeatable",
  },
  {
    flag: "upstream",
    env: "INFERQL_UPSTREAM",
    key: "upstream",
    list: true,
    value: "ID=URL[,URL…][,OPT=V…]",
    help: "a model served by OpenAI-compatible replicas (options: model, key, key-file, slots, kind, timeout, health), repeatable",
  },
  {
    flag: "slots",
    env: "INFERQL_SLOTS",
    key: "slots",
    value: "N",
    help: "generations running at once per model",
  },
  {
    flag: "queue",
    env: "INFERQL_QUEUE",
    key: "queue",
    value: "N",
    help: "requests waiting for a slot before 429",
  },
  {
    flag: "stream-interval",
    env: "INFERQL_STREAM_INTERVAL",
    key: "streamInterval",
    value: "N",
    help: "generated tokens per streamed text event after the first",
  },
  {
    flag: "threads",
    env: "INFERQL_THREADS",
    key: "threads",
    value: "N",
    help: "llama.cpp threads per decode",
    unset: "chosen from the cores and the engine build",
  },
  {
    flag: "ctx-size",
    env: "INFERQL_CTX_SIZE",
    key: "ctxSize",
    value: "N",
    help: "tokens per slot (prompt + output)",
  },
  {
    flag: "batch-size",
    env: "INFERQL_BATCH_SIZE",
    key: "batchSize",
    value: "N",
    help: "tokens per decode batch",
  },
  {
    flag: "request-timeout",
    env: "INFERQL_REQUEST_TIMEOUT",
    key: "requestTimeout",
    value: "SECONDS",
    help: "the longest a request may take, queueing included",
  },
  { flag: "gpu", env: "INFERQL_GPU", key: "gpu", value: "KIND", help: "where models run" },
  { flag: "log-level", env: "INFERQL_LOG_LEVEL", key: "logLevel", value: "LEVEL", help: "pino log level" },
  {
    flag: "api-key",
    env: "INFERQL_API_KEY",
    key: "apiKey",
    list: true,
    value: "KEY",
    help: "a key clients must send, repeatable",
    unset: "the API is open",
  },
  {
    flag: "api-key-file",
    env: "INFERQL_API_KEY_FILE",
    key: "apiKeyFile",
    value: "PATH",
    help: "a file of API keys, one per line",
  },
  {
    flag: "metrics-api-key",
    env: "INFERQL_METRICS_API_KEY",
    key: "metricsApiKey",
    value: "KEY",
    help: "the key /metrics requires",
    unset: "/metrics is open",
  },
  {
    flag: "admin-api-key",
    env: "INFERQL_ADMIN_API_KEY",
    key: "adminApiKey",
    list: true,
    value: "KEY",
    help: "a key that sees and cancels every generation, repeatable",
  },
  {
    flag: "admin-api-key-file",
    env: "INFERQL_ADMIN_API_KEY_FILE",
    key: "adminApiKeyFile",
    value: "PATH",
    help: "a file of admin keys, one per line",
  },
  {
    flag: "rate-limit",
    env: "INFERQL_RATE_LIMIT",
    key: "rateLimit",
    value: "N",
    help: "requests per minute per key or client address (0: off)",
  },
  {
    flag: "cors-origin",
    env: "INFERQL_CORS_ORIGIN",
    key: "corsOrigin",
    list: true,
    value: "ORIGIN",
    help: "an origin browsers may call from, or *, repeatable",
    unset: "same origin only",
  },
  {
    flag: "allowed-hosts",
    env: "INFERQL_ALLOWED_HOSTS",
    key: "allowedHosts",
    list: true,
    value: "HOST",
    help: "a Host name answered besides loopback, IPs and --host, repeatable",
  },
  {
    flag: "max-messages",
    env: "INFERQL_MAX_MESSAGES",
    key: "maxMessages",
    value: "N",
    help: "the most messages one chat request may carry",
  },
  {
    flag: "max-tokens-limit",
    env: "INFERQL_MAX_TOKENS_LIMIT",
    key: "maxTokensLimit",
    value: "N",
    help: "the most tokens one request may ask for",
    unset: "none (the context bounds each generation)",
  },
  {
    flag: "drain-timeout",
    env: "INFERQL_DRAIN_TIMEOUT",
    key: "drainTimeout",
    value: "SECONDS",
    help: "how long SIGTERM lets generations finish",
  },
  {
    flag: "redis",
    env: "INFERQL_REDIS",
    key: "redis",
    value: "URL",
    help: "share rate limits, cancellation and the fleet view with other nodes",
    unset: "none (one node)",
  },
  {
    flag: "node-id",
    env: "INFERQL_NODE_ID",
    key: "nodeId",
    value: "ID",
    help: "this node's name in the scheduler's state",
    unset: "host name + random suffix",
  },
  {
    flag: "node-ttl",
    env: "INFERQL_NODE_TTL",
    key: "nodeTtl",
    value: "SECONDS",
    help: "with --redis: how long a silent node stays in the fleet view (heartbeat every fifth)",
  },
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
