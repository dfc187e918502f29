// llama-server answers its OpenAI endpoints without /v1 too (/chat/completions, /models…): the same routes, unprefixed.
import type { Route } from "./route.js";

/** The endpoints llama-server serves at both paths, by their /v1 metrics label. */
const UNPREFIXED_ENDPOINTS = new Set([
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
  "/v1/models",
  "/v1/models/{id}",
  "/v1/rerank",
  "/v1/reranking",
]);

/** The paths the unprefixed routes live under, for the mount's matcher. */
export const UNPREFIXED_PATHS = [
  "/chat/completions",
  "/completions",
  "/embeddings",
  "/models",
  "/rerank",
  "/reranking",
];

export function unprefixedRoutes(routes: readonly Route[]): Route[] {
  return routes.flatMap((route): Route[] => {
    const label = typeof route.path === "string" ? route.path : route.label;
    if (!label || !UNPREFIXED_ENDPOINTS.has(label)) return [];
    if (typeof route.path === "string") return [{ ...route, path: route.path.slice("/v1".length) }];
    const source = route.path.source.replace(/^\^\\\/v1/, "^");
    return [{ ...route, path: new RegExp(source, route.path.flags), label: label.slice("/v1".length) }];
  });
}
