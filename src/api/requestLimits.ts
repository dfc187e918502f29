// Size limits every transport applies the same way.

/** Largest request body accepted (4 MiB), on every route: far beyond any prompt that fits a context window. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Largest WebSocket message accepted (1 MiB); a larger one closes the socket with 1009 (message too big). */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 1024 * 1024;

/** Whether the declared Content-Length is over the body limit (chunked bodies are counted as they are read). */
export function declaresTooLargeBody(contentLength: string | undefined): boolean {
  return contentLength !== undefined && Number(contentLength) > MAX_BODY_BYTES;
}

/**
 * Whether an error is a client's WebSocket protocol fault (a message over the size limit, a bad
 * frame): `ws` closes that socket with the fitting code itself, so it is the client's problem, not
 * the server's.
 */
export function isWebSocketProtocolError(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    typeof error.code === "string" &&
    error.code.startsWith("WS_ERR_")
  );
}
