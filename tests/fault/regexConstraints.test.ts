// Generated regular expressions (fast-check, from regex syntax characters) as output constraints:
// vLLM's `guided_regex` and a JSON schema string's `pattern`. Every one is answered (a 400 naming the
// field when it cannot be enforced), never a 5xx; every answer that ended on its own matches the
// expression as JavaScript reads it, and no generation is left holding a slot. Generated strings as
// `guided_choice`: the answer is always exactly one of them.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { eventually } from "../support/collect.js";
import { postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;

beforeAll(async () => {
  app = await startTestServer();
});

afterAll(async () => {
  await app?.close();
});

const SYNTAX = ["a", "b", "(", ")", "|", "*", "+", "?", "{", "}", "[", "]", "^", "$", "\\", "d", "w", "."];
const OTHER = ["-", ",", "1", "2", " ", '"', "\n"];
const patterns = fc
  .array(fc.constantFrom(...SYNTAX, ...OTHER), { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join(""));

/** The expression as JavaScript reads it, or undefined when JavaScript refuses it too. */
function javascriptRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

interface ChatAnswer {
  choices: { message: { content: string }; finish_reason: string }[];
}

async function constrainedChat(fields: Record<string, unknown>) {
  return postJson(`${app.url}/v1/chat/completions`, {
    model: "tiny",
    messages: [{ role: "user", content: "Answer." }],
    max_tokens: 12,
    seed: 1,
    ...fields,
  });
}

describe("generated regular expressions as output constraints", () => {
  it("guided_regex: a 400 naming it or an answer matching the whole expression, never a 5xx", async () => {
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(patterns, async (pattern) => {
        const { status, body } = await constrainedChat({ guided_regex: pattern });
        expect(status, `${JSON.stringify(pattern)}: ${JSON.stringify(body)}`).toBeLessThan(500);
        if (status !== 200) {
          expect(body).toMatchObject({ error: { param: "guided_regex" } });
          return;
        }
        const [choice] = (body as ChatAnswer).choices;
        const whole = javascriptRegex(`^(?:${pattern})$`);
        if (choice.finish_reason !== "stop" || !whole) return;
        expect(choice.message.content, JSON.stringify(pattern)).toMatch(whole);
        matched++;
      }),
      { numRuns: 150, seed: 7 },
    );
    // The property checked real answers, not only refusals.
    expect(matched, "answers checked").toBeGreaterThan(20);
    await eventually(() => app.scheduler.state().busySlots === 0);
  });

  it("a JSON schema string pattern: a 400 or a JSON string the pattern matches, never a 5xx", async () => {
    let matched = 0;
    await fc.assert(
      // Anchored: an unanchored pattern lets any text run before and after its match, to the limit.
      fc.asyncProperty(
        patterns.map((inner) => `^(?:${inner})$`),
        async (pattern) => {
          const { status, body } = await constrainedChat({
            max_tokens: 24,
            response_format: {
              type: "json_schema",
              json_schema: { name: "text", schema: { type: "string", pattern } },
            },
          });
          expect(status, `${JSON.stringify(pattern)}: ${JSON.stringify(body)}`).toBeLessThan(500);
          if (status !== 200) return;
          const [choice] = (body as ChatAnswer).choices;
          const search = javascriptRegex(pattern);
          if (choice.finish_reason !== "stop" || !search) return;
          const value: unknown = JSON.parse(choice.message.content);
          expect(typeof value).toBe("string");
          expect(value as string, JSON.stringify(pattern)).toMatch(search);
          matched++;
        },
      ),
      { numRuns: 150, seed: 11 },
    );
    expect(matched, "answers checked").toBeGreaterThan(20);
    await eventually(() => app.scheduler.state().busySlots === 0);
  });
});

describe("generated choices as output constraints", () => {
  it("guided_choice with any strings (quotes, escapes, non-ASCII, shared prefixes): the answer is one of them", async () => {
    const choice = fc.string({ minLength: 1, maxLength: 6, unit: "binary" });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(choice, { minLength: 1, maxLength: 4 }), async (choices) => {
        const { status, body } = await constrainedChat({ guided_choice: choices, max_tokens: 40 });
        const context = `${JSON.stringify(choices)}: ${JSON.stringify(body)}`;
        expect(status, context).toBe(200);
        const [answer] = (body as ChatAnswer).choices;
        expect(answer.finish_reason, context).toBe("stop");
        expect(choices, context).toContain(answer.message.content);
      }),
      { numRuns: 60, seed: 5 },
    );
  });
});
