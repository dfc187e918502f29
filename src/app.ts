// Composition root: models → registry → scheduler → resolvers → transports → one HTTP server (and,
// with --redis, the link to the other nodes of a fleet: src/cluster).
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { createGraphqlMount } from "./api/graphql/index.js";
import { createHealthMount } from "./api/healthMount.js";
import { createHttpServer } from "./api/http.js";
import type { HttpMount } from "./api/httpMount.js";
import { createMetricsMount, createReadyMount } from "./api/observabilityMounts.js";
import { createPlaygroundMount } from "./api/playground/index.js";
import { createTrpcMount } from "./api/trpc/index.js";
import { createAnthropicMount } from "./compat/anthropic/index.js";
import { createOllamaMount } from "./compat/ollama/index.js";
import { createOpenAiMount } from "./compat/openai/index.js";
import { type Config, ConfigError } from "./config.js";
import type { ModelSpec } from "./inference/engine/loadedModel.js";
import { loadLlama } from "./inference/engine/loadLlama.js";
import { defaultCacheDir, ensureGeneratedModel } from "./inference/generatedModel/defaultModel.js";
import { ModelRegistry } from "./inference/modelRegistry.js";
import { RemoteModel } from "./inference/remote/remoteModel.js";
import { Scheduler } from "./inference/scheduler/scheduler.js";
import { logGenerations } from "./observability/generationLog.js";
import { createMetrics } from "./observability/metrics.js";
import { createResolvers, type Resolvers } from "./resolvers/index.js";
import { AccessControl } from "./security/accessControl.js";
import { CorsPolicy } from "./security/cors.js";
import { HostCheck } from "./security/hostCheck.js";

/** After the last generation ends, how long its transport gets to send the final event and completion. */
const FLUSH_MS = 100;
/** How long shutdown waits for aborted generations and open responses before cutting connections. */
const CUT_OFF_MS = 5000;

