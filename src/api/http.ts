// One node:http server on one port: requests routed by path to the mounted transports,
// WebSocket upgrades routed by path too, and a JSON 404 for everything else.
import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import type { HttpMount } from "./httpMount.js";

export function createHttpServer(mounts: readonly HttpMount[], logger: Logger): Server {
  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    const mount = mounts.find((candidate) => candidate.matches(pathname));
    if (!mount) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: { message: `No route for ${request.method} ${pathname}`, code: "NOT_FOUND" },
        }),
      );
      return;
    }
    Promise.resolve(mount.handle(request, response)).catch((error: unknown) => {
      logger.error({ err: error, mount: mount.name }, "unhandled error in transport");
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end();
    });
  });
  server.on("upgrade", (request, socket, head) => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    const mount = mounts.find((candidate) => candidate.matches(pathname) && candidate.upgrade);
    if (!mount?.upgrade) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    mount.upgrade(request, socket, head);
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });
  return server;
}
