// Prometheus metrics (prom-client): HTTP requests by transport, route and status; tokens;
// time to first token and inter-token latency; queue depth, busy slots, prefix-cache hits.
// Label values are bounded: a client's words (a model id no model has, a path) never become one,
// or every new string would add a time series.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RemoteModel, ReplicaState } from "../inference/remote/remoteModel.js";
import type { Scheduler } from "../inference/scheduler/scheduler.js";

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const TOKEN_LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export interface Metrics {
  registry: Registry;
  observeRequest(labels: { transport: string; route: string; status: number }, seconds: number): void;
}

/** The label for a generation's model: its id when it is served, else "unknown". */
export const UNKNOWN_MODEL_LABEL = "unknown";

/** `servedModelIds`: the configured models' ids, the only `model` label values besides "unknown". */
/**
 * `upstreams`: the remote models (--upstream), whose metrics are labelled by upstream id and replica
 * (its configured URL's origin): both come from the configuration only.
 */
export function createMetrics(
  scheduler: Scheduler,
  servedModelIds: readonly string[],
  upstreams: readonly RemoteModel[] = [],
): Metrics {
  const served = new Set(servedModelIds);
  const modelLabel = (model: string) => (served.has(model) ? model : UNKNOWN_MODEL_LABEL);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "inferql_" });
  const registers = [registry];

  const requests = new Counter({
    name: "inferql_http_requests_total",
    help: "HTTP requests and WebSocket upgrades by transport, route and status",
    labelNames: ["transport", "route", "status"],
    registers,
  });
  const requestDuration = new Histogram({
    name: "inferql_http_request_duration_seconds",
    help: "Time from request to the end of its response (streams included)",
    labelNames: ["transport"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const promptTokens = new Counter({
    name: "inferql_prompt_tokens_total",
    help: "Prompt tokens of finished generations",
    labelNames: ["model"],
    registers,
  });
  const cachedPromptTokens = new Counter({
    name: "inferql_prompt_cache_hit_tokens_total",
    help: "Prompt tokens reused from a slot's KV cache instead of evaluated",
    labelNames: ["model"],
    registers,
  });
  const generatedTokens = new Counter({
    name: "inferql_generated_tokens_total",
    help: "Generated tokens",
    labelNames: ["model"],
    registers,
  });
  const generations = new Counter({
    name: "inferql_generations_total",
    help: "Generations by how they ended (stop, length, cancelled, error, rejected)",
    labelNames: ["model", "finish_reason"],
    registers,
  });
  const timeToFirstToken = new Histogram({
    name: "inferql_time_to_first_token_seconds",
    help: "From the request reaching the scheduler to its first generated text",
    labelNames: ["model"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const interTokenLatency = new Histogram({
    name: "inferql_inter_token_latency_seconds",
    help: "Time between generated tokens of one generation",
    labelNames: ["model"],
    buckets: TOKEN_LATENCY_BUCKETS,
    registers,
  });
  new Gauge({
    name: "inferql_queue_depth",
    help: "Requests waiting for a slot",
    labelNames: ["model"],
    registers,
    collect() {
      for (const model of scheduler.state().models)
        this.set({ model: modelLabel(model.model) }, model.queued);
    },
  });
  new Gauge({
    name: "inferql_busy_slots",
    help: "Slots generating now",
    labelNames: ["model"],
    registers,
    collect() {
      for (const model of scheduler.state().models)
        this.set({ model: modelLabel(model.model) }, model.busySlots);
    },
  });

  const timings = new Map<string, { receivedAt: number; lastTokenAt?: number }>();
  scheduler.onEvent((event) => {
    const now = performance.now();
    if (event.type === "received") {
      timings.set(event.id, { receivedAt: now });
      return;
    }
    // A request names its model: until it is admitted, that is any string a client sent.
    const model = modelLabel(event.model);
    if (event.type === "started") cachedPromptTokens.inc({ model }, event.cachedPromptTokens);
    else if (event.type === "tokens") {
      const timing = timings.get(event.id);
      generatedTokens.inc({ model }, event.count);
      if (!timing) return;
      if (timing.lastTokenAt === undefined)
        timeToFirstToken.observe({ model }, (now - timing.receivedAt) / 1000);
      else interTokenLatency.observe({ model }, (now - timing.lastTokenAt) / 1000 / event.count);
      timing.lastTokenAt = now;
    } else if (event.type === "finished") {
      timings.delete(event.id);
      generations.inc({ model, finish_reason: event.reason });
      if (event.usage) promptTokens.inc({ model }, event.usage.promptTokens);
    }
  });

  observeUpstreams(upstreams, registers);

  return {
    registry,
    observeRequest({ transport, route, status }, seconds) {
      requests.inc({ transport, route, status: String(status) });
      requestDuration.observe({ transport }, seconds);
    },
  };
}

/** Per upstream and replica: attempts by outcome, errors by kind, latency, ejections, health, load. */
function observeUpstreams(upstreams: readonly RemoteModel[], registers: Registry[]): void {
  if (upstreams.length === 0) return;
  const labelNames = ["upstream", "replica"];
  const requests = new Counter({
    name: "inferql_upstream_requests_total",
    help: "Requests sent to upstream replicas, by outcome (ok, cancelled, timeout, error, retried)",
    labelNames: [...labelNames, "outcome"],
    registers,
  });
  const errors = new Counter({
    name: "inferql_upstream_errors_total",
    help: "Failed upstream requests by kind (connect, hang, status, stream, upstream)",
    labelNames: [...labelNames, "kind"],
    registers,
  });
  const duration = new Histogram({
    name: "inferql_upstream_request_duration_seconds",
    help: "From sending a request to an upstream replica to the end of its stream",
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const firstToken = new Histogram({
    name: "inferql_upstream_time_to_first_token_seconds",
    help: "From sending a request to an upstream replica to its first output",
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const ejections = new Counter({
    name: "inferql_upstream_ejections_total",
    help: "Times an upstream replica was taken out of rotation (failed or hung request, failed health check)",
    labelNames,
    registers,
  });
  /** A gauge read off every replica's state at each scrape. */
  const replicaGauge = (name: string, help: string, read: (replica: ReplicaState) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        for (const upstream of upstreams)
          for (const replica of upstream.replicaStates())
            this.set({ upstream: upstream.id, replica: replica.label }, read(replica));
      },
    });
  replicaGauge(
    "inferql_upstream_replica_healthy",
    "1 while an upstream replica is in rotation, 0 while it is ejected",
    (replica) => (replica.healthy ? 1 : 0),
  );
  replicaGauge(
    "inferql_upstream_outstanding_requests",
    "Requests running on an upstream replica now",
    (replica) => replica.outstanding,
  );
  for (const upstream of upstreams) {
    const known = new Set(upstream.replicaLabels);
    upstream.onEvent((event) => {
      if (!known.has(event.replica)) return;
      const labels = { upstream: event.upstream, replica: event.replica };
      if (event.type === "ejected") ejections.inc(labels);
      else if (event.type === "attempt") {
        requests.inc({ ...labels, outcome: event.outcome });
        if (event.errorKind) errors.inc({ ...labels, kind: event.errorKind });
        duration.observe(labels, event.seconds);
        if (event.firstTokenSeconds !== undefined) firstToken.observe(labels, event.firstTokenSeconds);
      }
    });
  }
}
