// The typed inferql client for TypeScript services: `import { createInferqlClient } from "inferql/client"`.
// Only types come from the server side, so this file and its emitted .d.ts stay small.
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  type TRPCLink,
  wsLink,
} from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { EventSource } from "eventsource";
import { WebSocket as NodeWebSocket } from "ws";
import type { AppRouter } from "../api/trpc/index.js";

export { TRPCClientError } from "@trpc/client";
export type { AppRouter, InferqlErrorData } from "../api/trpc/index.js";

/** Every procedure's input, by path: `RouterInputs["chat"]["stream"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's output, by path: `RouterOutputs["chat"]["create"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type InferqlClient = TRPCClient<AppRouter>;

export interface InferqlClientOptions {
  /**
   * How subscriptions travel. `"sse"` (default): one Server-Sent Events stream per subscription.
   * `"ws"`: all subscriptions share one WebSocket, opened on the first and closed once none is left.
   * Queries and mutations always go over HTTP, batched.
   */
  subscriptions?: "sse" | "ws";
  /**
   * The server's API key, when it requires one: sent as `Authorization: Bearer <key>` on HTTP and SSE,
   * and as `connectionParams: { authorization: "Bearer <key>" }` on the WebSocket.
   */
  apiKey?: string;
}

/** A typed client for the inferql server at `serverUrl` (e.g. `http://127.0.0.1:8080`; `/trpc` is added). */
export function createInferqlClient(serverUrl: string, options: InferqlClientOptions = {}): InferqlClient {
  const url = `${serverUrl.replace(/\/+$/, "")}/trpc`;
  const authorization = options.apiKey === undefined ? undefined : `Bearer ${options.apiKey}`;
  const headers: Record<string, string> = authorization ? { authorization } : {};
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true:
          options.subscriptions === "ws"
            ? webSocketLink(url, authorization)
            : httpSubscriptionLink({
                url,
                EventSource,
                // The `eventsource` package reads the stream with fetch, which can send headers.
                eventSourceOptions: {
                  fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }),
                },
              }),
        false: httpBatchLink({ url, headers }),
      }),
    ],
  });
}

function webSocketLink(httpUrl: string, authorization: string | undefined): TRPCLink<AppRouter> {
  const client = createWSClient({
    url: httpUrl.replace(/^http/, "ws"),
    // Checked by the server before any operation runs; a wrong key closes the socket (UNAUTHORIZED).
    ...(authorization ? { connectionParams: { authorization } } : {}),
    // Node 20 has no global WebSocket; `ws` speaks the same protocol with a compatible API.
    WebSocket: globalThis.WebSocket ?? (NodeWebSocket as unknown as typeof globalThis.WebSocket),
    lazy: { enabled: true, closeMs: 0 },
  });
  return wsLink<AppRouter>({ client });
}
