// The HTTP client a remote model streams from its replicas with: node:http with kept-alive
// connections, a POST that resolves at the response's headers, and a finished response drained back
// to the pool.
import http from "node:http";
import https from "node:https";

/** The request got no response: the connection was refused, reset or never made. */
export class UpstreamConnectError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = "UpstreamConnectError";
  }
}

// Streaming requests go over node:http with kept-alive connections rather than fetch: per request
// and per chunk it is the lighter path (no WHATWG streams, no per-chunk promise chain of undici's),
// which is most of what a gateway adds to each token. Health probes keep fetch.
const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });

/**
 * POSTs `body` and resolves with the response once its headers arrive; `signal` aborts the request
 * (and later the response body) at once. A kept-alive connection the server had closed meanwhile
 * (a reset before any response) is retried once on a connection of its own (not another pooled one,
 * which the server may have dropped too: llama-server does, now and then); any other failure before
 * a response is an UpstreamConnectError.
 */
export function postStream(
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  retried = false,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const target = new URL(url);
    const secure = target.protocol === "https:";
    const request = (secure ? https : http).request(target, {
      method: "POST",
      agent: retried ? false : secure ? httpsAgent : httpAgent,
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
    });
    let answer: http.IncomingMessage | undefined;
    // A response read to its end has handed its connection back to the pool: nothing to abort.
    const onAbort = () => {
      if (!answer?.complete)
        request.destroy(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    request.once("response", (response) => {
      answer = response;
      const done = () => signal.removeEventListener("abort", onAbort);
      response.once("end", done);
      response.once("close", done);
      resolve(response);
    });
    request.once("error", (error: NodeJS.ErrnoException) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) return reject(error);
      if (!answer && request.reusedSocket && !retried && error.code === "ECONNRESET")
        return postStream(url, headers, body, signal, true).then(resolve, reject);
      reject(new UpstreamConnectError(error));
    });
    request.setNoDelay(true);
    request.end(body);
  });
}

/**
 * Reads what is left of a response whose stream is over (after `[DONE]`: the chunked body's end) so
 * that its kept-alive connection goes back to the pool; destroyed instead, the next request would pay
 * for a new connection. One that does not end within `timeoutMs` is closed.
 */
export function drainToPool(response: http.IncomingMessage, timeoutMs: number): void {
  const timer = setTimeout(() => response.destroy(), timeoutMs);
  timer.unref();
  const done = () => clearTimeout(timer);
  response.once("end", done);
  response.once("close", done);
  response.resume();
}

/** The whole body of a response, as text (an error status's body). */
export async function readText(response: http.IncomingMessage): Promise<string> {
  response.setEncoding("utf8");
  let text = "";
  for await (const chunk of response) text += chunk as string;
  return text;
}
