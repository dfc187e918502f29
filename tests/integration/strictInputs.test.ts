// Unknown input fields are errors that name the field, on tRPC as on GraphQL: a typo such as
// `maxTokenz` must not run silently with the default limit. The OpenAI REST layer still ignores
// fields it does not know (OpenAI clients send many), and its translations pass the strict schemas.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import {
  type AppRouter,
  createInferqlClient,
  type InferqlClient,
  TRPCClientError,
} from "../../src/client/index.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let client: InferqlClient;

beforeAll(async () => {
  app = await startTestServer();
  client = createInferqlClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

async function trpcError(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCClientError))
    throw new Error(`expected a TRPCClientError, got ${String(error)}`);
  return error as TRPCClientError<AppRouter>;
}

const messages = [{ role: "user" as const, content: "hi" }];

describe("tRPC", () => {
  it("refuses a misspelt top-level field with BAD_REQUEST naming it", async () => {
    const input = { messages, maxTokenz: 4 } as unknown as Parameters<typeof client.chat.create.mutate>[0];
    const error = await trpcError(client.chat.create.mutate(input));
    expect(error.data?.code).toBe("BAD_REQUEST");
    expect(error.data?.field).toBe("maxTokenz");
    expect(error.message).toContain("maxTokenz");
  });

  it("refuses an unknown field in a message, naming its path", async () => {
    const input = {
      messages: [{ role: "user", content: "hi", nmae: "ann" }],
      maxTokens: 2,
    } as unknown as Parameters<typeof client.chat.create.mutate>[0];
    const error = await trpcError(client.chat.create.mutate(input));
    expect(error.data?.code).toBe("BAD_REQUEST");
    expect(error.data?.field).toBe("messages.0.nmae");
  });

  it("refuses unknown fields in tools, tool choice and response format", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ tools: [{ function: { name: "f", paramters: {} } }] }, "tools.0.function.paramters"],
      [{ toolChoice: { function: { name: "f", strict: true } } }, "toolChoice.function.strict"],
      [{ responseFormat: { type: "json_object", schema: {} } }, "responseFormat.schema"],
      [{ lora: [{ name: "style", weight: 1 }] }, "lora.0.weight"],
    ];
    for (const [fields, field] of cases) {
      const input = { messages, maxTokens: 2, ...fields } as Parameters<typeof client.chat.create.mutate>[0];
      const error = await trpcError(client.chat.create.mutate(input));
      expect(error.data?.field, JSON.stringify(fields)).toBe(field);
    }
  });

  it("refuses unknown fields on completions, embeddings and the tokenizer", async () => {
    const completion = { prompt: "a", maxTokenz: 2 } as Parameters<typeof client.completion.create.mutate>[0];
    expect((await trpcError(client.completion.create.mutate(completion))).data?.field).toBe("maxTokenz");
    const embeddings = { input: "a", dimensions: 8 } as Parameters<typeof client.embeddings.create.mutate>[0];
    expect((await trpcError(client.embeddings.create.mutate(embeddings))).data?.field).toBe("dimensions");
    const tokenize = { text: "a", addBos: true } as Parameters<typeof client.tokenizer.tokenize.query>[0];
    expect((await trpcError(client.tokenizer.tokenize.query(tokenize))).data?.field).toBe("addBos");
  });

  it("still serves a request with only known fields", async () => {
    const completion = await client.chat.create.mutate({
      messages: [
        { role: "system", content: [{ type: "text", text: "be brief" }] },
        { role: "user", content: "hi" },
      ],
      maxTokens: 2,
      responseFormat: { type: "text" },
      lora: [{ name: "style", scale: 0.5 }],
    });
    expect(completion.choices[0].usage.completionTokens).toBeLessThanOrEqual(2);
  });
});

describe("the other transports", () => {
  it("OpenAI REST still ignores fields it does not know, at every level", async () => {
    const openai = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const completion = await openai.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "hi", name: "ann" }],
      max_tokens: 2,
      response_format: { type: "json_object" },
      tools: [{ type: "function", function: { name: "f", parameters: {}, strict: false } }],
      tool_choice: "none",
      // @ts-expect-error: a field OpenAI does not define
      maxTokenz: 9,
    });
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(2);
  });

  it("GraphQL translations (which leave absent optional fields undefined) pass the strict schemas", async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `mutation {
          createChatCompletion(input: {
            messages: [{ role: SYSTEM, content: "x" }, { role: USER, content: "hi" }],
            maxTokens: 2, responseFormat: { type: TEXT }, toolChoice: { mode: NONE }
          }) { id }
        }`,
      }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({ createChatCompletion: { id: expect.any(String) } });
  });
});
