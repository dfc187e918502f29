// Cross-origin access for browsers: which origins may call the API, the headers that say so, and
// answers to preflight requests. With no origin configured, only same-origin pages may call.
import type { IncomingMessage, ServerResponse } from "node:http";

const ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";
const ALLOWED_HEADERS =
  "authorization, content-type, accept, x-request-id, trpc-accept, last-event-id, x-api-key, anthropic-version, anthropic-beta";
const EXPOSED_HEADERS = "x-request-id, retry-after";
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: ReadonlySet<string>;

  constructor(origins: readonly string[] = []) {
    this.anyOrigin = origins.includes("*");
    this.origins = new Set(origins);
  }

  /** Whether a page from `origin` may call this server (same-origin pages always may). */
  allows(request: IncomingMessage, origin: string): boolean {
    return this.anyOrigin || this.origins.has(origin) || isSameOrigin(request, origin);
  }

  /**
   * Adds the CORS headers a cross-origin request from an allowed origin needs. Answers a preflight
   * itself (true: the request is handled): 204 with the allowed methods and headers, or 403 for an
   * origin that is not allowed.
   */
  apply(request: IncomingMessage, response: ServerResponse): boolean {
    const origin = request.headers.origin;
    response.appendHeader("vary", "Origin");
    const allowed = origin !== undefined && this.allows(request, origin);
    if (allowed) {
      response.setHeader("access-control-allow-origin", this.anyOrigin ? "*" : origin);
      response.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
    }
    const preflight = request.method === "OPTIONS" && request.headers["access-control-request-method"];
    if (!preflight) return false;
    if (allowed) {
      response.writeHead(204, {
        "access-control-allow-methods": ALLOWED_METHODS,
        "access-control-allow-headers": ALLOWED_HEADERS,
        "access-control-max-age": String(PREFLIGHT_MAX_AGE_SECONDS),
      });
      response.end();
    } else {
      response.writeHead(403, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ error: { message: "This origin may not call this server", code: "CORS" } }),
      );
    }
    return true;
  }
}

function isSameOrigin(request: IncomingMessage, origin: string): boolean {
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
