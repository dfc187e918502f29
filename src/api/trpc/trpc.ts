// The one tRPC instance: its context (the resolvers and a logger), its error shape, and the base
// procedure every router builds on.
import { initTRPC } from "@trpc/server";
import type { Logger } from "pino";
import type { Resolvers } from "../../resolvers/index.js";
import type { RequestOrigin } from "../requestOrigin.js";
import { toErrorShape } from "./errors.js";

export interface TrpcContext {
  resolvers: Resolvers;
  logger: Logger;
  /** The HTTP request (for a WebSocket: its upgrade) as the server named it; passed to generations. */
  origin?: RequestOrigin;
  /** Over a WebSocket: counts one operation toward the client's rate limit (HTTP requests are counted by the server). */
  admitOperation?: () => void;
}

const t = initTRPC.context<TrpcContext>().create({
  isDev: false,
  // tRPC takes the HTTP status from the shape, so this one translation serves HTTP, SSE and WebSocket.
  errorFormatter: ({ error, path }) => toErrorShape(error, path),
  // Pings keep idle proxies from closing a stream while a long prompt is evaluated.
  sse: { ping: { enabled: true, intervalMs: 15_000 } },
});

export const router = t.router;

export const procedure = t.procedure.use(({ ctx, next }) => {
  ctx.admitOperation?.();
  return next();
});
