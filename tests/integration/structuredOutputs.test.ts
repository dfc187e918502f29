// vLLM's request extensions, as vLLM's users send them through the openai client's extra body: its
// structured outputs (`structured_outputs` and the older `guided_*` fields) on chat and text
// completions, and the same constraints (`regex`, `choice`) on GraphQL: the random tiny model's
// output always follows them; and its sampling extensions, honoured or refused by name.
import { BadRequestError, type OpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { postGraphql } from "../support/graphqlClients.js";
import { openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let client: OpenAI;

beforeAll(async () => {
  app = await startTestServer({
    flags: (["qwen2.5", "llama3.1", "qwen3"] as const).flatMap((family) => [
      "--model",
      `${family}=${familyFixturePath(family)}`,
    ]),
  });
  client = openAiClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

const SEEDS = [1, 2, 3];

/** The chat answer for a request with vLLM's extra fields (what `extra_body` sends). */
async function chat(extra: Record<string, unknown>, seed: number): Promise<string> {
  const completion = await client.chat.completions.create({
    model: "tiny",
    messages: [{ role: "user", content: "Answer." }],
    max_tokens: 40,
    seed,
    ...extra,
  } as OpenAI.ChatCompletionCreateParamsNonStreaming);
  expect(completion.choices[0].finish_reason).toBe("stop");
  return completion.choices[0].message.content ?? "";
}

async function badRequest(request: Promise<unknown>): Promise<{ param: string | null; message: string }> {
  const error = await request.then(
    () => expect.unreachable("the request should have been refused"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BadRequestError);
  const { param, message } = error as BadRequestError;
  return { param: param ?? null, message };
}

describe("chat completions", () => {
  it("structured_outputs.choice and guided_choice: the answer is one of the choices", async () => {
    const choices = ["yes", "no", "not sure"];
    for (const seed of SEEDS) {
      expect(choices).toContain(await chat({ structured_outputs: { choice: choices } }, seed));
      expect(choices).toContain(await chat({ guided_choice: choices }, seed));
    }
  });

  it("structured_outputs.regex and guided_regex: the whole answer matches", async () => {
    for (const seed of SEEDS) {
      expect(await chat({ structured_outputs: { regex: "[A-Z]{3}-\\d{2}" } }, seed)).toMatch(
        /^[A-Z]{3}-\d{2}$/,
      );
      expect(await chat({ guided_regex: "(cat|dog)s? (and|or) [a-z]{1,5}" }, seed)).toMatch(
        /^(cat|dog)s? (and|or) [a-z]{1,5}$/,
      );
    }
  });

  it("guided_json, as an object or as its JSON text, is followed", async () => {
    const schema = {
      type: "object",
      properties: { color: { enum: ["red", "green"] }, n: { type: "integer", minimum: 0, maximum: 9 } },
      required: ["color", "n"],
      additionalProperties: false,
    };
    for (const guided of [schema, JSON.stringify(schema)]) {
      const value = JSON.parse(await chat({ guided_json: guided }, 1)) as { color: string; n: number };
      expect(Object.keys(value)).toEqual(["color", "n"]);
      expect(["red", "green"]).toContain(value.color);
    }
  });

  it("streams a constrained answer too", async () => {
    const stream = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "Answer." }],
      max_tokens: 40,
      stream: true,
      guided_choice: ["alpha", "beta"],
    } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(["alpha", "beta"]).toContain(text);
  });

  it("refuses two constraints at once, naming the second", async () => {
    const base = { model: "tiny", messages: [{ role: "user" as const, content: "x" }], max_tokens: 5 };
    const both = await badRequest(
      client.chat.completions.create({
        ...base,
        response_format: { type: "json_object" },
        guided_choice: ["a"],
      } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    );
    expect(both.param).toBe("guided_choice");
    const two = await badRequest(
      client.chat.completions.create({
        ...base,
        structured_outputs: { regex: "a+" },
        guided_regex: "b+",
      } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    );
    expect(two.param).toBe("guided_regex");
  });

  it("a regex the grammar cannot enforce is a 400 naming the field as sent", async () => {
    const refused = await badRequest(
      client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: "x" }],
        max_tokens: 5,
        guided_regex: "(?=a)a+",
      } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    );
    expect(refused.param).toBe("guided_regex");
    expect(refused.message).toContain("lookahead");
    const badSchema = await badRequest(
      client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: "x" }],
        max_tokens: 5,
        structured_outputs: { json: { type: "object", properties: { a: { not: {} } } } },
      } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    );
    expect(badSchema.param).toBe("structured_outputs.json.properties.a.not");
  });
});

