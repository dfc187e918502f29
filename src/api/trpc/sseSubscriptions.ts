// tRPC subscriptions over SSE, written straight to the Node response: the same procedure call
// (context, middleware, input parsing), the same headers, the same messages byte for byte, and the
// same error shapes and onError calls as tRPC's own fetch handler (resolveResponse and
// sseStreamProducer, @trpc/server 11.25), without its per-event layers: a chain of async generators,
// a ping timer raced against every event, a ReadableStream, a TransformStream, a TextEncoderStream
// and a WritableStream, each event written as two chunks. Here an event is one JSON.stringify and
// one write, as in the OpenAI layer's SSE; the keep-alive ping is one timer per stream that fires
// only when the stream has been idle for the ping interval.
//
// Only the plain case is served here: a GET of one subscription procedure, JSON input (or none), no
// Last-Event-ID (a reconnecting tracked stream), no JSONL accept. Anything else is left to tRPC's
// handler. What differs: tRPC's responseMeta is not called (ours adds headers only for errors, and a
// subscription's response has none), and each message is one HTTP chunk where tRPC wrote two.
import type { IncomingMessage, ServerResponse } from "node:http";
import { getTRPCErrorFromUnknown, type TRPCError } from "@trpc/server";
import {
  type AnyRouter,
  getErrorShape,
  isAbortError,
  isAsyncIterable,
  isTrackedEnvelope,
} from "@trpc/server/unstable-core-do-not-import";

/** tRPC's SSE response headers as its node adapter sets them (a Fetch Headers' order: sorted by name). */
const SSE_HEADERS: readonly [string, string][] = [
  ["cache-control", "no-cache, no-transform"],
  ["connection", "keep-alive"],
  ["content-type", "text/event-stream"],
  ["vary", "trpc-accept, accept"],
  ["x-accel-buffering", "no"],
];

// sseStreamProducer's messages: each line, then "\n\n" (so a message ends with three newlines).
const message = (event: string | undefined, data: string) =>
  `${event === undefined ? "" : `event: ${event}\n`}data: ${data}\n\n\n`;
const PING = message("ping", "");
const RETURN = message("return", "");

export interface SseSubscriptionOptions<Context> {
  router: AnyRouter;
  createContext(opts: { req: IncomingMessage }): Context;
  onError(opts: { error: TRPCError; path: string | undefined; type: string }): void;
}

/**
 * Serves `req` if it is a plain SSE subscription, returning the stream's end; else returns undefined
 * having touched nothing (the caller then hands it to tRPC's handler).
 */
