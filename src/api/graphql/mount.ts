// The GraphQL transport on the shared HTTP server: /graphql serves HTTP (queries, mutations, SSE
// subscriptions, GraphiQL) through yoga and WebSocket upgrades through graphql-ws.
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import type { Resolvers } from "../../resolvers/index.js";
import { AccessControl } from "../../security/accessControl.js";
import { type HttpMount, refusalStatus } from "../httpMount.js";
import { isWebSocketProtocolError, MAX_WEBSOCKET_MESSAGE_BYTES } from "../requestLimits.js";
import { toGraphqlError } from "./errorHandling.js";
import { serveGraphqlWs } from "./graphqlWs.js";
import { createGraphqlYoga, GRAPHQL_PATH } from "./yoga.js";

export interface GraphqlMountOptions {
  /** API keys and rate limits for operations over WebSocket (HTTP requests are checked by the server). */
  access?: AccessControl;
}

export function createGraphqlMount(
  resolvers: Resolvers,
  logger: Logger,
  { access = new AccessControl() }: GraphqlMountOptions = {},
): HttpMount {
  const log = logger.child({ transport: "graphql" });
  const yoga = createGraphqlYoga(resolvers, log);
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES });
  const graphqlWs = serveGraphqlWs(yoga, wsServer, access);
  return {
    name: "graphql",
    matches: (pathname) => pathname === GRAPHQL_PATH,
    // GraphiQL is a static page (it sends the key with its own requests); everything else is the API.
    // Yoga renders it, and executes nothing, for a GET that accepts text/html (its shouldRenderGraphiQL).
    access: (request) =>
      request.method === "GET" && (request.headers.accept ?? "").includes("text/html") ? "public" : "api",
    refuse: (_request, response, error) => {
      response.writeHead(refusalStatus(error), { "content-type": "application/graphql-response+json" });
      response.end(JSON.stringify({ errors: [toGraphqlError(error).toJSON()] }));
    },
    handle: (request, response) => {
      if ((request.headers.accept ?? "").includes("text/event-stream")) coalesceWritesPerLoopTurn(response);
      return yoga.requestListener(request, response);
    },
    upgrade: (request, socket, head) =>
      wsServer.handleUpgrade(request, socket, head, (webSocket) => {
        wsServer.emit("connection", webSocket, request);
        // graphql-ws reports socket errors on the console as its own failures; they are the
        // client's (ws has already closed the socket, e.g. with 1009 for a message over the limit).
        webSocket.removeAllListeners("error");
        webSocket.on("error", (error) =>
          isWebSocketProtocolError(error)
            ? log.debug({ err: error }, "graphql-ws: client broke the protocol")
            : log.error({ err: error }, "graphql-ws: socket failed"),
        );
      }),
    close: () => graphqlWs.dispose(),
  };
}

/**
 * Corks an SSE response's socket from its first write in a turn of the event loop until the end of
 * that turn (setImmediate), so the events written in one turn leave in one `writev`. Yoga hands each
 * event to the response through a Node Readable, whose every chunk comes a process.nextTick later,
 * after Node's own per-tick cork of the response has already let the previous one go out alone.
 * The bytes are the same; an event waits at most for the rest of the turn it was written in.
 */
function coalesceWritesPerLoopTurn(response: ServerResponse): void {
  const write = response.write;
  let corked = false;
  response.write = function (this: ServerResponse, ...args: unknown[]) {
    // The socket itself: a finished response lets go of it (a kept-alive one serves the next request).
    const socket = response.socket;
    if (!corked && socket && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return (write as (...args: unknown[]) => boolean).apply(this, args);
  } as ServerResponse["write"];
}