describe("on real families' templates (scripted Qwen2.5, Llama 3.1 and Qwen3 fixtures)", () => {
  it.each(["qwen2.5", "llama3.1", "qwen3"])(
    "%s: guided_choice and a JSON schema pattern hold over the family's own prompt and end tokens",
    async (model) => {
      const ask = (extra: Record<string, unknown>) =>
        client.chat.completions.create({
          model,
          messages: [{ role: "user", content: "Please answer @@plain" }],
          max_tokens: 40,
          temperature: 0,
          ...extra,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      const choice = await ask({ guided_choice: ["yes", "no"] });
      expect(choice.choices[0]).toMatchObject({ finish_reason: "stop" });
      expect(["yes", "no"]).toContain(choice.choices[0].message.content);
      const coded = await ask({
        response_format: {
          type: "json_schema",
          json_schema: { name: "code", schema: { type: "string", pattern: "^[A-Z]{2}-[0-9]{2}$" } },
        },
      });
      expect(coded.choices[0].finish_reason).toBe("stop");
      expect(JSON.parse(coded.choices[0].message.content ?? "")).toMatch(/^[A-Z]{2}-[0-9]{2}$/);
    },
  );
});

describe("text completions", () => {
  it("guided_choice and structured_outputs.regex constrain the continuation", async () => {
    for (const seed of SEEDS) {
      const choice = await client.completions.create({
        model: "tiny",
        prompt: "The answer is",
        max_tokens: 20,
        seed,
        guided_choice: [" yes", " no"],
      } as OpenAI.CompletionCreateParamsNonStreaming);
      expect([" yes", " no"]).toContain(choice.choices[0].text);
      const pattern = await client.completions.create({
        model: "tiny",
        prompt: "Code:",
        max_tokens: 20,
        seed,
        structured_outputs: { regex: " [0-9]{4}" },
      } as OpenAI.CompletionCreateParamsNonStreaming);
      expect(pattern.choices[0].text).toMatch(/^ [0-9]{4}$/);
    }
  });
});

describe("GraphQL", () => {
  it("choice and regex on createChatCompletion", async () => {
    const { data, errors } = await postGraphql<
      { choice: { content: string }; regex: { content: string } },
      Record<string, never>
    >(
      app.url,
      `mutation {
        choice: createChatCompletion(input: { messages: [{ role: USER, content: "x" }], maxTokens: 20, choice: ["up", "down"] }) { content }
        regex: createChatCompletion(input: { messages: [{ role: USER, content: "x" }], maxTokens: 20, regex: "v[0-9]\\\\.[0-9]" }) { content }
      }`,
    );
    expect(errors).toBeUndefined();
    expect(["up", "down"]).toContain(data?.choice.content);
    expect(data?.regex.content).toMatch(/^v[0-9]\.[0-9]$/);
  });

  it("two constraints are a BAD_USER_INPUT naming the second", async () => {
    const { errors } = await postGraphql(
      app.url,
      `mutation { createChatCompletion(input: { messages: [{ role: USER, content: "x" }], grammar: "root ::= \\"a\\"", choice: ["b"] }) { content } }`,
    );
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "choice" });
  });
});

describe("vLLM's sampling extensions", () => {
  const ask = (extra: Record<string, unknown>) =>
    client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "Tell a story." }],
      max_tokens: 60,
      seed: 11,
      ...extra,
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);

  it("repetition_penalty is the repeat penalty under vLLM's name", async () => {
    const [vllm, llama, none] = await Promise.all([
      ask({ repetition_penalty: 5 }),
      ask({ repeat_penalty: 5 }),
      ask({}),
    ]);
    expect(vllm.choices[0].message.content).toBe(llama.choices[0].message.content);
    expect(vllm.choices[0].message.content).not.toBe(none.choices[0].message.content);
    const outOfRange = await badRequest(ask({ repetition_penalty: 11 }));
    expect(outOfRange.param).toBe("repetition_penalty");
  });

  it("the ones inferql does not run are accepted at their default and refused otherwise, by name", async () => {
    const defaults = await ask({
      min_tokens: 0,
      stop_token_ids: [],
      include_stop_str_in_output: false,
      skip_special_tokens: true,
      use_beam_search: false,
      length_penalty: 1,
    });
    expect(defaults.choices[0].message.content).not.toBe("");
    for (const [param, value] of [
      ["min_tokens", 8],
      ["stop_token_ids", [2]],
      ["include_stop_str_in_output", true],
      ["use_beam_search", true],
    ] as const)
      expect((await badRequest(ask({ [param]: value }))).param).toBe(param);
  });
});
