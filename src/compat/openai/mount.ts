// The OpenAI-compatible REST transport: /v1/* plus llama-server's /tokenize, /detokenize, /apply-template and /rerank,
// routed to per-endpoint handlers, with every failure answered in OpenAI's error shape.
import type { Logger } from "pino";
import { type HttpMount, pathPrefixMatcher } from "../../api/httpMount.js";
import { requestOriginOf } from "../../api/requestOrigin.js";
import type { Resolvers } from "../../resolvers/index.js";
import { applyTemplateRoute } from "./applyTemplate/router.js";
import { chatCompletionsRoute } from "./chat/router.js";
import { completionsRoute } from "./completions/router.js";
import { embeddingsRoute } from "./embeddings/router.js";
import { toOpenAiError } from "./errors/toOpenAiError.js";
import { abortWhenClientGoes } from "./http/clientGone.js";
import { matchRoute, type Route, type RouteContext, routeLabel } from "./http/route.js";
import { sendJson } from "./http/sendJson.js";
import { UNPREFIXED_PATHS, unprefixedRoutes } from "./http/unprefixedRoutes.js";
import { infillRoute } from "./infill/router.js";
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
      ...UNPREFIXED_PATHS,
    ),
    routeOf: (pathname) => routeLabel(routes, pathname),
    refuse: (_request, response, error) => {
      const refusal = toOpenAiError(error, {}, log);
      sendJson(response, refusal.status, refusal.body(), refusal.headers);
    },
    async handle(request, response) {
      const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
      const context: RouteContext = {
        request,
        response,
        params: {},
        signal: abortWhenClientGoes(response),
        origin: requestOriginOf(request),
        logger: log,
        renames: {},
      };
      try {
        const { route, params } = matchRoute(routes, request.method ?? "GET", pathname);
        context.params = params;
        await route.handle(context);
      } catch (error) {
        const openAiError = toOpenAiError(error, context.renames, log);
        if (response.headersSent || response.destroyed) {
          response.end();
          return;
        }
        sendJson(response, openAiError.status, openAiError.body(), openAiError.headers);
      }
    },
  };
}
