// One node:http server on one port: requests routed by path to the mounted transports,
// WebSocket upgrades routed by path too, and a JSON 404 for everything else. Every request gets
// an id (x-request-id), is counted in the metrics, and runs in its request context.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Logger } from "pino";
import type { Metrics } from "../observability/metrics.js";
import { requestIdFrom, runInRequestContext } from "../observability/requestContext.js";
import type { HttpMount } from "./httpMount.js";

export function createHttpServer(mounts: readonly HttpMount[], logger: Logger, metrics?: Metrics): Server {
  const route = (request: IncomingMessage) => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    const mount = mounts.find((candidate) => candidate.matches(pathname));
    return { pathname, mount, routeLabel: mount ? (mount.routeOf?.(pathname) ?? mount.name) : "unmatched" };
  };

  const server = createServer((request, response) => {
    const startedAt = performance.now();
    const { pathname, mount, routeLabel } = route(request);
    const requestId = requestIdFrom(request.headers["x-request-id"]);
    response.setHeader("x-request-id", requestId);
    response.on("close", () => {
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
    runInRequestContext({ requestId, transport: mount.name }, () =>
      Promise.resolve(mount.handle(request, response)).catch((error: unknown) => {
        logger.error({ err: error, requestId, transport: mount.name }, "unhandled error in transport");
        if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
        response.end();
      }),
    );
  });
  server.on("upgrade", (request, socket, head) => {
    const { mount, routeLabel } = route(request);
    if (!mount?.upgrade) {
      metrics?.observeRequest({ transport: mount?.name ?? "none", route: routeLabel, status: 404 }, 0);
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    metrics?.observeRequest({ transport: mount.name, route: routeLabel, status: 101 }, 0);
    const requestId = requestIdFrom(request.headers["x-request-id"]);
    runInRequestContext({ requestId, transport: mount.name }, () => mount.upgrade?.(request, socket, head));
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });
  return server;
}
