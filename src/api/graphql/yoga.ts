// The GraphQL server (graphql-yoga) for queries, mutations and SSE subscriptions, with error
// masking, request ids, query limits and GraphiQL. graphqlWs.ts serves the same instance over WebSocket.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import type { Logger } from "pino";
import type { Resolvers } from "../../resolvers/index.js";
import { requestOriginOf } from "../requestOrigin.js";
import type { GraphqlContext } from "./context.js";
import { createErrorHandling, requestErrorStatusPlugin } from "./errorHandling.js";
import { createOfflineGraphiqlRenderer, GRAPHIQL_DEFAULT_QUERY } from "./graphiql.js";
import { usePlannedSubscriptionEvents } from "./plannedSubscriptionEvents.js";
import { DEFAULT_QUERY_LIMITS, type QueryLimits, useQueryLimits } from "./queryLimits.js";
import { useSafeRequestParsing } from "./requestParsing.js";
import { schema } from "./schema.js";
import { useSseSubscriptionResponses } from "./sseSubscriptionResponses.js";

export const GRAPHQL_PATH = "/graphql";

/** What the transport adds to yoga's initial context: graphqlWs.ts sets it for operations over a WebSocket. */
export interface GraphqlServerContext {
  /** The Node request (for a WebSocket: its upgrade); yoga's Node adapter sets it for HTTP. */
  req?: IncomingMessage;
  /** Aborts when the WebSocket closes; absent for HTTP requests, whose `request.signal` does that. */
  socketSignal?: AbortSignal;
}

export type GraphqlYoga = YogaServerInstance<GraphqlServerContext, GraphqlContext>;

export function createGraphqlYoga(
  resolvers: Resolvers,
  logger: Logger,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): GraphqlYoga {
  const { errorLogPlugin, maskError, yogaLogger } = createErrorHandling(logger);
  return createYoga<GraphqlServerContext, GraphqlContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    multipart: false,
    // The body limit is the server's (useSafeRequestParsing, answered as PAYLOAD_TOO_LARGE): yoga's
    // own 25 MB one would otherwise fire first on a larger chunked body, in its own words.
    maxRequestBodySize: false,
    // CORS is the HTTP server's (one policy for every transport, from --cors-origin).
    cors: false,
    logging: yogaLogger,
    maskedErrors: { maskError },
    graphiql: { title: "inferql GraphiQL", defaultQuery: GRAPHIQL_DEFAULT_QUERY },
    renderGraphiQL: createOfflineGraphiqlRenderer(),
    plugins: [
      errorLogPlugin,
      requestErrorStatusPlugin,
      useQueryLimits(limits),
      useSafeRequestParsing(),
      usePlannedSubscriptionEvents(),
      useSseSubscriptionResponses(),
    ],
    context: (initial): GraphqlContext => {
      const origin = requestOriginOf(initial.req);
      return {
        resolvers,
        requestId: origin?.requestId ?? randomUUID(),
        // Over a WebSocket there is no Fetch request: graphqlWs.ts passes the socket's signal instead.
        signal: initial.socketSignal ?? initial.request.signal,
        origin,
      };
    },
  });
}
