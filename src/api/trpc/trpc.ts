// The one tRPC instance: its context (the resolvers and a logger), its error shape, and the base
// procedure every router builds on.
import { initTRPC } from "@trpc/server";
import type { TrpcContext } from "./context.js";
import { toErrorShape } from "./errors.js";

export type { TrpcContext } from "./context.js";

const t = initTRPC.context<TrpcContext>().create({
  isDev: false,
  // tRPC takes the HTTP status from the shape, so this one translation serves HTTP, SSE and WebSocket.
  errorFormatter: ({ error, path }) => toErrorShape(error, path),
  // Pings keep idle proxies from closing a stream while a long prompt is evaluated. sseSubscriptions.ts,
  // which writes the SSE subscriptions, sends one after each 15 s without a message.
  sse: { ping: { enabled: true, intervalMs: 15_000 } },
});

export const router = t.router;

export const procedure = t.procedure.use(({ ctx, next }) => {
  // A rate limit shared between nodes answers asynchronously; the in-process one at once.
  const admitted = ctx.admitOperation?.();
  return admitted ? admitted.then(() => next()) : next();
});
