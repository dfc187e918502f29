// Ollama's native API (/api/chat, /api/generate, /api/embed, /api/tags…), what Open WebUI, the
// `ollama` client libraries, LangChain's ChatOllama and editors' Ollama providers call, routed onto
// the resolvers, with every failure answered in Ollama's error shape.
import type { Logger } from "pino";
import { type HttpMount, pathPrefixMatcher } from "../../api/httpMount.js";
import type { Resolvers } from "../../resolvers/index.js";
import { dispatchRoute } from "../openai/http/dispatchRoute.js";
import { routeLabel } from "../openai/http/route.js";
import { sendJson } from "../openai/http/sendJson.js";
import { toOllamaError } from "./errors.js";
import { ollamaRoutes } from "./router.js";

export function createOllamaMount(resolvers: Resolvers, logger: Logger): HttpMount {
  const log = logger.child({ transport: "ollama" });
  const routes = ollamaRoutes(resolvers);
  return {
    name: "ollama",
    matches: pathPrefixMatcher("/api"),
    routeOf: (pathname) => routeLabel(routes, pathname),
    refuse: (_request, response, error) => {
      const refusal = toOllamaError(error, {}, log);
      sendJson(response, refusal.status, refusal.body(), refusal.headers);
    },
    handle: (request, response) =>
      dispatchRoute(routes, request, response, log, (error, context) =>
        toOllamaError(error, context.renames, log),
      ),
  };
}
