// The context's decoder (src/inference/engine/contextDecoder.ts) runs generations on node-llama-cpp's
// native context; those that ask for logprobs go through node-llama-cpp's evaluate. Both must answer
// a seeded request alike, each on the slot the other left (the decoder keeps the library's record of
// the slot's tokens), and the decoder must carry the token of every generation of a context in one
// decode, whether it samples freely or under a grammar.
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import type { LoadedModel } from "../../src/inference/engine/loadedModel.js";
import { type ChatFamily, FORCED_CALL_TOOLS, familyFixturePath } from "../support/familyFixtures.js";
import { eventually, openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

type NativeMethod = (...args: unknown[]) => unknown;

/**
 * Runs `run` with the native object of the model's (LoRA-free) context seen through `wrap` (every
 * call to it, node-llama-cpp's and the decoder's, goes through the method `wrap` returns), then puts
 * the object back.
 */
async function throughNative<T>(
  app: RunningInferql,
  modelId: string,
  wrap: (property: string | symbol, method: NativeMethod, target: object) => NativeMethod,
  run: () => Promise<T>,
): Promise<T> {
  const model = app.registry.get(modelId) as LoadedModel;
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

/**
 * How many times a generation under way was left out of a decode that carried another one's token:
 * for each decode with a generated token (a one-token step), the slots that had one in decodes before
 * and after it but none in it. Zero when every decode carries the next token of every generation of
 * the context (the decodes of prompt chunks alone are not counted). `batches` maps each decode's slots
 * to the number of tokens it carried for them.
 */
function leftOut(batches: Map<number, number>[]): number {
  const generating = (batch: Map<number, number>) => [...batch.values()].includes(1);
  const span = new Map<number, { first: number; last: number }>();
  batches.forEach((batch, index) => {
    for (const [slot, tokens] of batch)
      if (tokens === 1) span.set(slot, { first: span.get(slot)?.first ?? index, last: index });
  });
  let missing = 0;
  batches.forEach((batch, index) => {
    if (!generating(batch)) return;
    for (const [slot, { first, last }] of span)
      if (first < index && index < last && !batch.has(slot)) missing++;
  });
  return missing;
}

/**
 * Runs `requests` side by side on `modelId`; returns how many times a generation under way was left
 * out of a decode (see leftOut), and their answers.
 */
async function decodesOf(
  app: RunningInferql,
  modelId: string,
  requests: ChatCompletionCreateParamsNonStreaming[],
) {
  const batches: Map<number, number>[] = [];
  let batch = new Map<number, number>();
  const client = openAiClient(app.url);
  const completions = await throughNative(
    app,
    modelId,
    (property, method, target) => {
      if (property === "addToBatch")
        return (...args: unknown[]) => {
          const [slot, , tokens] = args as [number, number, Uint32Array];
          batch.set(slot, (batch.get(slot) ?? 0) + tokens.length);
          return method.apply(target, args);
        };
      if (property === "decodeBatch") {
        batches.push(batch);
        batch = new Map();
      }
      return method.bind(target);
    },
    () => Promise.all(requests.map((request) => client.chat.completions.create(request))),
  );
  return {
    leftOut: leftOut(batches),
    generated: completions.map((completion) => completion.usage?.completion_tokens ?? 0),
    contents: completions.map((completion) => completion.choices[0].message.content ?? ""),
    choices: completions.map((completion) => completion.choices[0]),
  };
}

describe("on one slot", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: ["--slots", "1"] });
  });
  afterAll(async () => app?.close());

  const seeded = (content: string, seed: number, maxTokens: number) => ({
    model: "tiny",
    max_tokens: maxTokens,
    seed,
    temperature: 0.9,
    messages: [{ role: "user" as const, content }],
  });

  it("a seeded request gets the same answer through the decoder and through evaluate, each reusing the prompt the other cached", async () => {
    const client = openAiClient(app.url);
    const request = seeded("the same seeded question", 11, 24);
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

  it("a generation ended by a stop sequence, past which the decoder decoded ahead, leaves the slot as it records it", async () => {
    const client = openAiClient(app.url);
    const request = seeded("stop me halfway", 23, 40);
    const first = await client.chat.completions.create(request);
    const content = first.choices[0].message.content ?? "";
    const stop = content.slice(Math.floor(content.length / 2)).match(/\S{2,}/)?.[0] ?? "";
    expect(stop).not.toBe("");
    const stopped = await client.chat.completions.create({ ...request, stop: [stop] });
    expect(stopped.choices[0].finish_reason).toBe("stop");
    expect(stopped.choices[0].message.content).toBe(content.slice(0, content.indexOf(stop)));
    // The slot holds the stopped answer's prompt (and whatever was decoded past its end, recorded
    // as such): the same request again reuses all of the prompt but its last token and answers alike.
    const again = await client.chat.completions.create(request);
    expect(again.choices[0].message.content).toBe(content);
    expect(again.usage?.prompt_tokens_details?.cached_tokens).toBe((again.usage?.prompt_tokens ?? 0) - 1);
  });
});

