// A subscription's SSE response written straight to a Node Readable, one chunk per event. Yoga's own
// SSE processor (graphql-sse's "distinct connections" format) hands each event through a web
// ReadableStream (two TextEncoder chunks, a controller per read) into the Node Readable that is piped
// to the response: most of what graphql-sse still cost per event over OpenAI SSE once the events were
// planned (bench README, issue #17 item 3). The bytes are yoga's: the opening ping, `event: next`
// with the result (errors without yoga's internal extensions), the ping every 12 s while the client
// keeps up, `event: complete` at the end.
import { Readable } from "node:stream";
import type { ExecutionResult, GraphQLError } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import { withoutYogaInternals } from "./errorHandling.js";

const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  Connection: "keep-alive",
  "Cache-Control": "no-cache",
  "Content-Encoding": "none",
};

/** Yoga's keep-alive: 12 s, or 300 ms under NODE_ENV=test (its own tests' setting, kept so they see the same). */
const PING_INTERVAL_MS = process.env.NODE_ENV === "test" ? 300 : 12_000;

/**
 * Takes over the SSE response of results yoga would stream with its own SSE processor (this hook runs
 * after yoga's, which picked it). A stream carries no errors of its own, so yoga's status is 200.
 */
export function useSseSubscriptionResponses(): Plugin {
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (!resultProcessor || !isAsyncIterable(result) || !acceptsEventStreamOnly(request)) return;
      setResultProcessor(
        (results, fetchAPI) =>
          // whatwg-node's Response takes a Node Readable as its body and pipes it to the response.
          new fetchAPI.Response(sseEvents(results as AsyncIterable<ExecutionResult>) as unknown as BodyInit, {
            status: 200,
            headers: SSE_HEADERS,
          }),
        "text/event-stream",
      );
    },
  };
}

/**
 * Whether SSE is the only processor yoga can have picked for a streamed result: the request accepts
 * text/event-stream and nothing a later processor (multipart/mixed, or a wildcard) could match.
 */
function acceptsEventStreamOnly(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("text/event-stream") && !accept.includes("multipart/mixed") && !accept.includes("*");
}

/** The SSE stream of `results`, read as the response takes it (one result per `read`). */
function sseEvents(results: AsyncIterable<ExecutionResult>): Readable {
  const iterator = results[Symbol.asyncIterator]();
  let reading = false;
  const readable = new Readable({
    read() {
      if (reading) return;
      reading = true;
      iterator.next().then(
        ({ done, value }) => {
          reading = false;
          if (value != null) this.push(`event: next\ndata: ${stringifyResult(value)}\n\n`);
          if (done) {
            clearInterval(pings);
            this.push("event: complete\ndata:\n\n");
            this.push(null);
          }
        },
        (error: Error) => this.destroy(error),
      );
    },
    // The response closed (the client went away) or the results failed: end the subscription.
    destroy(error, callback) {
      clearInterval(pings);
      iterator.return?.(error).catch(() => undefined);
      callback(error);
    },
  });
  readable.push(":\n\n");
  const pings = setInterval(() => {
    if (readable.readableLength < readable.readableHighWaterMark) readable.push(":\n\n");
  }, PING_INTERVAL_MS);
  return readable;
}

/** A result as yoga writes it: errors without its internal extensions, and no `http` extension. */
function stringifyResult(result: ExecutionResult): string {
  if (!result.errors?.length && !result.extensions?.http) return JSON.stringify(result);
  const { http: _http, ...extensions } = result.extensions ?? {};
  return JSON.stringify({
    ...result,
    errors: result.errors?.map((error) => withoutYogaInternals(error as GraphQLError)),
    extensions: result.extensions && Object.keys(extensions).length > 0 ? extensions : undefined,
  });
}
