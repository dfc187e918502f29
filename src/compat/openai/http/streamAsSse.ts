// Streams a resolver's events as server-sent events. The first event is pulled before any header
// is written, so errors raised before generation starts (overloaded, unknown model, invalid grammar)
// still become JSON error responses. A client that leaves stops the generation at once. How messages
// are written, how a failure after the start is told, and how the stream ends is each API's dialect.
import { internalServerError } from "../errors/toOpenAiError.js";
import type { RouteContext } from "./route.js";
import { SseStream } from "./sseStream.js";

/** Turns one resolver event into the messages sent for it, in order (possibly none). */
export type EventTranslation<Event, Message = unknown> = (event: Event) => Message[];

/** How one API writes its event stream. */
export interface SseDialect<Message> {
  /** Names the API in the log line of a stream that failed. */
  name: string;
  /** The response's content type, when not `text/event-stream` (Ollama's NDJSON). */
  contentType?: string;
  write(sse: SseStream, message: Message): Promise<void>;
  /** What tells the client that the stream failed after its headers were sent. */
  failure(): Message[];
  end(sse: SseStream): Promise<void>;
}

/** OpenAI's: `data:` messages, an error object as a message, `data: [DONE]` last. */
export const openAiSse: SseDialect<unknown> = {
  name: "openai",
  write: (sse, message) => sse.send(message),
  failure: () => [internalServerError().body()],
  end: async (sse) => sse.done(),
};

/** llama-server's native streams (/completion, /infill): as OpenAI's, without `[DONE]`. */
export const llamaServerSse: SseDialect<unknown> = { ...openAiSse, end: async (sse) => sse.end() };

export async function streamAsSse<Event, Message>(
  context: RouteContext,
  events: AsyncGenerator<Event>,
  translate: EventTranslation<Event, Message>,
  dialect: SseDialect<Message>,
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
    sse.open(dialect.contentType);
    const sendAll = async (messages: Message[]) => {
      for (const message of messages) await dialect.write(sse, message);
    };
    try {
      await sendAll(translate(first.value));
      // The stream is open from its first event on, even when that event has no message.
      sse.flushHeaders();
      while (!sse.closed) {
        const next = await events.next();
        if (next.done) break;
        await sendAll(translate(next.value));
      }
    } catch (error) {
      // Headers are out: the error travels in the stream, as the API's own streams carry it.
      context.logger.error({ err: error }, `${dialect.name}: stream failed`);
      await sendAll(dialect.failure());
    }
    await dialect.end(sse);
  } finally {
    context.signal.removeEventListener("abort", stop);
    await events.return(undefined).catch(() => undefined);
  }
}
