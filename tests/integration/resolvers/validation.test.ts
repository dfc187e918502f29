// Bad input is rejected with a domain error naming the field, before anything reaches a slot.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { RunningInferql } from "../../../src/app.js";
import { InvalidInputError, ModelNotFoundError } from "../../../src/errors.js";
import { collect } from "../../support/collect.js";
import { startTestServer } from "../../support/startTestServer.js";

let app: RunningInferql;
beforeAll(async () => {
  app = await startTestServer();
});
afterAll(async () => app?.close());

const hello = [{ role: "user" as const, content: "hi" }];

async function rejectionOf(input: unknown): Promise<unknown> {
  try {
    await app.resolvers.createChatCompletion(input);
  } catch (error) {
    return error;
  }
  throw new Error("expected the request to be rejected");
}

test.each([
  ["empty messages", { messages: [] }, "messages"],
  ["a negative max tokens", { messages: hello, maxTokens: -1 }, "maxTokens"],
  ["an unknown role", { messages: [{ role: "wizard", content: "x" }] }, "messages.0.role"],
  ["an invalid GBNF grammar", { messages: hello, grammar: "root ::= (" }, "grammar"],
  [
    "an invalid JSON schema",
    {
      messages: hello,
      responseFormat: { type: "json_schema", jsonSchema: { schema: { type: "nonsense" } } },
    },
    "responseFormat.jsonSchema.schema",
  ],
  ["an unknown LoRA adapter", { messages: hello, lora: "missing" }, "lora"],
  ["a tool choice naming no tool", { messages: hello, tools: [], toolChoice: "required" }, "toolChoice"],
  ["an unknown token in logit bias", { messages: hello, logitBias: { "99999999": 1 } }, "logitBias"],
  [
    "a prompt over the context size",
    { messages: [{ role: "user", content: "word ".repeat(3000) }] },
    "messages",
  ],
])("%s is an InvalidInputError naming the field", async (_name, input, field) => {
  const error = await rejectionOf(input);
  expect(error).toBeInstanceOf(InvalidInputError);
  expect((error as InvalidInputError).field).toBe(field);
});

test("an unknown model is ModelNotFound", async () => {
  const error = await rejectionOf({ model: "nope", messages: hello });
  expect(error).toBeInstanceOf(ModelNotFoundError);
});

test("streams validate at call time, before returning an iterator", () => {
  expect(() => app.resolvers.streamChatCompletion({ messages: [] })).toThrow(InvalidInputError);
});

test("after bad requests no slot is busy and a good request completes", async () => {
  await rejectionOf({ messages: hello, grammar: "root ::= (" });
  expect(app.scheduler.state().busySlots).toBe(0);
  const events = await collect(app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 4 }));
  expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "length" });
});