describe("on four slots", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: ["--slots", "4"] });
  });
  afterAll(async () => app?.close());

  const TOKENS = 48;
  const plain = (seed: number): ChatCompletionCreateParamsNonStreaming => ({
    model: "tiny",
    max_tokens: TOKENS,
    seed,
    messages: [{ role: "user", content: `side by side ${seed}` }],
  });

  it("four generations side by side share one decode per token", async () => {
    const { leftOut, generated } = await decodesOf(app, "tiny", [1, 2, 3, 4].map(plain));
    expect(generated.reduce((sum, tokens) => sum + tokens, 0)).toBeGreaterThan(2 * TOKENS);
    // A generation may miss one step as it joins the others (it is still reading its first token).
    expect(leftOut).toBeLessThanOrEqual(generated.length);
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
    const { leftOut, generated, contents } = await decodesOf(app, "tiny", [
      plain(1),
      flags,
      plain(2),
      { ...flags, seed: 6 },
    ]);
    for (const index of [1, 3]) expect(JSON.parse(contents[index]).flags).toHaveLength(8);
    expect(leftOut).toBeLessThanOrEqual(generated.length);
  });

  it("a token the context refuses fails its own generation only; the others finish and every slot is freed", async () => {
    let refused = false;
    const client = openAiClient(app.url);
    const results = await throughNative(
      app,
      "tiny",
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

describe("on real families' fixtures", () => {
  // Scripted fixtures with each family's template, special tokens and tool-call syntax: a forced
  // call runs under the family's tool-call grammar (and, for Qwen3, after its reasoning), beside free
  // answers that go on past their script (ignore_eos).
  const FAMILIES: ChatFamily[] = ["qwen2.5", "llama3.1", "mistral-nemo", "qwen3"];
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({
      flags: FAMILIES.flatMap((family) => ["--model", `${family}=${familyFixturePath(family)}`]),
    });
  });
  afterAll(async () => app?.close());

  /** A forced call; Qwen3's script reasons first ("Checking"), then calls. */
  const forcedCall = (family: ChatFamily): ChatCompletionCreateParamsNonStreaming => ({
    model: family,
    max_tokens: 300,
    messages: [
      { role: "user", content: family === "qwen3" ? "Please answer @@thinkcall" : "Please answer @@plain" },
    ],
    tools: FORCED_CALL_TOOLS.filter((tool) => tool.function.name === "get_weather"),
    tool_choice: "required",
  });
  const freeAnswer = (family: ChatFamily, seed: number) =>
    ({
      model: family,
      max_tokens: 40,
      seed,
      ignore_eos: true,
      messages: [{ role: "user", content: `Please answer @@plain ${seed}` }],
    }) as ChatCompletionCreateParamsNonStreaming;

  it.each(FAMILIES)(
    "%s: forced tool calls and free answers side by side share one decode per token",
    async (family) => {
      const { leftOut, generated, choices } = await decodesOf(app, family, [
        forcedCall(family),
        freeAnswer(family, 1),
        forcedCall(family),
        freeAnswer(family, 2),
      ]);
      for (const index of [0, 2]) {
        expect(choices[index].finish_reason).toBe("tool_calls");
        const [call] = choices[index].message.tool_calls as {
          function: { name: string; arguments: string };
        }[];
        expect(call.function.name).toBe("get_weather");
        expect(["Paris", "Tokyo"]).toContain(JSON.parse(call.function.arguments).city);
      }
      for (const index of [1, 3]) expect(generated[index]).toBe(40);
      // The forced calls' steps taking decodes of their own would leave the free answers out of
      // each of them, and the forced calls out of the free answers' decodes.
      expect(leftOut).toBeLessThanOrEqual(generated.length);
    },
  );
});
