// Guards yoga's request parsing: caps the body it reads (the HTTP server already refuses a declared
// Content-Length over the limit; this counts a chunked body as it arrives), and turns every parse
// failure into a 400 that says what was wrong with the request and nothing about the parser: yoga
// answers malformed `variables` in a GET with a 500, and attaches the JSON parser's own error.
import { GraphQLError } from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { MAX_BODY_BYTES } from "../requestLimits.js";

export function useSafeRequestParsing(maxBytes: number = MAX_BODY_BYTES): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser) return;
      setRequestParser(async (original) => {
        try {
          if (original.body === null) return await requestParser(original);
          const body = await readLimited(original, maxBytes);
          return await requestParser(
            new fetchAPI.Request(original.url, { method: original.method, headers: original.headers, body }),
          );
        } catch (error) {
          throw asBadRequest(error);
        }
      });
    },
  };
}

function asBadRequest(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) {
    const { originalError: _parserDetail, ...extensions } = error.extensions;
    return createGraphQLError(error.message, { extensions });
  }
  return createGraphQLError("The request could not be parsed: check that its parameters are valid JSON.", {
    extensions: { code: "BAD_REQUEST", http: { status: 400 } },
  });
}

async function readLimited(request: Request, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  if (!reader) return "";
  // An oversized body is still read to its end (and dropped), so the client sees the 413 instead of
  // a connection reset while it is still sending.
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= maxBytes) chunks.push(value);
  }
  if (size > maxBytes)
    throw createGraphQLError(`The request body is larger than ${maxBytes} bytes`, {
      extensions: { code: "PAYLOAD_TOO_LARGE", limitBytes: maxBytes, http: { status: 413 } },
    });
  return Buffer.concat(chunks).toString("utf8");
}
