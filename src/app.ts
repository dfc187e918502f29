// Composition root: models → registry → scheduler → resolvers → transports → one HTTP server.
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { createGraphqlMount } from "./api/graphql/index.js";
import { createHealthMount } from "./api/healthMount.js";
import { createHttpServer } from "./api/http.js";
import type { HttpMount } from "./api/httpMount.js";
import { createMetricsMount, createReadyMount } from "./api/observabilityMounts.js";
import { createPlaygroundMount } from "./api/playground/index.js";
import { createTrpcMount } from "./api/trpc/index.js";
import { createOpenAiMount } from "./compat/openai/index.js";
import { type Config, ConfigError } from "./config.js";
import type { ModelSpec } from "./inference/engine/loadedModel.js";
import { loadLlama } from "./inference/engine/loadLlama.js";
import { defaultCacheDir, ensureGeneratedModel } from "./inference/generatedModel/defaultModel.js";
import { ModelRegistry } from "./inference/modelRegistry.js";
import { Scheduler } from "./inference/scheduler/scheduler.js";
import { logGenerations } from "./observability/generationLog.js";
import { createMetrics } from "./observability/metrics.js";
import { createResolvers, type Resolvers } from "./resolvers/index.js";

export interface RunningInferql {
  url: string;
  resolvers: Resolvers;
  registry: ModelRegistry;
  scheduler: Scheduler;
  /** Settles when every model is loaded (or loading failed). */
  ready: Promise<void>;
  /** Stops accepting, gives in-flight generations up to `drainMs`, aborts the rest, frees the models. */
  close(options?: { drainMs?: number }): Promise<void>;
}

export async function startInferql(config: Config, logger: Logger): Promise<RunningInferql> {
  const specs = await resolveModelSpecs(config, logger);
  const registry = new ModelRegistry(specs, {
    slots: config.slots,
    contextSize: config.ctxSize,
    threads: config.threads,
    batchSize: config.batchSize,
  });
  const scheduler = new Scheduler(registry, {
    queueSize: config.queue,
    requestTimeoutMs: config.requestTimeout * 1000,
  });
  const resolvers = createResolvers({ registry, scheduler });
  const metrics = createMetrics(scheduler);
  logGenerations(scheduler, logger);
  const mounts: HttpMount[] = [
    createHealthMount(resolvers),
    createReadyMount(resolvers),
    createMetricsMount(metrics),
    createGraphqlMount(resolvers, logger),
    createTrpcMount(resolvers, logger),
    createOpenAiMount(resolvers, logger),
    // Last: the playground serves "/" and its assets.
    createPlaygroundMount(logger),
  ];
  const server = createHttpServer(mounts, logger, metrics);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, threads: config.threads, slots: config.slots }, "listening");

  const ready = loadLlama({ gpu: config.gpu, logger }).then((llama) => registry.loadAll(llama, logger));

  return {
    url,
    resolvers,
    registry,
    scheduler,
    ready,
    async close({ drainMs = 0 } = {}) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const drainUntil = Date.now() + drainMs;
      while (scheduler.activeCount > 0 && Date.now() < drainUntil)
        await new Promise((r) => setTimeout(r, 25));
      scheduler.cancelAll();
      await Promise.all(mounts.map((mount) => mount.close?.()));
      server.closeAllConnections();
      await closed;
      await ready.catch(() => undefined);
      while (scheduler.activeCount > 0) await new Promise((r) => setTimeout(r, 10));
      await registry.dispose();
    },
  };
}

async function resolveModelSpecs(config: Config, logger: Logger): Promise<ModelSpec[]> {
  const models = [...config.model];
  if (models.length === 0) {
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
    return { id: model.id, path: model.path, adapters: new Map<string, string>() };
  });
  for (const lora of config.lora) {
    const spec = lora.model ? specs.find((candidate) => candidate.id === lora.model) : specs[0];
    if (!spec) throw new ConfigError(`--lora names the model '${lora.model}', which is not served`);
    spec.adapters.set(lora.name, lora.path);
  }
  return specs;
}
