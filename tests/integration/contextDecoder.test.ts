// The context's decoder (src/inference/engine/contextDecoder.ts) runs generations on node-llama-cpp's
// native context; those that ask for logprobs go through node-llama-cpp's evaluate. Both must answer
// a seeded request alike, each on the slot the other left (the decoder keeps the library's record of
// the slot's tokens), and the decoder must carry the token of every generation of a context in one
// decode, whether it samples freely or under a grammar.
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import type { LoadedModel } from "../../src/inference/engine/loadedModel.js";
import { eventually, openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

describe("on one slot", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: ["--slots", "1"] });
  });
  afterAll(async () => app?.close());

  it("a seeded request gets the same answer through the decoder and through evaluate, each reusing the prompt the other cached", async () => {
    const client = openAiClient(app.url);
    const request = {
      model: "tiny",
      max_tokens: 24,
      seed: 11,
      temperature: 0.9,
      messages: [{ role: "user" as const, content: "the same seeded question" }],
    };
    const ask = async (logprobs: boolean) => {
      const completion = await client.chat.completions.create({ ...request, logprobs });
      return {
        content: completion.choices[0].message.content,
        cached: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
        promptTokens: completion.usage?.prompt_tokens ?? 0,
      };
    };
    const decoded = await ask(false);
    const evaluated = await ask(true);
    const decodedAgain = await ask(false);

    expect(decoded.content).toMatch(/\S/);
    expect(evaluated.content).toBe(decoded.content);
    expect(decodedAgain.content).toBe(decoded.content);
    // The whole prompt but its last token (which is evaluated again for its logits) came from the slot.
    expect(evaluated.cached).toBe(decoded.promptTokens - 1);
    expect(decodedAgain.cached).toBe(decoded.promptTokens - 1);
  });
});

describe("on four slots", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: ["--slots", "4"] });
  });
  afterAll(async () => app?.close());

  type NativeMethod = (...args: unknown[]) => unknown;

  /**
   * Runs `run` with the context's native object seen through `wrap` (every call to it, node-llama-cpp's
   * and the decoder's, goes through the method `wrap` returns), then puts the object back.
   */
  async function throughNative<T>(
    wrap: (property: string | symbol, method: NativeMethod, target: object) => NativeMethod,
    run: () => Promise<T>,
  ): Promise<T> {
    const model = app.registry.get("tiny") as LoadedModel;
    const sequence = await model.sequence(model.loraContextKey([]), 0, () => new Set());
    const context = sequence.context as unknown as { _ctx: object };
    const native = context._ctx;
    context._ctx = new Proxy(native, {
      get(target, property) {
        const value = Reflect.get(target, property);
        return typeof value === "function" ? wrap(property, value as NativeMethod, target) : value;
      },
    });
    try {
      return await run();
    } finally {
      context._ctx = native;
    }
  }

  /** Runs `requests` side by side; returns the native decodes they took and the tokens each generated. */
  async function decodesOf(requests: ChatCompletionCreateParamsNonStreaming[]) {
    let decodes = 0;
    const client = openAiClient(app.url);
    const completions = await throughNative(
      (property, method, target) => {
        if (property === "decodeBatch") decodes++;
        return method.bind(target);
      },
      () => Promise.all(requests.map((request) => client.chat.completions.create(request))),
    );
    return {
      decodes,
      generated: completions.map((completion) => completion.usage?.completion_tokens ?? 0),
      contents: completions.map((completion) => completion.choices[0].message.content ?? ""),
    };
  }

  const TOKENS = 48;
  const plain = (seed: number): ChatCompletionCreateParamsNonStreaming => ({
    model: "tiny",
    max_tokens: TOKENS,
    seed,
    messages: [{ role: "user", content: `side by side ${seed}` }],
  });

  it("four generations side by side share one decode per token", async () => {
    const { decodes, generated } = await decodesOf([1, 2, 3, 4].map(plain));
    expect(generated.reduce((sum, tokens) => sum + tokens, 0)).toBeGreaterThan(2 * TOKENS);
    // One decode per generation per token would be about four times the longest generation.
    expect(decodes).toBeLessThan(Math.max(...generated) * 1.5);
  });

  it("generations under a grammar share those decodes with free ones", async () => {
    const flags: ChatCompletionCreateParamsNonStreaming = {
      ...plain(5),
      max_tokens: 2 * TOKENS,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "flags",
          schema: {
            type: "object",
            properties: { flags: { type: "array", items: { type: "boolean" }, minItems: 8, maxItems: 8 } },
            required: ["flags"],
            additionalProperties: false,
          },
        },
      },
    };
    const { decodes, generated, contents } = await decodesOf([
      plain(1),
      flags,
      plain(2),
      { ...flags, seed: 6 },
    ]);
    for (const index of [1, 3]) expect(JSON.parse(contents[index]).flags).toHaveLength(8);
    expect(decodes).toBeLessThan(Math.max(...generated) * 1.5);
  });

  it("a token the context refuses fails its own generation only; the others finish and every slot is freed", async () => {
    let refused = false;
    const client = openAiClient(app.url);
    const results = await throughNative(
      (property, method, target) =>
        property === "addToBatch"
          ? (...args: unknown[]) => {
              // The first generated token's step (one token), once.
              if (!refused && (args[2] as Uint32Array).length === 1) {
                refused = true;
                throw new Error("refused by the test");
              }
              return method.apply(target, args);
            }
          : method.bind(target),
      () => Promise.allSettled([1, 2, 3, 4].map((seed) => client.chat.completions.create(plain(seed)))),
    );
    expect(refused).toBe(true);
    const failed = results.filter((result) => result.status === "rejected");
    expect(failed).toHaveLength(1);
    for (const result of results)
      if (result.status === "fulfilled") expect(result.value.usage?.completion_tokens).toBeGreaterThan(1);
    await eventually(() => app.scheduler.activeCount === 0 && app.scheduler.state().busySlots === 0);
  });
});
