// A request that goes wrong inside the engine must not disturb the streams generating beside it.
import type { Token } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { ContextDecoder } from "../../src/inference/engine/contextDecoder.js";
import type { LoadedModel } from "../../src/inference/engine/loadedModel.js";
import { eventually } from "../support/collect.js";
import { postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";
import { openStream, type StreamTransport } from "../support/streamClients.js";

const BESIDE: StreamTransport[] = ["openai-sse", "graphql-ws", "trpc-sse"];
const TOKENS = 200;

let app: RunningInferql;
beforeAll(async () => {
  app = await startTestServer({ flags: ["--slots", "4"] });
});
afterAll(async () => app?.close());

const idle = () => app.scheduler.activeCount === 0 && app.scheduler.state().busySlots === 0;

/** Three streams on other slots, started and past their first token. */
async function streamsBeside() {
  const streams = BESIDE.map((transport) =>
    openStream(transport, app.url, { content: `beside on ${transport}`, maxTokens: TOKENS }),
  );
  await Promise.all(streams.map((stream) => stream.firstContent));
  return streams;
}

async function expectUndisturbed(streams: ReturnType<typeof openStream>[]) {
  for (const outcome of await Promise.all(streams.map((stream) => stream.outcome)))
    expect(outcome).toMatchObject({ finishReason: "length", ended: true });
  await eventually(idle, 2000);
  const after = await Promise.all(
    Array.from({ length: 4 }, (_, index) =>
      postJson(`${app.url}/v1/completions`, { prompt: `after ${index}`, max_tokens: 8 }),
    ),
  );
  for (const response of after)
    expect(response).toMatchObject({ status: 200, body: { choices: [{ finish_reason: "length" }] } });
}

it("a grammar whose every allowed token is banned by logit_bias (once a crash of the whole process) is answered, and the streams beside it finish", async () => {
  // With a -100 ban on every token that can start "a", llama.cpp's sampler picks a token the
  // grammar rejects; node-llama-cpp 3.21 then rejects a promise nothing handles and never ends the sequence.
  const model = app.registry.get("tiny") as LoadedModel;
  const banned: Record<string, number> = {};
  for (let token = 0; token < model.vocabularySize; token++) {
    const text = model.tokenText(token as Token);
    if (text === "" || text.startsWith("a")) banned[String(token)] = -100;
  }
  const streams = await streamsBeside();
  const response = await postJson(`${app.url}/v1/completions`, {
    prompt: "Say a",
    grammar: 'root ::= "a"+',
    logit_bias: banned,
    max_tokens: 8,
  });
  expect(response.status).toBe(200);
  expect((response.body as { choices: { text: string }[] }).choices[0].text).toMatch(/^a+$/);
  await expectUndisturbed(streams);
}, 30_000);

it("an engine failure in the middle of one stream ends that stream with finish reason error; the others finish in full", async () => {
  const streams = await streamsBeside();
  // The next generation started fails after three tokens, as a failed sampling inside llama.cpp would
  // (the context's decoder runs it).
  const generate = ContextDecoder.prototype.generate;
  const spy = vi.spyOn(ContextDecoder.prototype, "generate").mockImplementationOnce(async function* (
    this: ContextDecoder,
    ...args: Parameters<ContextDecoder["generate"]>
  ) {
    let produced = 0;
    for await (const token of generate.apply(this, args)) {
      if (produced++ === 3) throw new Error("simulated sampling failure");
      yield token;
    }
  });
  try {
    const failing = openStream("graphql-ws", app.url, { content: "this one breaks", maxTokens: TOKENS });
    expect(await failing.outcome).toMatchObject({ finishReason: "error", ended: true, contentEvents: 3 });
  } finally {
    spy.mockRestore();
  }
  await expectUndisturbed(streams);
}, 30_000);
