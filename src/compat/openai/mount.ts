// The OpenAI-compatible REST transport: /v1/* plus llama-server's /completion, /infill, /tokenize, /detokenize, /apply-template and /rerank,
// routed to per-endpoint handlers, with every failure answered in OpenAI's error shape.
import type { Logger } from "pino";
import { type HttpMount, pathPrefixMatcher } from "../../api/httpMount.js";
import type { Resolvers } from "../../resolvers/index.js";
import { applyTemplateRoute } from "./applyTemplate/router.js";
import { chatCompletionsRoute } from "./chat/router.js";
import { completionsRoute } from "./completions/router.js";
import { embeddingsRoute } from "./embeddings/router.js";
import { toOpenAiError } from "./errors/toOpenAiError.js";
import { dispatchRoute } from "./http/dispatchRoute.js";
import { type Route, routeLabel } from "./http/route.js";
import { sendJson } from "./http/sendJson.js";
import { UNPREFIXED_PATHS, unprefixedRoutes } from "./http/unprefixedRoutes.js";
import { infillRoute } from "./infill/router.js";
import { llamaCompletionRoute } from "./llamaCompletion/router.js";
import { modelRoutes } from "./models/router.js";
import { rerankRoutes } from "./rerank/router.js";
import { responseRoutes } from "./responses/router.js";
import { tokenizeRoutes } from "./tokenize/router.js";

export function createOpenAiMount(resolvers: Resolvers, logger: Logger): HttpMount {
  const log = logger.child({ transport: "openai" });
  const routes: Route[] = [
    chatCompletionsRoute(resolvers),
    completionsRoute(resolvers),
    embeddingsRoute(resolvers),
    ...rerankRoutes(resolvers),
    infillRoute(resolvers),
    llamaCompletionRoute(resolvers),
    ...responseRoutes(resolvers),
    ...modelRoutes(resolvers),
    ...tokenizeRoutes(resolvers),
    applyTemplateRoute(resolvers),
  ];
  routes.push(...unprefixedRoutes(routes));
  return {
    name: "openai",
    matches: pathPrefixMatcher(
      "/v1",
      "/tokenize",
      "/detokenize",
      "/apply-template",
      "/infill",
      "/completion",
      ...UNPREFIXED_PATHS,
    ),
    routeOf: (pathname) => routeLabel(routes, pathname),
    refuse: (_request, response, error) => {
      const refusal = toOpenAiError(error, {}, log);
      sendJson(response, refusal.status, refusal.body(), refusal.headers);
    },
    handle: (request, response) =>
      dispatchRoute(routes, request, response, log, (error, context) =>
        toOpenAiError(error, context.renames, log),
      ),
  };
}
