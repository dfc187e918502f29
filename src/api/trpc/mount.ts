// Serves appRouter at /trpc on the shared HTTP server: HTTP (batched queries and mutations, SSE
// subscriptions) and WebSocket (upgrades routed here by path).
import type { IncomingMessage } from "node:http";
import type { TRPCError } from "@trpc/server";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { OverloadedError } from "../../errors.js";
import type { Resolvers } from "../../resolvers/index.js";
import { type HttpMount, pathPrefixMatcher } from "../httpMount.js";
import { toTrpcError } from "./errors.js";
import { appRouter } from "./router.js";
import type { TrpcContext } from "./trpc.js";

export const TRPC_PATH = "/trpc";

export function createTrpcMount(resolvers: Resolvers, logger: Logger): HttpMount {
  const createContext = (): TrpcContext => ({ resolvers, logger });
  const onError = ({ error, path, type }: { error: TRPCError; path: string | undefined; type: string }) => {
    const translated = toTrpcError(error);
    if (translated.code === "INTERNAL_SERVER_ERROR")
      logger.error({ err: translated.cause ?? translated, path, type }, "tRPC procedure failed");
  };

  const wss = new WebSocketServer({ noServer: true });
  applyWSSHandler({
    wss,
    router: appRouter,
    createContext,
    onError,
    // Finds clients that vanished without closing, so their generations stop.
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
  });

  return {
    name: "trpc",
    matches: pathPrefixMatcher(TRPC_PATH),
    handle: (req, res) =>
      nodeHTTPRequestHandler({
        router: appRouter,
        createContext,
        onError,
        req,
        res,
        path: procedurePath(req),
        responseMeta: ({ errors }) => {
          const overloaded = errors
            .map((error) => error.cause)
            .find((cause) => cause instanceof OverloadedError);
          return overloaded ? { headers: { "retry-after": String(overloaded.retryAfterSeconds) } } : {};
        },
      }),
    upgrade: (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (client) => wss.emit("connection", client, req)),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** `/trpc/chat.create,models.list` → `chat.create,models.list` (tRPC splits batches itself). */
function procedurePath(req: IncomingMessage): string {
  const { pathname } = new URL(req.url ?? "/", "http://localhost");
  return pathname.slice(TRPC_PATH.length).replace(/^\/+|\/+$/g, "");
}
