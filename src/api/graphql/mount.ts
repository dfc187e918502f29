// The GraphQL transport on the shared HTTP server: /graphql serves HTTP (queries, mutations, SSE
// subscriptions, GraphiQL) through yoga and WebSocket upgrades through graphql-ws.
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
    handle: (request, response) => yoga.requestListener(request, response),
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
