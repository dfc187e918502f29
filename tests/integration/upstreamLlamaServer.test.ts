// A gateway inferql in front of a real llama-server (`--upstream …,kind=llama`, issue #16), built from
// node-llama-cpp's llama.cpp by bench/build-llama-server.sh: streamed and whole chat completions with
// usage, finish reasons and logprobs, GBNF grammars (inferql's `grammar` as llama-server's), JSON
// outputs, a cancelled stream freeing llama-server's slot, through the openai client, GraphQL over
// graphql-ws and tRPC; LoRA adapters, infill, embeddings, rerank, prompt rendering, tokenize and
// detokenize. Skipped, with a line saying how to build it, where there is no binary.
//
// Six llama-servers: the tiny generated model (it rarely stops: long streams to cancel), the same
// model with its LoRA adapter (`--lora`), the same model with `--embeddings` (llama-server then
// serves nothing else), the reranker fixture with `--reranking`, the scripted fill-in-the-middle
// fixture, and the scripted Qwen2.5 fixture for JSON schemas on chat, which llama-server cannot
// constrain on the tiny model (its grammar starts with the generation prompt, which the tiny model's
// SentencePiece tokenizer splits with a space prefix that the grammar refuses: "Failed to initialize
// samplers").
import path from "node:path";
import type { OpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunningServer } from "../../bench/targets/inferqlServer.js";
import { startLlamaServer } from "../../bench/targets/llamaServer.js";
import type { RunningInferql } from "../../src/app.js";
import type { UpstreamEvent } from "../../src/inference/remote/remoteModel.js";
import { collect, eventually } from "../support/collect.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { FIM_ANSWER, FIM_SELECTOR, fimFixturePath } from "../support/fimFixture.js";
import { remoteOf, startGateway } from "../support/gateway.js";
import { graphqlWsClient, postGraphql } from "../support/graphqlClients.js";
import { LLAMA_SERVER_LOG_DIR, LLAMA_SERVER_MISSING, llamaServerBinary } from "../support/llamaServer.js";
import { openAiClient, postJson, readSseData } from "../support/openai.js";
import { rerankerFixturePath } from "../support/rerankerFixture.js";
import { openStream } from "../support/streamClients.js";
import { toolConversation, weatherTool } from "../support/toolConversation.js";

const binary = llamaServerBinary();
if (!binary) console.log(LLAMA_SERVER_MISSING);

const GRAMMAR = 'root ::= ("yes" | "no") " " [0-9] [0-9]? [0-9]? "."';
const GRAMMAR_OUTPUT = /^(yes|no) [0-9]{1,3}\.$/;
const SCHEMA = {
  type: "object",
  properties: { ok: { type: "boolean" } },
  required: ["ok"],
  additionalProperties: false,
};

interface RerankAnswer {
  results: { index: number; relevance_score: number }[];
  usage: { prompt_tokens: number; total_tokens: number };
}

interface EmbeddingsAnswer {
  data: { embedding: number[] }[];
  usage: { prompt_tokens: number };
  error?: { param?: string; message: string };
}

/** llama-server's `GET /slots`: which of its slots are generating now. */
async function processingSlots(server: RunningServer): Promise<number> {
  const slots = (await (await fetch(`${server.url}/slots`)).json()) as { is_processing: boolean }[];
  return slots.filter((slot) => slot.is_processing).length;
}

/** llama-server's `llamacpp:tokens_predicted_total` (cancelled generations' tokens included). */
async function tokensPredicted(server: RunningServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^llamacpp:tokens_predicted_total (\S+)$/m.exec(text)?.[1]);
}

