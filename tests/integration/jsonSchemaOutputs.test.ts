// Structured output through the real server and the official OpenAI client: the JSON schemas that
// LangChain and other clients send (2020-12, draft-04, ...) constrain the content, and a keyword the
// grammar cannot enforce is a 400 naming that keyword.
import { Ajv2020 } from "ajv/dist/2020.js";
import { BadRequestError, type OpenAI } from "openai";
import { zodResponseFormat, zodTextFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningInferql } from "../../src/app.js";
import { BYTE_TOKEN_OFFSET } from "../../src/inference/generatedModel/vocab.js";
import { langChainPerson } from "../support/clientSchemas.js";
import { openAiClient, postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let client: OpenAI;
/** Raises the tokens that close a string: a tiny random model's sampled strings rarely end otherwise. */
let closeStrings: Record<string, number>;

beforeAll(async () => {
  app = await startTestServer();
  client = openAiClient(app.url);
  const { body } = await postJson(`${app.url}/tokenize`, { content: '"' });
  const quoteTokens = [...(body as { tokens: number[] }).tokens, BYTE_TOKEN_OFFSET + '"'.charCodeAt(0)];
  closeStrings = Object.fromEntries(quoteTokens.map((token) => [String(token), 4]));
});

afterAll(async () => {
  await app?.close();
});

async function structuredContent(schema: Record<string, unknown>, seed: number): Promise<unknown> {
  const completion = await client.chat.completions.create({
    model: "tiny",
    messages: [{ role: "user", content: "Who are you?" }],
    max_tokens: 300,
    temperature: 1,
    seed,
    logit_bias: closeStrings,
    response_format: { type: "json_schema", json_schema: { name: "answer", schema } },
  });
  expect(completion.choices[0].finish_reason).toBe("stop");
  return JSON.parse(completion.choices[0].message.content ?? "");
}

describe("response_format json_schema", () => {
  it("LangChain's 2020-12 schema: the content parses and validates", async () => {
    const validate = new Ajv2020({ strict: false }).compile(langChainPerson);
    for (const seed of [1, 2, 3, 4]) {
      const value = await structuredContent(langChainPerson, seed);
      expect(validate(value), JSON.stringify({ value, errors: validate.errors })).toBe(true);
    }
  });

  it("a draft-04 schema (boolean exclusiveMinimum) works", async () => {
    const schema = {
      $schema: "http://json-schema.org/draft-04/schema#",
      type: "object",
      properties: { count: { type: "integer", minimum: 0, exclusiveMinimum: true, maximum: 50 } },
      required: ["count"],
      additionalProperties: false,
    };
    const value = (await structuredContent(schema, 7)) as { count: number };
    expect(Object.keys(value)).toEqual(["count"]);
    expect(Number.isInteger(value.count)).toBe(true);
    expect(value.count).toBeGreaterThan(0);
    expect(value.count).toBeLessThanOrEqual(50);
  });

  it("a schema with an unknown $schema dialect is not a server error", async () => {
    const schema = { $schema: "https://example.com/dialect", type: "boolean" };
    expect(typeof (await structuredContent(schema, 1))).toBe("boolean");
  });

  it("a string pattern is followed (zod's .regex(), pydantic's pattern)", async () => {
    const schema = {
      type: "object",
      properties: { code: { type: "string", pattern: "^[A-Z]{3}-\\d{2}$" } },
      required: ["code"],
      additionalProperties: false,
    };
    for (const seed of [1, 2, 3]) {
      const value = (await structuredContent(schema, seed)) as { code: string };
      expect(value.code).toMatch(/^[A-Z]{3}-\d{2}$/);
    }
  });

  it("a pattern the grammar cannot enforce is refused with a 400 that names the keyword", async () => {
    const error = await client.chat.completions
      .create({
        model: "tiny",
        messages: [{ role: "user", content: "Code?" }],
        max_tokens: 20,
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "code",
            schema: { type: "object", properties: { code: { type: "string", pattern: "^(?!x)[a-z]+$" } } },
          },
        },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error" });
    const { message, param } = error as BadRequestError;
    expect(message).toContain("lookahead");
    expect(param).toMatch(/^response_format\.json_schema\.schema\.properties\.code\.pattern$/);
  });
});

describe("the openai package's zod helpers (strict json_schema from a zod schema)", () => {
  /** Every value bounded by the grammar (enums, a ranged integer): no open strings. */
  const verdict = z.object({
    color: z.enum(["red", "green", "blue"]),
    count: z.number().int().min(0).max(9),
  });

  it("chat.completions.parse with zodResponseFormat returns the parsed object", async () => {
    const completion = await client.chat.completions.parse({
      model: "tiny",
      messages: [{ role: "user", content: "Give a verdict." }],
      max_tokens: 200,
      response_format: zodResponseFormat(verdict, "verdict"),
    });
    const { parsed } = completion.choices[0].message;
    expect(verdict.parse(parsed)).toEqual(parsed);
  });

  it("responses.parse with zodTextFormat returns the parsed object", async () => {
    const response = await client.responses.parse({
      model: "tiny",
      input: "Give a verdict.",
      max_output_tokens: 200,
      text: { format: zodTextFormat(verdict, "verdict") },
    });
    expect(verdict.parse(response.output_parsed)).toEqual(response.output_parsed);
  });
});
