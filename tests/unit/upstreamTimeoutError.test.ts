// A remote upstream that sent nothing in time (UpstreamTimeoutError) is a gateway timeout in both
// REST dialects: OpenAI's 504 server_error and Anthropic's 504 timeout_error, with the message kept.
// (GraphQL and tRPC: tests/integration/upstreamErrors.test.ts.)
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { toAnthropicError } from "../../src/compat/anthropic/errors.js";
import { toOpenAiError } from "../../src/compat/openai/errors/toOpenAiError.js";
import { UpstreamTimeoutError } from "../../src/errors.js";

const logger = pino({ level: "silent" });
const message = "No replica of the upstream 'u' answered in time (no data for 1000 ms)";

describe("UpstreamTimeoutError on REST", () => {
  it("OpenAI: 504, server_error, code upstream_timeout", () => {
    const error = toOpenAiError(new UpstreamTimeoutError(message), {}, logger);
    expect(error.status).toBe(504);
    expect(error.body().error).toMatchObject({ type: "server_error", code: "upstream_timeout", message });
  });

  it("Anthropic: 504 timeout_error", () => {
    const error = toAnthropicError(new UpstreamTimeoutError(message), logger);
    expect(error.status).toBe(504);
    expect(error.body()).toEqual({ type: "error", error: { type: "timeout_error", message } });
  });
});