describe.skipIf(!binary)("a gateway in front of llama-server", () => {
  let tiny: RunningServer;
  let qwen: RunningServer;
  let embedder: RunningServer;
  let ranker: RunningServer;
  let coder: RunningServer;
  let adapted: RunningServer;
  let gateway: RunningInferql;
  let client: OpenAI;

  beforeAll(async () => {
    const common = { binary: binary as string, threads: 1, batchSize: 512, logDir: LLAMA_SERVER_LOG_DIR };
    [tiny, qwen, embedder, ranker, coder, adapted] = await Promise.all([
      startLlamaServer({
        ...common,
        modelPath: inject("tinyModelPath"),
        slots: 2,
        ctxSize: 2048,
        extraArgs: ["--metrics"],
      }),
      startLlamaServer({ ...common, modelPath: familyFixturePath("qwen2.5"), slots: 1, ctxSize: 1024 }),
      startLlamaServer({
        ...common,
        modelPath: inject("tinyModelPath"),
        slots: 1,
        ctxSize: 512,
        extraArgs: ["--embeddings", "--pooling", "mean"],
      }),
      startLlamaServer({
        ...common,
        modelPath: rerankerFixturePath(),
        slots: 1,
        ctxSize: 512,
        extraArgs: ["--reranking"],
      }),
      startLlamaServer({ ...common, modelPath: fimFixturePath(), slots: 1, ctxSize: 1024 }),
      startLlamaServer({
        ...common,
        modelPath: inject("tinyModelPath"),
        slots: 1,
        ctxSize: 512,
        extraArgs: ["--lora", inject("tinyLoraPath")],
      }),
    ]);
    // The first upstream is the gateway's default model.
    gateway = await startGateway([
      `llama=${tiny.url},kind=llama,slots=2,health=60,timeout=30`,
      `qwen=${qwen.url},kind=llama,slots=1,health=60,timeout=30`,
      `embed=${embedder.url},kind=llama,slots=1,health=60,timeout=30`,
      `rank=${ranker.url},kind=llama,slots=1,health=60,timeout=30`,
      `coder=${coder.url},kind=llama,slots=1,health=60,timeout=30`,
      `adapted=${adapted.url},kind=llama,slots=1,health=60,timeout=30`,
    ]);
    client = openAiClient(gateway.url);
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([tiny, qwen, embedder, ranker, coder, adapted].map((server) => server?.stop()));
  });

  it("lists llama-server's context and embedding sizes for its model", async () => {
    const llamaMeta = async () => {
      const models = (await client.models.list()).data as unknown as {
        id: string;
        meta: Record<string, unknown>;
      }[];
      return models.find((model) => model.id === "llama")?.meta;
    };
    // The gateway asks its replicas at start, without holding back: the answer may come a moment later.
    // -c 4096 over 2 slots: 2,048 tokens a request; the tiny model was made with a 2,048-token context.
    await expect.poll(llamaMeta).toMatchObject({ n_ctx: 2048, n_ctx_train: 2048, n_embd: 64 });
  });

  it("streams a chat completion with usage, finish reason and logprobs", async () => {
    const stream = await client.chat.completions.create({
      model: "llama",
      messages: [{ role: "user", content: "Say something" }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
      logprobs: true,
      top_logprobs: 2,
    });
    let content = "";
    let finishReason: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    const logprobs: OpenAI.ChatCompletionTokenLogprob[] = [];
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? "";
      logprobs.push(...(chunk.choices[0]?.logprobs?.content ?? []));
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
    expect(content.length).toBeGreaterThan(0);
    expect(finishReason).toBe("length");
    expect(usage?.completion_tokens).toBe(8);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(logprobs).toHaveLength(8);
    expect(logprobs.map((entry) => entry.token).join("")).toBe(content);
    for (const entry of logprobs) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs).toHaveLength(2);
    }
  });

  it("answers a whole chat completion, and a text completion with logprobs", async () => {
    const chat = await client.chat.completions.create({
      model: "llama",
      messages: [{ role: "user", content: "Say something" }],
      max_tokens: 6,
    });
    expect(chat.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(chat.choices[0].finish_reason).toBe("length");
    expect(chat.usage).toMatchObject({ completion_tokens: 6 });
    expect(chat.usage?.prompt_tokens).toBeGreaterThan(0);

    const text = await client.completions.create({
      model: "llama",
      prompt: "Once",
      max_tokens: 3,
      logprobs: 2,
    });
    expect(text.choices[0].finish_reason).toBe("length");
    expect(text.choices[0].logprobs?.tokens).toHaveLength(3);
    expect(text.choices[0].logprobs?.tokens?.join("")).toBe(text.choices[0].text);
    expect(text.usage?.completion_tokens).toBe(3);
  });

  it("constrains output by a GBNF grammar, on REST and over a GraphQL subscription", async () => {
    const chat = await client.chat.completions.create({
      model: "llama",
      messages: [{ role: "user", content: "Yes or no, and a number?" }],
      max_tokens: 20,
      // @ts-expect-error llama-server's (and inferql's) extension
      grammar: GRAMMAR,
    });
    expect(chat.choices[0].message.content).toMatch(GRAMMAR_OUTPUT);
    expect(chat.choices[0].finish_reason).toBe("stop");

    const ws = graphqlWsClient(gateway.url);
    try {
      const events = await collect(
        ws.iterate<{
          chatCompletion: { __typename: string; content?: string; finishReason?: string };
        }>({
          query: `subscription($grammar: String!) { chatCompletion(input: { model: "llama", maxTokens: 20, grammar: $grammar,
            messages: [{ role: USER, content: "Yes or no?" }] }) {
            __typename ... on ContentDelta { content } ... on GenerationFinished { finishReason } } }`,
          variables: { grammar: GRAMMAR },
        }),
      );
      expect(events.every((event) => event.errors === undefined)).toBe(true);
      const text = events.map((event) => event.data?.chatCompletion.content ?? "").join("");
      expect(text).toMatch(GRAMMAR_OUTPUT);
      expect(events.at(-1)?.data?.chatCompletion.finishReason).toBe("STOP");
    } finally {
      await ws.dispose();
    }
  });

  it("answers JSON that parses: a schema and json_object on chat, a schema on a text completion", async () => {
    const schema = await client.chat.completions.create({
      model: "qwen",
      messages: [{ role: "user", content: "Is it ok?" }],
      max_tokens: 40,
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: SCHEMA } },
    });
    expect(typeof JSON.parse(schema.choices[0].message.content ?? "").ok).toBe("boolean");

    const object = await client.chat.completions.create({
      model: "qwen",
      messages: [{ role: "user", content: "Is it ok?" }],
      max_tokens: 60,
      // At llama-server's default temperature the object sometimes ran past max_tokens unclosed.
      temperature: 0,
      response_format: { type: "json_object" },
    });
    const parsed = JSON.parse(object.choices[0].message.content ?? "") as unknown;
    expect(typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)).toBe(true);

    const text = await client.completions.create({
      model: "llama",
      prompt: "The answer:",
      max_tokens: 40,
      // @ts-expect-error llama-server's (and inferql's) extension
      json_schema: SCHEMA,
    });
    expect(typeof JSON.parse(text.choices[0].text).ok).toBe("boolean");
  });

  it.each(["trpc-ws", "graphql-sse"] as const)("streams to the end over %s", async (transport) => {
    const outcome = await openStream(transport, gateway.url, { content: "Hello there", maxTokens: 5 })
      .outcome;
    expect(outcome.error).toBeUndefined();
    expect(outcome.finishReason).toBe("length");
    expect(outcome.ended).toBe(true);
    expect(outcome.contentEvents).toBeGreaterThan(0);
  });

  it("embeddings: llama-server's own vectors, embd_normalize passed on; one without --embeddings is a 400 and stays in service", async () => {
    const embed = (url: string, body: Record<string, unknown>) =>
      postJson(`${url}/v1/embeddings`, { encoding_format: "float", ...body }).then(({ status, body }) => ({
        status,
        body: body as EmbeddingsAnswer,
      }));
    for (const extra of [{}, { embd_normalize: -1 }]) {
      const direct = await embed(embedder.url, { model: "x", input: ["llamas graze", "the sea"], ...extra });
      const through = await embed(gateway.url, {
        model: "embed",
        input: ["llamas graze", "the sea"],
        ...extra,
      });
      expect(through.status).toBe(200);
      expect(through.body.data.map((item) => item.embedding)).toEqual(
        direct.body.data.map((item) => item.embedding),
      );
      expect(through.body.usage).toEqual(direct.body.usage);
    }

    const refused = await embed(gateway.url, { model: "qwen", input: "x" });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      param: "model",
      message: expect.stringContaining("--embeddings"),
    });
    expect(
      remoteOf(gateway, "qwen")
        .replicaStates()
        .map((replica) => replica.healthy),
    ).toEqual([true]);
    const chat = await client.chat.completions.create({
      model: "qwen",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 4,
    });
    expect(chat.choices[0].finish_reason).toBeDefined();
  });

  it("infill: llama-server fills the middle, whole and streamed, on REST and GraphQL", async () => {
    const request = {
      input_prefix: `def add(a, b):\n    ${FIM_SELECTOR} `,
      input_suffix: "\n\nprint(add(1, 2))\n",
      temperature: 0,
      n_predict: 16,
    };
    const direct = await postJson(`${coder.url}/infill`, request);
    expect((direct.body as { content: string }).content).toBe(FIM_ANSWER);
    const whole = await postJson(`${gateway.url}/infill`, { model: "coder", ...request });
    expect(whole.status).toBe(200);
    expect(whole.body).toMatchObject({ content: FIM_ANSWER, stop: true, stop_type: "eos" });
    const streamed = await fetch(`${gateway.url}/infill`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "coder", ...request, stream: true }),
    });
    const messages = (await readSseData(streamed)).map(
      (data) => JSON.parse(data) as { content: string; stop: boolean },
    );
    expect(messages.map((message) => message.content).join("")).toBe(FIM_ANSWER);
    expect(messages.at(-1)?.stop).toBe(true);
    const graphql = await postGraphql<{ createInfill: { text: string } }, never>(
      gateway.url,
      `mutation { createInfill(input: { model: "coder", inputPrefix: ${JSON.stringify(request.input_prefix)}, inputSuffix: ${JSON.stringify(request.input_suffix)}, temperature: 0, maxTokens: 16 }) { text } }`,
    );
    expect(graphql.errors).toBeUndefined();
    expect(graphql.data?.createInfill.text).toBe(FIM_ANSWER);
  });

  it("renders a chat with llama-server's own template (/apply-template), and counts it with its tokenizer", async () => {
    const messages = [{ role: "user", content: "Say something" }];
    const direct = await postJson(`${tiny.url}/apply-template`, { messages });
    const through = await postJson(`${gateway.url}/apply-template`, { model: "llama", messages });
    expect(through.status).toBe(200);
    expect(through.body).toEqual(direct.body);
    const prompt = (direct.body as { prompt: string }).prompt;
    // As llama-server tokenizes a chat's prompt: special tokens parsed, BOS added where the model adds it.
    const tokens = await postJson(`${tiny.url}/tokenize`, {
      content: prompt,
      parse_special: true,
      add_special: true,
    });
    const counted = await postJson(`${gateway.url}/v1/messages/count_tokens`, { model: "llama", messages });
    expect(counted.body).toEqual({ input_tokens: (tokens.body as { tokens: number[] }).tokens.length });
  });

  it("a LoRA adapter by its file's name: llama-server applies it at the scale asked, and none at 0", async () => {
    const complete = (url: string, fields: Record<string, unknown>) =>
      postJson(`${url}/v1/completions`, {
        prompt: "Once upon a time",
        max_tokens: 12,
        temperature: 0,
        ...fields,
      }).then(({ body }) => (body as { choices: { text: string }[] }).choices[0].text);
    const name = path.basename(inject("tinyLoraPath"), ".gguf");
    const applied = await complete(adapted.url, { lora: [{ id: 0, scale: 1 }] });
    const without = await complete(adapted.url, { lora: [{ id: 0, scale: 0 }] });
    expect(applied).not.toBe(without);
    expect(await complete(gateway.url, { model: "adapted", lora: name })).toBe(applied);
    expect(await complete(gateway.url, { model: "adapted", lora: [{ name, scale: 0 }] })).toBe(without);
  });

  it("renders a Qwen2.5 chat with tools, a tool call and its result by llama-server's Qwen template, through the gateway", async () => {
    const body = { messages: toolConversation, tools: [weatherTool] };
    const direct = await postJson(`${qwen.url}/apply-template`, body);
    const through = await postJson(`${gateway.url}/apply-template`, { model: "qwen", ...body });
    expect(through.status).toBe(200);
    expect(through.body).toEqual(direct.body);
    // Qwen's own markup, not a generic one: the tools block, the call and the tool's answer.
    const prompt = (direct.body as { prompt: string }).prompt;
    expect(prompt).toContain("<tools>");
    expect(prompt).toContain("<tool_call>");
    expect(prompt).toContain("<tool_response>");
    expect(prompt.endsWith("<|im_start|>assistant\n")).toBe(true);
  });

  it("tokenize and detokenize: llama-server's tokens and pieces, and its text back", async () => {
    const body = { content: "Llamas graze by the sea", with_pieces: true };
    const direct = await postJson(`${tiny.url}/tokenize`, body);
    const through = await postJson(`${gateway.url}/tokenize`, { model: "llama", ...body });
    expect(through.status).toBe(200);
    expect(through.body).toEqual(direct.body);
    const ids = (direct.body as { tokens: { id: number }[] }).tokens.map((token) => token.id);
    const text = await postJson(`${gateway.url}/detokenize`, { model: "llama", tokens: ids });
    expect(text.body).toEqual((await postJson(`${tiny.url}/detokenize`, { tokens: ids })).body);
  });

  it("rerank: llama-server's scores and usage, most relevant first, top_n applied", async () => {
    const request = {
      query: "What is the capital of France?",
      documents: ["Paris is the capital of France.", "Bananas are yellow.", "France borders Spain."],
    };
    const direct = await postJson(`${ranker.url}/v1/rerank`, { model: "x", ...request });
    const through = await postJson(`${gateway.url}/v1/rerank`, { model: "rank", ...request });
    expect(through.status).toBe(200);
    const scores = (body: unknown) =>
      Object.fromEntries(
        (body as RerankAnswer).results.map((result) => [result.index, result.relevance_score]),
      );
    expect(scores(through.body)).toEqual(scores(direct.body));
    const ranked = (through.body as RerankAnswer).results.map((result) => result.relevance_score);
    expect(ranked).toEqual([...ranked].sort((a, b) => b - a));
    expect((through.body as RerankAnswer).usage).toEqual((direct.body as RerankAnswer).usage);
    const top = await postJson(`${gateway.url}/v1/rerank`, { model: "rank", ...request, top_n: 1 });
    expect((top.body as RerankAnswer).results).toEqual([(through.body as RerankAnswer).results[0]]);
  });

  it("a cancelled stream frees llama-server's slot at once, and the next request is served", async () => {
    const MAX_TOKENS = 1900;
    const events: UpstreamEvent[] = [];
    const unsubscribe = remoteOf(gateway, "llama").onEvent((event) => events.push(event));
    try {
      const predictedBefore = await tokensPredicted(tiny);
      // As long as a slot's context allows (about 2,000 tokens; tiny rarely ends on its own).
      const stream = openStream("graphql-ws", gateway.url, { content: "Go on", maxTokens: MAX_TOKENS });
      // Gone at its first token: llama-server streams tiny at thousands of tokens a second, so the
      // time to the cancel is what bounds the tokens it makes meanwhile (a /slots request in
      // between, on a loaded machine, once let it make 1,416).
      await stream.firstContent;
      stream.disconnect();
      await eventually(
        async () => (await processingSlots(tiny)) === 0,
        3000,
        "llama-server's slot still busy",
      );
      await eventually(() => gateway.scheduler.activeCount === 0, 2000);
      expect(events).toContainEqual(expect.objectContaining({ type: "attempt", outcome: "cancelled" }));
      // It stopped early: far fewer tokens than the stream asked for (117–357 in runs here, two
      // busy loops on both cores included).
      const predicted = (await tokensPredicted(tiny)) - predictedBefore;
      expect(predicted).toBeGreaterThan(0);
      expect(predicted).toBeLessThan(MAX_TOKENS / 2);
      const next = await client.chat.completions.create({
        model: "llama",
        messages: [{ role: "user", content: "Hi" }],
        max_tokens: 3,
      });
      expect(next.choices[0].finish_reason).toBe("length");
    } finally {
      unsubscribe();
    }
  });
});
