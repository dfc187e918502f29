// A server-sent events response: headers sent once, then one `data:` message per write, each
// flushed at once (no Nagle delay, no compression, no proxy buffering), ending with `data: [DONE]`.
// The headers go out with the first message (one write, so one wake-up of the client, not two).
// The same response carries newline-delimited JSON (Ollama's streams) when opened with that type.
import type { ServerResponse } from "node:http";

export class SseStream {
  private wrote = false;

  constructor(private readonly response: ServerResponse) {}

  /** Sets the headers; they are sent with the first message, or by flushHeaders(). */
  open(contentType = "text/event-stream; charset=utf-8"): void {
    this.response.socket?.setNoDelay(true);
    this.response.writeHead(200, {
      "content-type": contentType,
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
  }

  /** Sends the headers now, unless a message already carried them. */
  flushHeaders(): void {
    if (!this.wrote) this.response.flushHeaders();
  }

  /** Whether the client is gone (or the stream ended): nothing more can be written. */
  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** Writes one message; waits while the socket's buffer is full so a slow client holds no unbounded memory. */
  async send(data: unknown): Promise<void> {
    await this.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** Writes one message under an event name (`event:` line), as Anthropic's streams name theirs. */
  async sendEvent(event: string, data: unknown): Promise<void> {
    await this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Writes one message as a line of JSON (NDJSON). */
  async sendLine(data: unknown): Promise<void> {
    await this.write(`${JSON.stringify(data)}\n`);
  }

  /** Ends the stream without OpenAI's `[DONE]` message. */
  end(): void {
    this.response.end();
  }

  /** Ends the stream with `data: [DONE]`, written with the end of the body (one write, not two). */
  done(): void {
    if (this.closed) this.response.end();
    else this.response.end("data: [DONE]\n\n");
  }

  private async write(text: string): Promise<void> {
    if (this.closed) return;
    this.wrote = true;
    if (this.response.write(text)) return;
    await new Promise<void>((resolve) => {
      const settle = () => {
        this.response.off("drain", settle);
        this.response.off("close", settle);
        resolve();
      };
      this.response.on("drain", settle);
      this.response.on("close", settle);
    });
  }
}
