// Generated Ollama chat requests (fast-check) that Ollama's wire schema accepts, with any mix of
// roles, tool calls, tools, formats, think levels, options and logprobs: each is answered with a 4xx
// naming what is wrong, or served (streamed or not) without an error line, never a 5xx; no slot is
// left taken.
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { eventually } from "../support/collect.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;

beforeAll(async () => {
  app = await startTestServer();
});

afterAll(async () => {
  await app?.close();
});

const text = fc.string({ maxLength: 12 });
const optional = <Value>(arbitrary: fc.Arbitrary<Value>) => fc.option(arbitrary, { nil: undefined });
const number = fc.oneof(fc.integer({ min: -3, max: 50 }), fc.double({ min: -5, max: 5, noNaN: true }));
const toolName = fc.constantFrom("get_weather", "a b", "");

const toolCall = fc.record(
  {
    id: optional(text),
    function: fc.record({
      name: toolName,
      arguments: fc.oneof(fc.dictionary(text, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }), text),
    }),
  },
  { requiredKeys: ["function"] },
);

const message = fc.record(
  {
    role: fc.constantFrom("system", "user", "assistant", "tool"),
    content: text,
    thinking: optional(text),
    tool_calls: optional(fc.array(toolCall, { maxLength: 2 })),
    tool_name: optional(text),
    tool_call_id: optional(text),
  },
  { requiredKeys: ["role", "content"] },
);

const chatRequest = fc.record(
  {
    model: fc.constantFrom("tiny", "tiny:latest", "nope"),
    messages: fc.array(message, { maxLength: 4 }),
    tools: optional(
      fc.array(
        fc.record({
          type: fc.constant("function"),
          function: fc.record({
            name: toolName,
            description: text,
            parameters: fc.constantFrom(
              {},
              { type: "object", properties: { city: { type: "string" } } },
              {
                type: "nope",
              },
            ),
          }),
        }),
        { maxLength: 2 },
      ),
    ),
    format: optional(
      fc.constantFrom(
        "json",
        "",
        { type: "object" },
        { type: "string", pattern: "^a+$" },
        { type: 5 },
        { not: {} },
      ),
    ),
    think: optional(fc.constantFrom(true, false, "low", "high")),
    options: fc.record(
      {
        // Short answers: the property is about how a request is answered, not what is generated.
        num_predict: fc.integer({ min: 1, max: 4 }),
        temperature: optional(number),
        top_k: optional(fc.integer({ min: -2, max: 50 })),
        top_p: optional(number),
        seed: optional(fc.integer()),
        stop: optional(fc.array(text, { maxLength: 2 })),
        mirostat: optional(fc.integer({ min: 0, max: 2 })),
        repeat_penalty: optional(number),
      },
      { requiredKeys: ["num_predict"] },
    ),
    stream: fc.boolean(),
    logprobs: optional(fc.boolean()),
    top_logprobs: optional(fc.integer({ min: -1, max: 25 })),
  },
  { requiredKeys: ["model", "messages", "options", "stream"] },
);

it("generated /api/chat requests: a 4xx with Ollama's error, or an answer with no error line, never a 5xx", async () => {
  const served: number[] = [];
  await fc.assert(
    fc.asyncProperty(chatRequest, async (request) => {
      const response = await fetch(`${app.url}/api/chat`, { method: "POST", body: JSON.stringify(request) });
      const body = await response.text();
      const context = `${JSON.stringify(request)} → ${response.status} ${body.slice(0, 300)}`;
      expect(response.status, context).toBeLessThan(500);
      const lines = body
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      if (response.status !== 200) {
        expect(Object.keys(lines[0]), context).toEqual(["error"]);
        return;
      }
      expect(
        lines.some((line) => "error" in line),
        context,
      ).toBe(false);
      expect(lines.at(-1), context).toMatchObject({ done: true });
      served.push(response.status);
    }),
    { numRuns: 300, seed: 3 },
  );
  // The property checked answers, not only refusals.
  expect(served.length).toBeGreaterThan(10);
  await eventually(() => app.scheduler.state().busySlots === 0 && app.scheduler.activeCount === 0);
});
