// One node:http server on one port: requests routed by path to the mounted transports,
// WebSocket upgrades routed by path too, and a JSON 404 for everything else. Before a request
// reaches its transport it passes CORS (preflights are answered here), the Host check, the API key
// check, the rate limit and the body size limit; a refusal is answered in the transport's own error
// shape. Every request gets an id (x-request-id), is counted in the metrics, and runs in its request context.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { DomainError, HostNotAllowedError, PayloadTooLargeError, retryAfterSecondsOf } from "../errors.js";
import type { Metrics } from "../observability/metrics.js";
import { AccessControl, credentialFromHeaders } from "../security/accessControl.js";
import { CorsPolicy } from "../security/cors.js";
import { HostCheck } from "../security/hostCheck.js";
import { type HttpMount, refusalStatus } from "./httpMount.js";
import { declaresTooLargeBody, MAX_BODY_BYTES } from "./requestLimits.js";
import { requestIdFrom, tagRequestOrigin } from "./requestOrigin.js";

export interface HttpServerOptions {
  /** API keys and rate limits; the default lets everything in. */
  access?: AccessControl;
  /** Cross-origin access; the default allows same-origin pages only. */
  cors?: CorsPolicy;
  /** The Host names served (DNS rebinding guard); the default allows loopback names and IP addresses. */
  hostCheck?: HostCheck;
}

export interface InferqlHttpServer extends Server {
  /** Responses begun and not yet finished (streams included): what a graceful shutdown waits for. */
  readonly openResponses: number;
}

export function createHttpServer(
  mounts: readonly HttpMount[],
  logger: Logger,
  metrics?: Metrics,
  {
    access = new AccessControl(),
    cors = new CorsPolicy(),
    hostCheck = new HostCheck(),
  }: HttpServerOptions = {},
): InferqlHttpServer {
  let openResponses = 0;
  const route = (request: IncomingMessage) => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    const mount = mounts.find((candidate) => candidate.matches(pathname));
    return { pathname, mount, routeLabel: mount ? (mount.routeOf?.(pathname) ?? mount.name) : "unmatched" };
  };

  /** Throws the DomainError that keeps this request out, if any. */
  const admit = async (mount: HttpMount, request: IncomingMessage) => {
    assertHostAllowed(hostCheck, request);
    const scope = mount.access?.(request) ?? "api";
    const credential = credentialFromHeaders(request) ?? mount.credentialOf?.(request);
    const client = access.authenticateRequest(scope, request, credential);
    if (scope === "api") await access.admit(client);
    if (declaresTooLargeBody(request.headers["content-length"]))
      throw new PayloadTooLargeError(MAX_BODY_BYTES);
  };

  const refuse = async (
    mount: HttpMount,
    request: IncomingMessage,
    response: ServerResponse,
    error: DomainError,
  ) => {
    if (error.code === "UNAUTHENTICATED") response.setHeader("www-authenticate", 'Bearer realm="inferql"');
    const retryAfter = retryAfterSecondsOf(error);
    if (retryAfter !== undefined) response.setHeader("retry-after", String(retryAfter));
    // The body is left unread: node discards it once the response ends, keeping the connection usable.
    if (mount.refuse) return mount.refuse(request, response, error);
    response.writeHead(refusalStatus(error), { "content-type": "application/json" });
    response.end(JSON.stringify({ error: { message: error.message, code: error.code } }));
  };

  const server = createServer((request, response) => {
    const startedAt = performance.now();
    const { pathname, mount, routeLabel } = route(request);
    const requestId = requestIdFrom(request.headers["x-request-id"]);
    response.setHeader("x-request-id", requestId);
    openResponses++;
    response.on("close", () => {
      openResponses--;
      const seconds = (performance.now() - startedAt) / 1000;
      const transport = mount?.name ?? "none";
      metrics?.observeRequest({ transport, route: routeLabel, status: response.statusCode }, seconds);
      logger.debug(
        {
          requestId,
          transport,
          method: request.method,
          route: routeLabel,
          status: response.statusCode,
          ms: seconds * 1000,
        },
        "request",
      );
    });
    if (!mount) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: { message: `No route for ${request.method} ${pathname}`, code: "NOT_FOUND" },
        }),
      );
      return;
    }
    if (cors.apply(request, response)) return;
    tagRequestOrigin(request, { requestId, transport: mount.name });
    void (async () => {
      try {
        try {
          await admit(mount, request);
        } catch (error) {
          if (error instanceof DomainError) return await refuse(mount, request, response, error);
          throw error;
        }
        await mount.handle(request, response);
      } catch (error: unknown) {
        logger.error({ err: error, requestId, transport: mount.name }, "unhandled error in transport");
        if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
        response.end();
      }
    })();
  });

  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { mount, routeLabel } = route(request);
    const transport = mount?.name ?? "none";
    const answer = (status: 403 | 404, line: string) => {
      metrics?.observeRequest({ transport, route: routeLabel, status }, 0);
      socket.end(`HTTP/1.1 ${status} ${line}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!mount?.upgrade) return answer(404, "Not Found");
    if (!hostCheck.allows(request.headers.host)) return answer(403, "Forbidden");
    // Browsers let any page open a WebSocket anywhere and only report its origin: refuse other sites.
    const origin = request.headers.origin;
    if (origin !== undefined && !cors.allows(request, origin)) return answer(403, "Forbidden");
    metrics?.observeRequest({ transport, route: routeLabel, status: 101 }, 0);
    tagRequestOrigin(request, {
      requestId: requestIdFrom(request.headers["x-request-id"]),
      transport: mount.name,
    });
    mount.upgrade(request, socket, head);
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });
  return Object.defineProperty(server, "openResponses", { get: () => openResponses }) as InferqlHttpServer;
}

/** Throws HostNotAllowedError for a Host a rebound DNS name may have sent (security/hostCheck.ts). */
function assertHostAllowed(hostCheck: HostCheck, request: IncomingMessage): void {
  const host = request.headers.host;
  if (!hostCheck.allows(host)) throw new HostNotAllowedError(String(host).slice(0, 255));
}