export function serveSseSubscription<Context>(
  options: SseSubscriptionOptions<Context>,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> | undefined {
  if (req.method !== "GET" || path === "" || path.includes(",") || path.includes("%")) return;
  if (req.headers["trpc-accept"] !== undefined || req.headers["last-event-id"] !== undefined) return;
  if ((req.headers.accept ?? "").split(",").some((type) => type.trim() === "application/jsonl")) return;
  const procedure = options.router._def.procedures[path] as
    | { _def: { type: string }; (opts: unknown): Promise<unknown> }
    | undefined;
  if (procedure?._def.type !== "subscription") return;
  const searchParams = new URL(req.url ?? "/", "http://localhost").searchParams;
  if (searchParams.get("batch") === "1") return;
  if (searchParams.has("lastEventId") || searchParams.has("Last-Event-Id")) return;
  const queryInput = searchParams.get("input");
  let input: unknown;
  try {
    input = queryInput ? JSON.parse(queryInput) : undefined;
  } catch {
    return; // tRPC's own handler answers input that is not JSON.
  }
  return stream(options, req, res, path, procedure, input);
}

async function stream<Context>(
  { router, createContext, onError }: SseSubscriptionOptions<Context>,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  procedure: (opts: unknown) => Promise<unknown>,
  rawInput: unknown,
): Promise<void> {
  const config = router._def._config;
  const type = "subscription";
  // As tRPC's node adapter: the call's signal aborts when the client goes before the response ended.
  const controller = new AbortController();
  const abort = () => {
    if (!res.writableEnded) controller.abort();
  };
  res.once("close", abort);
  req.once("aborted", abort);
  const ctx = createContext({ req });
  const input = rawInput === undefined ? undefined : config.transformer.input.deserialize(rawInput);
  const errorShape = (error: TRPCError) => getErrorShape({ config, ctx, error, input, path, type });

  let iterable: AsyncIterable<unknown> | undefined;
  let failure: TRPCError | undefined;
  try {
    const data = await procedure({
      path,
      getRawInput: async () => input,
      ctx,
      type,
      signal: controller.signal,
      batchIndex: 0,
    });
    if (isAsyncIterable(data)) iterable = data;
    else
      failure = getTRPCErrorFromUnknown(
        new Error(`Subscription ${path} did not return an observable or a AsyncGenerator`),
      );
  } catch (cause) {
    failure = getTRPCErrorFromUnknown(cause);
    // resolveResponse reports a failed call once as it fails, and once more as it formats the error.
    onError({ error: failure, path, type });
  }

  for (const [name, value] of SSE_HEADERS) res.setHeader(name, value);
  let pingTimer: NodeJS.Timeout | undefined;
  let lastWriteAt = 0;
  const write = async (text: string) => {
    if (res.destroyed || res.writableEnded) return;
    lastWriteAt = Date.now();
    if (res.write(text)) return;
    await new Promise<void>((resolve) => {
      const settle = () => {
        res.off("drain", settle);
        res.off("close", settle);
        resolve();
      };
      res.on("drain", settle);
      res.on("close", settle);
    });
  };
  const iterator = iterable?.[Symbol.asyncIterator]();
  try {
    await write(message("connected", JSON.stringify(config.sse?.client ?? {})));
    if (failure) throw failure;
    if (!iterator) return;
    // Keep-alive: a ping once the stream has been idle for the interval (tRPC's own pings race a
    // timer against every event instead).
    const ping = config.sse?.ping;
    const intervalMs = ping?.enabled ? (ping.intervalMs ?? 1000) : Number.POSITIVE_INFINITY;
    if (Number.isFinite(intervalMs) && intervalMs > 0) {
      const check = () => {
        const idleMs = Date.now() - lastWriteAt;
        if (idleMs >= intervalMs) {
          void write(PING);
          pingTimer = setTimeout(check, intervalMs);
        } else pingTimer = setTimeout(check, intervalMs - idleMs);
      };
      pingTimer = setTimeout(check, intervalMs);
    }
    const serialize = config.transformer.output.serialize;
    // tracked() events carry an id; an untracked one after them restores the last id (as tRPC does).
    let lastEventId: string | undefined;
    while (!controller.signal.aborted) {
      const next = await iterator.next();
      if (next.done) break;
      if (isTrackedEnvelope(next.value)) {
        const [id, data] = next.value;
        lastEventId = id;
        await write(`data: ${JSON.stringify(serialize(data))}\nid: ${id}\n\n\n`);
      } else if (lastEventId === undefined)
        await write(message(undefined, JSON.stringify(serialize(next.value))));
      else
        await write(
          `data: ${JSON.stringify(serialize(next.value))}\nid: \n\n\nevent: restore-id\ndata: \nid: ${lastEventId}\n\n\n`,
        );
    }
    if (!controller.signal.aborted) await write(RETURN);
  } catch (cause) {
    if (!isAbortError(cause)) {
      const error = getTRPCErrorFromUnknown(cause);
      onError({ error, path, type });
      await write(
        message("serialized-error", JSON.stringify(config.transformer.output.serialize(errorShape(error)))),
      );
    }
  } finally {
    clearTimeout(pingTimer);
    res.off("close", abort);
    req.off("aborted", abort);
    res.end();
    await iterator?.return?.().catch(() => undefined);
  }
}
