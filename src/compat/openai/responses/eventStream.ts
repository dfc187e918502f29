// Streams a response as server-sent events the Responses way: `event: <type>` and `data: <json>` per
// event, each stamped with its sequence number, and no `[DONE]`. As streamAsSse does, the first
// resolver event is pulled before any header is written, so errors raised before generation starts
// are JSON error responses; a failure after that is a response.failed event; a client that leaves
// stops the generation at once.
import type { ChatCompletionEvent } from "../../../resolvers/index.js";
import type { RouteContext } from "../http/route.js";
import type { ResponseAssembly } from "./events.js";
import type { ResponseStreamEvent } from "./protocol.js";

export async function streamResponseEvents(
  context: RouteContext,
  events: AsyncGenerator<ChatCompletionEvent>,
  assembly: ResponseAssembly,
): Promise<void> {
  const stop = () => void events.return(undefined).catch(() => undefined);
  context.signal.addEventListener("abort", stop, { once: true });
  try {
    const first = await events.next();
    if (first.done) throw new Error("The event stream ended before it started");
    const { response } = context;
    if (response.destroyed || response.writableEnded) return;
    response.socket?.setNoDelay(true);
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    response.flushHeaders();
    let sequenceNumber = 0;
    const send = async (messages: ResponseStreamEvent[]) => {
      for (const message of messages)
        await write(
          context,
          `event: ${message.type}\ndata: ${JSON.stringify({ ...message, sequence_number: sequenceNumber++ })}\n\n`,
        );
    };
    try {
      await send(assembly.translate(first.value));
      while (!response.destroyed && !response.writableEnded) {
        const next = await events.next();
        if (next.done) break;
        await send(assembly.translate(next.value));
      }
    } catch (error) {
      context.logger.error({ err: error }, "openai: response stream failed");
      await send(assembly.fail());
    }
    response.end();
  } finally {
    context.signal.removeEventListener("abort", stop);
    await events.return(undefined).catch(() => undefined);
  }
}

/** Writes one event; waits while the socket's buffer is full so a slow client holds no unbounded memory. */
async function write({ response }: RouteContext, text: string): Promise<void> {
  if (response.destroyed || response.writableEnded || response.write(text)) return;
  await new Promise<void>((resolve) => {
    const settle = () => {
      response.off("drain", settle);
      response.off("close", settle);
      resolve();
    };
    response.on("drain", settle);
    response.on("close", settle);
  });
}
