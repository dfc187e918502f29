// Reads a request body as JSON within a size limit: 413 over the limit, 400 when it is not a JSON object.
import type { IncomingMessage } from "node:http";
import { MAX_BODY_BYTES } from "../../../api/requestLimits.js";
import { PayloadTooLargeError } from "../../../errors.js";
import { OpenAiError } from "../errors/openAiError.js";

export async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(request);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw OpenAiError.invalidRequest(
      null,
      "We could not parse the JSON body of your request: it is not valid JSON",
      "invalid_json",
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw OpenAiError.invalidRequest(null, "The request body must be a JSON object", "invalid_json");
  return value as Record<string, unknown>;
}

/**
 * The body as text. A small body usually came with the headers: when all the bytes its
 * Content-Length announces are already buffered, they are taken at once (`read()`), without waiting
 * for the stream's 'data' and 'end' events, a few turns of the event loop before the first token
 * (~0.13 ms here, measured in a gateway's request path). Otherwise it is read with 'data' and 'end'
 * listeners rather than an async iterator, whose promise per chunk costs the same kind of time.
 */
function readText(request: IncomingMessage): Promise<string> {
  const declared = Number(request.headers["content-length"]);
  if (declared > 0 && declared <= MAX_BODY_BYTES && request.readableLength === declared)
    return Promise.resolve((request.read() as Buffer).toString("utf8"));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(request.headers["content-length"] ?? 0) > MAX_BODY_BYTES;
    // An oversized body is still read to its end (and dropped), so the client sees the 413 instead
    // of a connection reset while it is still sending.
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.once("end", () => {
      if (tooLarge) reject(new PayloadTooLargeError(MAX_BODY_BYTES));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    request.once("error", reject);
    // A client that leaves mid-body: no 'end' will come.
    request.once("close", () => reject(new Error("The client closed the request before its body ended")));
  });
}
