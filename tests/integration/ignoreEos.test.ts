// ignore_eos (llama-server's and vLLM's parameter; benchmarks send it to fix each answer's length):
// end-of-generation tokens are never sampled, on every transport, with the model that otherwise
// ends after a few tokens; a grammar still ends the answer when its output is complete. And
// logit_bias on those tokens, which node-llama-cpp's TokenBias alone would drop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateChatCompletionDocument } from "../../codegen/generated/graphql.js";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { SpecialTokenId } from "../../src/inference/generatedModel/vocab.js";
import { postGraphql } from "../support/graphqlClients.js";
import { openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
const LIMIT = 24;
const hello = [{ role: "user" as const, content: "Hello!" }];

beforeAll(async () => {
  app = await startTestServer({ withStopsEarlyModel: true });
});

afterAll(async () => {
  await app?.close();
});

describe("ignore_eos on the model that ends after a few tokens", () => {
  it("REST chat: without it the answer stops early; with it, it runs to max_tokens, streamed or not", async () => {
    const client = openAiClient(app.url);
    const params = { model: "stops-early", messages: hello, max_tokens: LIMIT, seed: 1 };
    const natural = await client.chat.completions.create(params);
    expect(natural.choices[0].finish_reason).toBe("stop");
    expect(natural.usage?.completion_tokens).toBeLessThan(LIMIT);

    const forced = await client.chat.completions.create({ ...params, ignore_eos: true } as typeof params);
    expect(forced.choices[0].finish_reason).toBe("length");
    expect(forced.usage?.completion_tokens).toBe(LIMIT);

    const stream = await client.chat.completions.create({
      ...params,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    } as typeof params & { stream: true });
    const finishes: string[] = [];
    let completionTokens: number | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
    expect(finishes).toEqual(["length"]);
    expect(completionTokens).toBe(LIMIT);
  });

  it("REST text completions take it too", async () => {
    const completion = await openAiClient(app.url).completions.create({
      model: "stops-early",
      prompt: "Once upon a time",
      max_tokens: LIMIT,
      ignore_eos: true,
    } as { model: string; prompt: string; max_tokens: number });
    expect(completion.choices[0].finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(LIMIT);
  });

  it("GraphQL (ignoreEos) and tRPC (ignoreEos) run to maxTokens", async () => {
    const { data, errors } = await postGraphql(app.url, CreateChatCompletionDocument, {
      input: {
        model: "stops-early",
        messages: [{ role: "USER", content: "Hello!" }],
        maxTokens: LIMIT,
        ignoreEos: true,
      },
    });
    expect(errors).toBeUndefined();
    expect(data?.createChatCompletion.finishReason).toBe("LENGTH");
    expect(data?.createChatCompletion.usage.completionTokens).toBe(LIMIT);

    const trpc = createInferqlClient(app.url);
    const completion = await trpc.chat.create.mutate({
      model: "stops-early",
      messages: hello,
      maxTokens: LIMIT,
      ignoreEos: true,
    });
    expect(completion.choices[0].finishReason).toBe("length");
    expect(completion.usage.completionTokens).toBe(LIMIT);
  });

  it("a JSON schema still ends the answer once its object is complete", async () => {
    const completion = await openAiClient(app.url).chat.completions.create({
      model: "stops-early",
      messages: hello,
      max_tokens: 64,
      seed: 9,
      ignore_eos: true,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer",
          schema: {
            type: "object",
            properties: { sunny: { type: "boolean" } },
            required: ["sunny"],
            additionalProperties: false,
          },
        },
      },
    } as { model: string; messages: typeof hello; max_tokens: number });
    expect(completion.choices[0].finish_reason).toBe("stop");
    const answer = JSON.parse(completion.choices[0].message.content ?? "") as { sunny: unknown };
    expect(typeof answer.sunny).toBe("boolean");
  });
});

describe("logit_bias on end-of-generation tokens", () => {
  it("-100 on EOS and <|im_end|> bans them (OpenAI's and llama-server's meaning): the answer runs to max_tokens", async () => {
    const completion = await openAiClient(app.url).chat.completions.create({
      model: "stops-early",
      messages: hello,
      max_tokens: LIMIT,
      seed: 1,
      logit_bias: { [SpecialTokenId.eos]: -100, [SpecialTokenId.imEnd]: -100 },
    });
    expect(completion.choices[0].finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(LIMIT);
  });
});
