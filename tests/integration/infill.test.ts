// Code infill (llama-server's /infill, GraphQL createInfill / infill, tRPC infill.create / infill.stream) on a
// scripted fill-in-the-middle fixture that answers "return a + b" when its prefix holds "@@fim".
import { getLlama, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient, type InferqlClient } from "../../src/client/index.js";
import { infillPromptTokens } from "../../src/inference/engine/infillPrompt.js";
import { FIM_ANSWER, FIM_SELECTOR, fimFixturePath } from "../support/fimFixture.js";
import { collect, graphqlWsClient, postGraphql } from "../support/graphqlClients.js";
import { postJson, readSseData } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let trpc: InferqlClient;

beforeAll(async () => {
  app = await startTestServer({ flags: ["--model", `coder=${fimFixturePath()}`] });
  trpc = createInferqlClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

const gap = {
  input_prefix: `def add(a, b):\n    ${FIM_SELECTOR} `,
  input_suffix: "\n\nprint(add(1, 2))\n",
};

describe("/v1/completions with a suffix (OpenAI's insert mode)", () => {
  const insert = (body: Record<string, unknown>) =>
    postJson(`${app.url}/v1/completions`, {
      model: "coder",
      temperature: 0,
      prompt: gap.input_prefix,
      suffix: gap.input_suffix,
      ...body,
    });

  it("answers the middle as the completion's text, streamed and not", async () => {
    const { status, body } = await insert({});
    expect(status).toBe(200);
    expect(body).toMatchObject({
      object: "text_completion",
      choices: [{ text: FIM_ANSWER, finish_reason: "stop" }],
    });
    const response = await fetch(`${app.url}/v1/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: "coder",
        temperature: 0,
        prompt: gap.input_prefix,
        suffix: gap.input_suffix,
        stream: true,
      }),
    });
    const text = (await readSseData(response))
      .filter((data) => data !== "[DONE]")
      .map((data) => (JSON.parse(data) as { choices: { text: string }[] }).choices[0]?.text ?? "")
      .join("");
    expect(text).toBe(FIM_ANSWER);
  });

  it("a model without FIM tokens, or a token-id prompt, is a 400 naming the field", async () => {
    const withoutFim = await postJson(`${app.url}/v1/completions`, {
      model: "tiny",
      prompt: "a",
      suffix: "b",
    });
    expect(withoutFim.status).toBe(400);
    const tokenIds = await insert({ prompt: [1, 2, 3] });
    expect(tokenIds.status).toBe(400);
    expect(tokenIds.body).toMatchObject({ error: { param: "suffix" } });
  });
});

describe("POST /infill", () => {
  it("answers the middle in llama-server's /completion shape", async () => {
    const { status, body } = await postJson(`${app.url}/infill`, { model: "coder", temperature: 0, ...gap });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      content: FIM_ANSWER,
      stop: true,
      model: "coder",
      stop_type: "eos",
      tokens_predicted: 4,
      truncated: false,
    });
    expect((body as { tokens_evaluated: number }).tokens_evaluated).toBeGreaterThan(10);
  });

  it("streams the middle as /completion chunks, the last with stop: true and no [DONE]", async () => {
    const response = await fetch(`${app.url}/infill`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "coder", temperature: 0, stream: true, ...gap }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const messages = (await readSseData(response)).map(
      (data) => JSON.parse(data) as { content: string; stop: boolean; stop_type?: string },
    );
    const last = messages.at(-1)!;
    expect(last).toMatchObject({ stop: true, content: "", stop_type: "eos" });
    expect(messages.slice(0, -1).every((message) => !message.stop)).toBe(true);
    expect(messages.map((message) => message.content).join("")).toBe(FIM_ANSWER);
  });

  it("continues the prompt, which starts the middle after FIM_MID", async () => {
    const { body } = await postJson(`${app.url}/infill`, {
      model: "coder",
      temperature: 0,
      prompt: "return",
      ...gap,
    });
    expect(body).toMatchObject({ content: " a + b", stop_type: "eos" });
  });

  it("shows input_extra files before the prefix, so the prompt grows by them", async () => {
    const plain = await postJson(`${app.url}/infill`, {
      model: "coder",
      temperature: 0,
      n_predict: 1,
      ...gap,
    });
    const withExtra = await postJson(`${app.url}/infill`, {
      model: "coder",
      temperature: 0,
      n_predict: 1,
      input_extra: [{ filename: "util.py", text: "x = 1\n" }],
      ...gap,
    });
    const evaluated = (result: { body: unknown }) =>
      (result.body as { tokens_evaluated: number }).tokens_evaluated;
    expect(evaluated(withExtra)).toBeGreaterThan(evaluated(plain));
    expect(withExtra.body).toMatchObject({ content: "return", stop_type: "limit" });
  });

  it("refuses a model without FIM tokens with a 400 naming the model", async () => {
    const { status, body } = await postJson(`${app.url}/infill`, { model: "tiny", ...gap });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { param: "model" } });
    expect((body as { error: { message: string } }).error.message).toMatch(/'tiny' does not support infill/);
  });

  it("refuses a request without input_suffix", async () => {
    const { status, body } = await postJson(`${app.url}/infill`, { model: "coder", input_prefix: "x" });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { param: "input_suffix" } });
  });
});

describe("the infill prompt", () => {
  let model: LlamaModel;

  beforeAll(async () => {
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: fimFixturePath() });
  });

  afterAll(async () => {
    await model?.dispose();
  });

  it("lays out repository files, prefix, suffix and prompt as llama-server documents", () => {
    const tokens = infillPromptTokens(model, "coder", {
      kind: "infill",
      prefix: "def f():\n    ",
      suffix: "\n",
      extra: [
        { filename: "a.py", text: "A = 1\n" },
        { filename: "b.py", text: "B = 2\n" },
      ],
      prompt: "return",
    });
    expect(model.detokenize(tokens, true)).toBe(
      "<|file_sep|>a.py\nA = 1\n<|file_sep|>b.py\nB = 2\n<|file_sep|>filename\n" +
        "<|fim_prefix|>def f():\n    <|fim_suffix|>\n<|fim_middle|>return",
    );
  });
});

const infillFields = `
  input: { model: "coder", temperature: 0, inputPrefix: "def add(a, b): @@fim ", inputSuffix: "\\n" }
`;

describe("GraphQL", () => {
  it("createInfill returns the middle as a Completion", async () => {
    const result = await postGraphql<{ createInfill: { text: string; finishReason: string } }, never>(
      app.url,
      `mutation { createInfill(${infillFields}) { text finishReason } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.createInfill).toEqual({ text: FIM_ANSWER, finishReason: "STOP" });
  });

  it("the infill subscription streams TextDelta events and CompletionFinished", async () => {
    const client = graphqlWsClient(app.url);
    try {
      const results = await collect(
        client.iterate<{ infill: { __typename: string; text?: string } }>({
          query: `subscription { infill(${infillFields}) { __typename ... on TextDelta { text } ... on CompletionFinished { text } } }`,
        }),
      );
      const events = results.map((result) => result.data!.infill);
      expect(events[0].__typename).toBe("GenerationStarted");
      expect(events.at(-1)).toEqual({ __typename: "CompletionFinished", text: FIM_ANSWER });
    } finally {
      await client.dispose();
    }
  });

  it("names the model without FIM tokens in the error", async () => {
    const result = await postGraphql<unknown, never>(
      app.url,
      `mutation { createInfill(input: { model: "tiny", inputPrefix: "a", inputSuffix: "b" }) { text } }`,
    );
    expect(result.errors?.[0].message).toMatch(/'tiny' does not support infill/);
  });
});

describe("tRPC", () => {
  const input = { model: "coder", temperature: 0, inputPrefix: "def add(a, b): @@fim ", inputSuffix: "\n" };

  it("infill.create returns the middle", async () => {
    const infill = await trpc.infill.create.mutate(input);
    expect(infill).toMatchObject({ text: FIM_ANSWER, finishReason: "stop" });
  });

  it("infill.stream streams the completion events", async () => {
    const events: { type: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      trpc.infill.stream.subscribe(input, {
        onData: (event) => events.push(event),
        onComplete: resolve,
        onError: reject,
      });
    });
    expect(events[0].type).toBe("started");
    expect(events.at(-1)).toMatchObject({ type: "finished", text: FIM_ANSWER });
  });
});
