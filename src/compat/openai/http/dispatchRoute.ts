// One HTTP request through a list of routes: the route context (client-gone signal, origin, logger),
// the matching route's handler, and any failure answered in the API's own error shape (or the
// stream simply ended when the answer had already begun).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { requestOriginOf } from "../../../api/requestOrigin.js";
import { abortWhenClientGoes } from "./clientGone.js";
import { matchRoute, type Route, type RouteContext } from "./route.js";
import { sendJson } from "./sendJson.js";

/** A failure as an API answers it: its status, body and headers. */
export interface ErrorAnswer {
  status: number;
  body(): unknown;
  headers?: Record<string, string>;
}

export async function dispatchRoute(
  routes: readonly Route[],
  request: IncomingMessage,
  response: ServerResponse,
  logger: Logger,
  answerError: (error: unknown, context: RouteContext) => ErrorAnswer,
): Promise<void> {
  const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
  const context: RouteContext = {
    request,
    response,
    params: {},
    signal: abortWhenClientGoes(response),
    origin: requestOriginOf(request),
    logger,
    renames: {},
  };
  try {
    const { route, params } = matchRoute(routes, request.method ?? "GET", pathname);
    context.params = params;
    await route.handle(context);
  } catch (error) {
    const answer = answerError(error, context);
    if (response.headersSent || response.destroyed) {
      response.end();
      return;
    }
    sendJson(response, answer.status, answer.body(), answer.headers);
  }
}
