// The GraphQL transport on the shared HTTP server: /graphql serves HTTP (queries, mutations, SSE
// subscriptions, GraphiQL) through yoga and WebSocket upgrades through graphql-ws.
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import type { Resolvers } from "../../resolvers/index.js";
import type { HttpMount } from "../httpMount.js";
import { serveGraphqlWs } from "./graphqlWs.js";
import { createGraphqlYoga, GRAPHQL_PATH } from "./yoga.js";

export function createGraphqlMount(resolvers: Resolvers, logger: Logger): HttpMount {
  const yoga = createGraphqlYoga(resolvers, logger.child({ transport: "graphql" }));
  const wsServer = new WebSocketServer({ noServer: true });
  const graphqlWs = serveGraphqlWs(yoga, wsServer);
  return {
    name: "graphql",
    matches: (pathname) => pathname === GRAPHQL_PATH,
    handle: (request, response) => yoga.requestListener(request, response),
    upgrade: (request, socket, head) =>
      wsServer.handleUpgrade(request, socket, head, (webSocket) =>
        wsServer.emit("connection", webSocket, request),
      ),
    close: () => graphqlWs.dispose(),
  };
}
