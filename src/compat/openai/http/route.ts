// What a route handler gets, and how routes are declared and matched.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { RequestOrigin } from "../../../api/requestOrigin.js";
import { OpenAiError } from "../errors/openAiError.js";
import type { ParamRenames } from "../errors/wireParam.js";

export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  /** Named groups of the route's path pattern, URI-decoded. */
  params: Readonly<Record<string, string>>;
  /** Aborts when the client goes away before its response is complete: pass it to every resolver call. */
  signal: AbortSignal;
  /** The request as the server named it: pass it to every generation, for its log line. */
  origin?: RequestOrigin;
  logger: Logger;
  /** Resolver fields whose wire name is not their snake_case form; a route sets it once it has read the request. */
  renames: ParamRenames;
}

export interface Route {
  method: "GET" | "POST" | "DELETE";
  /** An exact path, or a pattern whose named groups become `params`. */
  path: string | RegExp;
  /** The metrics label of a pattern route, its ids as placeholders (`/v1/models/{id}`); an exact path is its own. */
  label?: string;
  handle(context: RouteContext): Promise<void> | void;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** The route for a request; a 404 for an unknown path, a 405 for a known path with another method. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const matches = routes.flatMap((route) => {
    const params = matchPath(route.path, pathname);
    return params ? [{ route, params }] : [];
  });
  const match = matches.find((candidate) => candidate.route.method === method);
  if (match) return match;
  if (matches.length === 0)
    throw new OpenAiError(
      404,
      "invalid_request_error",
      `Invalid URL (${method} ${pathname})`,
      null,
      "unknown_url",
    );
  const allowed = [...new Set(matches.map((candidate) => candidate.route.method))].join(", ");
  throw new OpenAiError(
    405,
    "invalid_request_error",
    `Method ${method} is not allowed on ${pathname} (allowed: ${allowed})`,
    null,
    "method_not_allowed",
    { allow: allowed },
  );
}

function matchPath(path: string | RegExp, pathname: string): Record<string, string> | undefined {
  if (typeof path === "string") return path === pathname ? {} : undefined;
  const match = path.exec(pathname);
  if (!match) return undefined;
  try {
    return Object.fromEntries(
      Object.entries(match.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)]),
    );
  } catch {
    return undefined;
  }
}

/** The metrics label of the route serving `pathname` (bounded: ids are placeholders, unknown paths one label). */
export function routeLabel(routes: readonly Route[], pathname: string): string {
  const route = routes.find((candidate) => matchPath(candidate.path, pathname));
  if (!route) return "unknown";
  return typeof route.path === "string" ? route.path : (route.label ?? "unknown");
}
