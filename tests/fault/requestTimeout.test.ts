// A generation that runs into --request-timeout ends with its own finish reason on every transport,
// never as "length" (which says maxTokens or the context size cut it).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CreateChatCompletionDocument } from "../../codegen/generated/graphql.js";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { postGraphql } from "../support/graphqlClients.js";
import { openAiClient, postJson, readSseData } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

/** Far more tokens than the tiny model writes in the one second the server allows. */
const MAX_TOKENS = 14_000;
const messages = [{ role: "user" as const, content: "Talk until the server stops you." }];

let app: RunningInferql;
beforeAll(async () => {
  // A slot for each test: they run at once, so the suite waits out the timeout once, not once per test.
  app = await startTestServer({ flags: ["--request-timeout", "1", "--ctx-size", "16384", "--slots", "5"] });
});
afterAll(async () => app?.close());

describe.concurrent("a generation cut off by --request-timeout", () => {
  test("GraphQL: finishReason TIMEOUT", async () => {
    const result = await postGraphql(app.url, CreateChatCompletionDocument, {
      input: {
        model: "tiny",
        messages: [{ role: "USER", content: messages[0].content }],
        maxTokens: MAX_TOKENS,
      },
    });
    expect(result.errors).toBeUndefined();
    const completion = result.data!.createChatCompletion;
    expect(completion.finishReason).toBe("TIMEOUT");
    expect(completion.usage.completionTokens).toBeGreaterThan(0);
    expect(completion.usage.completionTokens).toBeLessThan(MAX_TOKENS);
  });

  test("tRPC: finishReason 'timeout'", async () => {
    const client = createInferqlClient(app.url);
    const completion = await client.chat.create.mutate({ messages, maxTokens: MAX_TOKENS });
    expect(completion.choices[0].finishReason).toBe("timeout");
  });

  test("OpenAI REST: finish_reason 'length' (the wire has no timeout) with inferql_finish_reason 'timeout'", async () => {
    const completion = await openAiClient(app.url).chat.completions.create({
      model: "tiny",
      messages,
      max_tokens: MAX_TOKENS,
    });
    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe("length");
    expect((choice as unknown as Record<string, unknown>).inferql_finish_reason).toBe("timeout");
    expect(completion.usage!.completion_tokens).toBeLessThan(MAX_TOKENS);
  });

  test("OpenAI REST stream: the finish chunk says the same", async () => {
    const response = await fetch(`${app.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "tiny", prompt: "Once", max_tokens: MAX_TOKENS, stream: true }),
    });
    const data = await readSseData(response);
    expect(data.at(-1)).toBe("[DONE]");
    const finish = data
      .slice(0, -1)
      .map((chunk) => JSON.parse(chunk) as { choices: Record<string, unknown>[] })
      .find((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish?.choices[0]).toMatchObject({ finish_reason: "length", inferql_finish_reason: "timeout" });
  });

  test("a generation cut off by max_tokens carries no detail", async () => {
    const { body } = await postJson(`${app.url}/v1/completions`, {
      model: "tiny",
      prompt: "Once",
      max_tokens: 4,
    });
    const [choice] = (body as { choices: Record<string, unknown>[] }).choices;
    expect(choice.finish_reason).toBe("length");
    expect(choice).not.toHaveProperty("inferql_finish_reason");
  });
});
