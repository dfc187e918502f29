// GET /health: 503 while models load, 200 with the model ids once ready.
import type { Resolvers } from "../resolvers/index.js";
import { type HttpMount, pathPrefixMatcher } from "./httpMount.js";

export function createHealthMount(resolvers: Resolvers): HttpMount {
  return {
    name: "health",
    matches: pathPrefixMatcher("/health"),
    // Liveness probes carry no key.
    access: () => "public",
    handle(_request, response) {
      const health = resolvers.health();
      response.writeHead(health.status === "ready" ? 200 : 503, { "content-type": "application/json" });
      response.end(JSON.stringify(health));
    },
  };
}