export interface RunningInferql {
  url: string;
  resolvers: Resolvers;
  /** This node's id in the scheduler's state (--node-id, else the host name and a random suffix). */
  nodeId: string;
  registry: ModelRegistry;
  scheduler: Scheduler;
  /** Settles when every model is loaded (or loading failed). */
  ready: Promise<void>;
  /**
   * Stops accepting, gives in-flight generations up to `drainMs` to finish, then ends the rest as
   * cancelled (each stream still gets its final event: finish reason cancelled, `[DONE]`, completion),
   * closes WebSockets and connections, and frees the models.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

export async function startInferql(config: Config, logger: Logger): Promise<RunningInferql> {
  const specs = await resolveModelSpecs(config, logger);
  const remotes = config.upstream.map((upstream) => {
    if (specs.some((spec) => spec.id === upstream.id || spec.aliases?.includes(upstream.id)))
      throw new ConfigError(`--upstream: '${upstream.id}' already names a model`);
    if (config.upstream.filter((other) => other.id === upstream.id).length > 1)
      throw new ConfigError(`two upstreams have the id '${upstream.id}'`);
    return new RemoteModel({ ...upstream, slots: upstream.slots ?? config.slots }, logger);
  });
  const registry = new ModelRegistry(
    specs,
    {
      slots: config.slots,
      contextSize: config.ctxSize,
      threads: config.threads,
      batchSize: config.batchSize,
    },
    remotes,
  );
  const scheduler = new Scheduler(registry, {
    queueSize: config.queue,
    requestTimeoutMs: config.requestTimeout * 1000,
    streamInterval: config.streamInterval,
    onListenerError: (error, event) =>
      logger.error(
        { err: error, event: event.type, generationId: event.id },
        "scheduler: an event listener failed",
      ),
  });
  const nodeId = config.nodeId ?? `${hostname()}-${randomBytes(3).toString("hex")}`;
  // With --redis: rate limits, cancellation and the fleet view shared with the other nodes. The Redis
  // client is imported only then (~0.25 s of start-up a single node does not pay).
  const cluster = config.redis
    ? await (await import("./cluster/redisCluster.js")).RedisCluster.start({
        url: config.redis,
        nodeId,
        scheduler,
        logger,
        ttlMs: config.nodeTtl * 1000,
      })
    : undefined;
  const resolvers = createResolvers({
    registry,
    scheduler,
    limits: { maxTokens: config.maxTokensLimit, maxMessages: config.maxMessages },
    nodeId,
    fleet: cluster,
  });
  const metrics = createMetrics(scheduler, registry.modelIds, remotes);
  logGenerations(scheduler, logger);
  const access = new AccessControl({
    apiKeys: config.apiKeys,
    adminApiKeys: config.adminApiKeys,
    metricsApiKey: config.metricsApiKey,
    rateLimitPerMinute: config.rateLimit,
    rateLimiter: cluster && config.rateLimit ? cluster.rateLimiter(config.rateLimit) : undefined,
  });
  let stopping = false;
  const mounts: HttpMount[] = [
    createHealthMount(resolvers),
    createReadyMount(resolvers, () => stopping),
    createMetricsMount(metrics),
    createGraphqlMount(resolvers, logger, { access }),
    createTrpcMount(resolvers, logger, { access }),
    // Before the OpenAI mount: it serves /v1/messages, the OpenAI mount the rest of /v1.
    createAnthropicMount(resolvers, logger),
    createOpenAiMount(resolvers, logger),
    createOllamaMount(resolvers, logger),
    // Last: the playground serves "/" and its assets: static pages, open like GraphiQL (their API calls send the key).
    { ...createPlaygroundMount(logger), access: () => "public" },
  ];
  const server = createHttpServer(mounts, logger, metrics, {
    access,
    cors: new CorsPolicy(config.corsOrigin),
    hostCheck: new HostCheck({ listenHost: config.host, allowedHosts: config.allowedHosts }),
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  // libuvThreads: the pool every decode runs on (bin/inferql.cjs makes it 1; README, "threads").
  const libuvThreads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  logger.info(
    { url, nodeId, threads: config.threads ?? "auto", slots: config.slots, libuvThreads },
    "listening",
  );
  if (!access.requiresApiKey && !isLoopback(config.host))
    logger.warn(
      { host: config.host },
      "listening beyond this machine with no --api-key: anyone who can reach it may use it",
    );

  for (const remote of remotes) remote.start();
  // With upstreams only, the llama.cpp engine is never loaded.
  const ready = specs.length
    ? loadLlama({ gpu: config.gpu, threads: config.threads, logger }).then((llama) =>
        registry.loadAll(llama, logger),
      )
    : registry.loadAll(undefined, logger);

  return {
    url,
    resolvers,
    nodeId,
    registry,
    scheduler,
    ready,
    async close({ drainMs = 0 } = {}) {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await waitUntil(() => scheduler.activeCount === 0, drainMs);
      scheduler.cancelAll();
      await waitUntil(() => scheduler.activeCount === 0, CUT_OFF_MS);
      // Drained: the other nodes drop this one from their fleet view now (not when its entry expires).
      await cluster?.close();
      // The last generation's transport gets FLUSH_MS from that generation's end, not from here: a
      // server idle for longer (the usual stop, and every test's) closes at once.
      const flushLeft = FLUSH_MS - scheduler.msSinceLastEnd;
      if (scheduler.activeCount === 0 && flushLeft > 0) await delay(flushLeft);
      // Streams of generations end by themselves now; what stays open (scheduler watchers) is cut.
      await waitUntil(() => server.openResponses === 0, FLUSH_MS);
      await Promise.all(mounts.map((mount) => mount.close?.()));
      server.closeAllConnections();
      await closed;
      await ready.catch(() => undefined);
      while (scheduler.activeCount > 0) await delay(10);
      await registry.dispose();
    },
  };
}

async function resolveModelSpecs(config: Config, logger: Logger): Promise<ModelSpec[]> {
  const models = [...config.model];
  if (models.length === 0 && config.upstream.length === 0) {
    const generated = await ensureGeneratedModel({ preset: "tiny", seed: 42, cacheDir: defaultCacheDir() });
    logger.info(
      { path: generated.path },
      generated.created
        ? "no --model given: generated the embedded tiny model and serving it"
        : "no --model given: serving the embedded tiny model generated earlier",
    );
    models.push({ id: "tiny", path: generated.path });
  }
  const ids = new Set<string>();
  const specs = models.map((model) => {
    if (ids.has(model.id)) throw new ConfigError(`two models have the id '${model.id}'`);
    ids.add(model.id);
    return { id: model.id, path: model.path, adapters: new Map<string, string>(), aliases: [] as string[] };
  });
  for (const lora of config.lora) {
    const spec = lora.model ? specs.find((candidate) => candidate.id === lora.model) : specs[0];
    if (!spec) throw new ConfigError(`--lora names the model '${lora.model}', which is not served`);
    spec.adapters.set(lora.name, lora.path);
  }
  for (const { model, alias } of config.modelAlias) {
    const spec = model ? specs.find((candidate) => candidate.id === model) : specs[0];
    if (!spec) throw new ConfigError(`--model-alias names the model '${model}', which is not served`);
    if (ids.has(alias)) throw new ConfigError(`--model-alias: '${alias}' already names a model`);
    ids.add(alias);
    spec.aliases.push(alias);
  }
  return specs;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds or `timeoutMs` passes. */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await delay(10);
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
