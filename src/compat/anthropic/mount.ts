// Anthropic's Messages API (/v1/messages, what Claude Code and the Anthropic SDK call), routed onto the
// chat resolvers, with every failure answered in Anthropic's error shape. Its key may come as `x-api-key`.
import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import { type HttpMount, pathPrefixMatcher } from "../../api/httpMount.js";
import type { Resolvers } from "../../resolvers/index.js";
import { dispatchRoute } from "../openai/http/dispatchRoute.js";
import { routeLabel } from "../openai/http/route.js";
import { sendJson } from "../openai/http/sendJson.js";
import { toAnthropicError } from "./errors.js";
import { messagesRoutes } from "./router.js";
import { messagesParamRenames } from "./serving.js";

export function createAnthropicMount(resolvers: Resolvers, logger: Logger): HttpMount {
  const log = logger.child({ transport: "anthropic" });
  const routes = messagesRoutes(resolvers);
  return {
    name: "anthropic",
    // Before the OpenAI mount, which serves the rest of /v1.
    matches: pathPrefixMatcher("/v1/messages"),
    routeOf: (pathname) => routeLabel(routes, pathname),
    credentialOf: apiKeyHeader,
    refuse: (_request, response, error) => {
      const refusal = toAnthropicError(error, log);
      sendJson(response, refusal.status, refusal.body(), refusal.headers);
    },
    handle: (request, response) =>
      dispatchRoute(routes, request, response, log, (error) =>
        toAnthropicError(error, log, messagesParamRenames),
      ),
  };
}

/** Anthropic clients send their key as `x-api-key` (`Authorization: Bearer` is read by the server first). */
function apiKeyHeader(request: IncomingMessage): string | undefined {
  const key = request.headers["x-api-key"];
  return typeof key === "string" && key !== "" ? key : undefined;
}
