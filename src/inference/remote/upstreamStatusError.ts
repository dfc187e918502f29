// A replica's answer with an error status, and what it said: the message (and param) of an error body
// in the shapes OpenAI-compatible servers write, and its Retry-After.
import type http from "node:http";

export class UpstreamStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    /** The upstream's Retry-After, in seconds, when it sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ""}`);
    this.name = "UpstreamStatusError";
  }

  /**
   * What the upstream said: the message and param of an error body as OpenAI and llama-server
   * (`{error: {message, param}}`), older vLLM (`{message, param}`) or Ollama (`{error: "…"}`) write
   * it, else the body's text.
   */
  detail(): { message: string; param?: string } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.body);
    } catch {
      // Not JSON: its text is the message.
    }
    const body = (parsed ?? {}) as { error?: unknown; message?: unknown; param?: unknown };
    const error = typeof body.error === "object" && body.error !== null ? (body.error as typeof body) : body;
    const message = typeof body.error === "string" ? body.error : error.message;
    if (typeof message !== "string") return { message: this.body.slice(0, 300) || `HTTP ${this.status}` };
    return { message, ...(typeof error.param === "string" ? { param: error.param } : {}) };
  }
}

/** A Retry-After header in seconds (an HTTP date is not worth parsing here: undefined). */
export function retryAfterOf(response: http.IncomingMessage): number | undefined {
  const seconds = Number(response.headers["retry-after"]);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}
