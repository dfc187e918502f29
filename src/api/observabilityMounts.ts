// GET /metrics (Prometheus text format) and GET /ready (models loaded and queues not full).
import type { Metrics } from "../observability/metrics.js";
import type { Resolvers } from "../resolvers/index.js";
import { type HttpMount, pathPrefixMatcher } from "./httpMount.js";

export function createMetricsMount(metrics: Metrics): HttpMount {
  return {
    name: "metrics",
    matches: pathPrefixMatcher("/metrics"),
    // Open, or protected by its own key (--metrics-api-key) so a scraper needs no API key.
    access: () => "metrics",
    async handle(_request, response) {
      const body = await metrics.registry.metrics();
      response.writeHead(200, { "content-type": metrics.registry.contentType });
      response.end(body);
    },
  };
}

/** `stopping`: whether the server is shutting down (draining), which makes it not ready. */
export function createReadyMount(resolvers: Resolvers, stopping: () => boolean = () => false): HttpMount {
  return {
    name: "ready",
    matches: pathPrefixMatcher("/ready"),
    // Readiness probes carry no key.
    access: () => "public",
    handle(_request, response) {
      const health = resolvers.health();
      const state = resolvers.schedulerState();
      // This node's queues only: with a fleet (--redis) the state lists every node's.
      const saturated = state.models
        .filter((model) => model.nodeId === state.nodeId)
        .filter((model) => model.queueCapacity > 0 && model.queued >= model.queueCapacity)
        .map((model) => model.model);
      const ready = health.status === "ready" && saturated.length === 0 && !stopping();
      response.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
      response.end(JSON.stringify({ ready, status: stopping() ? "stopping" : health.status, saturated }));
    },
  };
}
