// How the OpenAI layer words errors: domain errors to statuses and codes, camelCase input paths to
// the snake_case parameter a client sent, and internal failures masked (their cause only logged).
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { toOpenAiError } from "../../src/compat/openai/errors/toOpenAiError.js";
import { toWireParam } from "../../src/compat/openai/errors/wireParam.js";
import {
  CancelledError,
  InternalError,
  InvalidInputError,
  ModelNotFoundError,
  ModelNotReadyError,
  OverloadedError,
} from "../../src/errors.js";

function capturingLogger() {
  const lines: string[] = [];
  return { logger: pino({ level: "error" }, { write: (line: string) => lines.push(line) }), lines };
}

describe("toWireParam", () => {
  it("writes resolver paths as the wire parameter", () => {
    expect(toWireParam("maxTokens")).toBe("max_tokens");
    expect(toWireParam("messages.0.toolCalls.1.function.name")).toBe(
      "messages[0].tool_calls[1].function.name",
    );
    expect(toWireParam("responseFormat.jsonSchema.schema")).toBe("response_format.json_schema.schema");
    expect(toWireParam(["messages", 2, "content"])).toBe("messages[2].content");
  });

  it("uses a route's rename for a top-level field sent under another name", () => {
    expect(toWireParam("maxTokens", { maxTokens: "max_completion_tokens" })).toBe("max_completion_tokens");
    expect(toWireParam("text", { text: "content" })).toBe("content");
  });
});

describe("toOpenAiError", () => {
  const { logger } = capturingLogger();

  it("invalid input: 400 naming the wire parameter, in the message too", () => {
    const error = toOpenAiError(
      new InvalidInputError("maxTokens", "Invalid 'maxTokens': too small"),
      {},
      logger,
    );
    expect(error.status).toBe(400);
    expect(error.body()).toEqual({
      error: {
        message: "Invalid 'max_tokens': too small",
        type: "invalid_request_error",
        param: "max_tokens",
        code: null,
      },
    });
  });

  it("unknown model: 404 model_not_found on param model", () => {
    const error = toOpenAiError(new ModelNotFoundError("gpt-x"), {}, logger);
    expect(error.status).toBe(404);
    expect(error.body().error).toMatchObject({ param: "model", code: "model_not_found" });
  });

  it("full queue: 429 with Retry-After", () => {
    const error = toOpenAiError(new OverloadedError(3), {}, logger);
    expect(error.status).toBe(429);
    expect(error.headers).toEqual({ "retry-after": "3" });
    expect(error.body().error.code).toBe("rate_limit_exceeded");
  });

  it("model still loading: 503 with Retry-After", () => {
    const error = toOpenAiError(new ModelNotReadyError(), {}, logger);
    expect(error.status).toBe(503);
    expect(error.headers["retry-after"]).toMatch(/^\d+$/);
    expect(error.body().error.code).toBe("model_not_ready");
  });

  it("cancelled before it started: 503", () => {
    expect(toOpenAiError(new CancelledError(), {}, logger).status).toBe(503);
  });

  it("anything else: a masked 500, with the cause in the log only", () => {
    const { logger: capturing, lines } = capturingLogger();
    for (const failure of [new Error("secret path /etc/x"), new InternalError(new Error("secret cause"))]) {
      const error = toOpenAiError(failure, {}, capturing);
      expect(error.status).toBe(500);
      expect(error.body()).toEqual({
        error: {
          message: "Internal server error",
          type: "server_error",
          param: null,
          code: "internal_error",
        },
      });
    }
    expect(lines.join("")).toContain("secret path /etc/x");
    expect(lines.join("")).toContain("secret cause");
  });
});
