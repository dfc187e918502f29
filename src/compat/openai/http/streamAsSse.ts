// Streams a resolver's events as server-sent events. The first event is pulled before any header
// is written, so errors raised before generation starts (overloaded, unknown model, invalid grammar)
// still become JSON error responses. A client that leaves stops the generation at once.
import { internalServerError } from "../errors/toOpenAiError.js";
import type { RouteContext } from "./route.js";
import { SseStream } from "./sseStream.js";

/** Turns one resolver event into the messages sent for it, in order (possibly none). */
export type EventTranslation<Event> = (event: Event) => unknown[];

export async function streamAsSse<Event>(
  context: RouteContext,
  events: AsyncGenerator<Event>,
  translate: EventTranslation<Event>,
  { doneMessage = true }: { doneMessage?: boolean } = {},
): Promise<void> {
  // The resolver got the same signal, which already stops generation; returning the iterator also
  // releases it when it is between events.
  const stop = () => void events.return(undefined).catch(() => undefined);
  context.signal.addEventListener("abort", stop, { once: true });
  try {
    const first = await events.next();
    if (first.done) throw new Error("The event stream ended before it started");
    const sse = new SseStream(context.response);
    if (sse.closed) return;
    sse.open();
    try {
      for (const message of translate(first.value)) await sse.send(message);
      while (!sse.closed) {
        const next = await events.next();
        if (next.done) break;
        for (const message of translate(next.value)) await sse.send(message);
      }
    } catch (error) {
      // Headers are out: the error travels as an event, as OpenAI streams carry them.
      context.logger.error({ err: error }, "openai: stream failed");
      await sse.send(internalServerError().body());
    }
    // llama-server's native streams (/completion, /infill) end without OpenAI's `[DONE]`.
    if (doneMessage) await sse.done();
    else context.response.end();
  } finally {
    context.signal.removeEventListener("abort", stop);
    await events.return(undefined).catch(() => undefined);
  }
}
