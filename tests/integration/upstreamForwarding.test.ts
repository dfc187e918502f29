// What a gateway sends each upstream kind (issue #16): one recording upstream behind three
// `--upstream`s (kind=llama, vllm, openai) shows the body each receives: a GBNF grammar as
// llama-server's `grammar` or vLLM's `guided_grammar`, the sampling extensions under each kind's
// names, LoRA adapters by name (llama-server's ids, vLLM's model names), infill, prompt rendering,
// tokenize and detokenize as llama-server's, embeddings with llama-server's `embd_normalize`, rerank
// as /v1/rerank. What a kind cannot take is refused before any upstream sees it: a 400 naming the
// field on REST, GraphQL and tRPC, with no slot left taken.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import type { OpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../src/api/trpc/index.js";
import type { RunningInferql } from "../../src/app.js";
import { type FaultyUpstream, startFaultyUpstream } from "../support/faultyUpstream.js";
import { startGateway } from "../support/gateway.js";
import { postGraphql } from "../support/graphqlClients.js";
import { openAiClient, postJson } from "../support/openai.js";

const GRAMMAR = 'root ::= "yes" | "no"';
const KINDS = ["llama", "vllm", "openai"] as const;
type Kind = (typeof KINDS)[number];

let upstream: FaultyUpstream;
let gateway: RunningInferql;
let client: OpenAI;
let trpc: ReturnType<typeof createTRPCClient<AppRouter>>;

beforeAll(async () => {
  upstream = await startFaultyUpstream();
  // One slot per upstream and a short request timeout: a slot a refusal left taken would make the
  // next request wait and fail, not pass.
  gateway = await startGateway(
    KINDS.map((kind) => `${kind}=${upstream.url},kind=${kind},slots=1,health=60,timeout=5`),
    ["--request-timeout", "3"],
  );
  client = openAiClient(gateway.url);
  trpc = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${gateway.url}/trpc` })] });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

/** The body the upstream received for the one request `send` makes. */
async function forwarded(send: () => Promise<unknown>): Promise<Record<string, unknown>> {
  const before = upstream.recorded.length;
  await send();
  expect(upstream.recorded).toHaveLength(before + 1);
  return upstream.recorded[before].body;
}

const chat = (model: Kind, fields: Record<string, unknown> = {}) =>
  client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Yes or no?" }],
    max_tokens: 4,
    ...fields,
  } as OpenAI.ChatCompletionCreateParamsNonStreaming);

describe("what each upstream kind is sent", () => {
  it("a GBNF grammar: `grammar` to llama-server, `guided_grammar` to vLLM", async () => {
    const llama = await forwarded(() => chat("llama", { grammar: GRAMMAR }));
    expect(llama.grammar).toBe(GRAMMAR);
    const vllm = await forwarded(() => chat("vllm", { grammar: GRAMMAR }));
    expect(vllm.guided_grammar).toBe(GRAMMAR);
    expect(vllm).not.toHaveProperty("grammar");
    const text = await forwarded(() =>
      client.completions.create({ model: "llama", prompt: "Yes?", max_tokens: 2, grammar: GRAMMAR } as never),
    );
    expect(upstream.recorded.at(-1)?.path).toBe("/v1/completions");
    expect(text.grammar).toBe(GRAMMAR);
  });

  it("a GBNF grammar from GraphQL and tRPC reaches llama-server the same way", async () => {
    const viaGraphql = await forwarded(async () => {
      const result = await postGraphql<{ createChatCompletion: { choices: { content: string }[] } }, never>(
        gateway.url,
        `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { choices { content } } }`,
        {
          input: {
            model: "llama",
            grammar: GRAMMAR,
            maxTokens: 4,
            messages: [{ role: "USER", content: "Hi" }],
          },
        } as never,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.createChatCompletion.choices[0].content).toBe("Hello there");
    });
    expect(viaGraphql.grammar).toBe(GRAMMAR);
    const viaTrpc = await forwarded(() =>
      trpc.chat.create.mutate({
        model: "vllm",
        grammar: GRAMMAR,
        messages: [{ role: "user", content: "Hi" }],
      }),
    );
    expect(viaTrpc.guided_grammar).toBe(GRAMMAR);
  });

  it("JSON output: a schema as response_format, and json_object with a schema llama-server enforces", async () => {
    const schema = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };
    for (const kind of KINDS) {
      const body = await forwarded(() =>
        chat(kind, { response_format: { type: "json_schema", json_schema: { name: "answer", schema } } }),
      );
      expect(body.response_format).toEqual({ type: "json_schema", json_schema: { name: "output", schema } });
    }
    // llama-server ignores a bare json_object on chat (it reads the schema from response_format.schema).
    const llama = await forwarded(() => chat("llama", { response_format: { type: "json_object" } }));
    expect(llama.response_format).toEqual({ type: "json_object", schema: { type: "object" } });
    const openai = await forwarded(() => chat("openai", { response_format: { type: "json_object" } }));
    expect(openai.response_format).toEqual({ type: "json_object" });
    // The completions API has no response_format: llama-server takes `json_schema`.
    const text = await forwarded(() =>
      client.completions.create({ model: "llama", prompt: "{", max_tokens: 2, json_schema: schema } as never),
    );
    expect(text.json_schema).toEqual(schema);
  });

  it("sampling extensions under each kind's names, and only the OpenAI fields to kind=openai", async () => {
    const fields = {
      top_k: 20,
      min_p: 0.1,
      repeat_penalty: 1.1,
      temperature: 0.5,
      seed: 3,
      ignore_eos: true,
    };
    const llama = await forwarded(() => chat("llama", fields));
    expect(llama).toMatchObject({ ...fields, cache_prompt: true, stream: true });
    const vllm = await forwarded(() => chat("vllm", fields));
    expect(vllm).toMatchObject({
      top_k: 20,
      min_p: 0.1,
      repetition_penalty: 1.1,
      temperature: 0.5,
      ignore_eos: true,
    });
    expect(vllm).not.toHaveProperty("repeat_penalty");
    expect(vllm).not.toHaveProperty("cache_prompt");
    const openai = await forwarded(() => chat("openai", { temperature: 0.5, seed: 3 }));
    expect(Object.keys(openai).sort()).toEqual(
      ["max_tokens", "messages", "model", "seed", "stream", "stream_options", "temperature"].sort(),
    );
  });

  it("a prefill (a final assistant message): as is to llama-server, asked for from vLLM, refused for OpenAI", async () => {
    const messages = [
      { role: "user", content: "Yes or no?" },
      { role: "assistant", content: "Well," },
    ];
    const llama = await forwarded(() => chat("llama", { messages }));
    expect(llama).not.toHaveProperty("continue_final_message");
    expect(llama.messages).toHaveLength(2);
    const vllm = await forwarded(() => chat("vllm", { messages }));
    expect(vllm).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    const before = upstream.recorded.length;
    const refused = await postJson(`${gateway.url}/v1/chat/completions`, {
      model: "openai",
      messages,
      max_tokens: 4,
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { param: "messages" } });
    expect(upstream.recorded).toHaveLength(before);
  });

  it("a token-id prompt goes as the ids, to the upstream's /v1/completions", async () => {
    const sent = await forwarded(() =>
      client.completions.create({ model: "vllm", prompt: [151644, 872, 198], max_tokens: 2 }),
    );
    expect(sent.prompt).toEqual([151644, 872, 198]);
  });

  it("max_tokens as the client sent it: none stays none, and more than a local context passes", async () => {
    // The upstream's context bounds the answer, not this node's --ctx-size (2048 tokens by default).
    const unbounded = await forwarded(() => chat("llama", { max_tokens: undefined }));
    expect(unbounded).not.toHaveProperty("max_tokens");
    const large = await forwarded(() => chat("vllm", { max_tokens: 100_000 }));
    expect(large.max_tokens).toBe(100_000);
  });

  it("a reasoning budget and chat template variables to llama-server", async () => {
    const body = await forwarded(() =>
      chat("llama", { thinking_budget_tokens: 64, chat_template_kwargs: { enable_thinking: true } }),
    );
    expect(body).toMatchObject({
      thinking_budget_tokens: 64,
      chat_template_kwargs: { enable_thinking: true },
    });
  });
});

describe("embeddings", () => {
  it("go to every kind as OpenAI's request, vectors as floats; llama-server also gets embd_normalize", async () => {
    const llama = await forwarded(() =>
      postJson(`${gateway.url}/v1/embeddings`, { model: "llama", input: ["a", "b"], embd_normalize: -1 }),
    );
    expect(llama).toEqual({
      model: "llama",
      input: ["a", "b"],
      encoding_format: "float",
      embd_normalize: -1,
    });
    const before = upstream.recorded.length;
    const vllm = await client.embeddings.create({
      model: "vllm",
      input: [1, 2, 3],
      encoding_format: "float",
    });
    expect(upstream.recorded[before].body).toEqual({
      model: "vllm",
      input: [1, 2, 3],
      encoding_format: "float",
    });
    expect(vllm.data).toEqual([{ object: "embedding", index: 0, embedding: [0.6, 0.8] }]);
    expect(vllm.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it("a normalization other than unit length is a 400 on kinds that have none, before any upstream sees it", async () => {
    const before = upstream.requests;
    const rest = await postJson(`${gateway.url}/v1/embeddings`, {
      model: "openai",
      input: "a",
      embd_normalize: 1,
    });
    expect(rest.status).toBe(400);
    expect((rest.body as { error: object }).error).toMatchObject({
      type: "invalid_request_error",
      param: "embd_normalize",
      message: expect.stringMatching(/not available on 'openai'/),
    });
    const trpcError = await trpc.embeddings.create.mutate({ model: "vllm", input: "a", normalize: 1 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((trpcError as TRPCClientError<AppRouter>).data).toMatchObject({
      code: "BAD_REQUEST",
      field: "normalize",
    });
    expect(upstream.requests).toBe(before);
  });
});

describe("infill", () => {
  it("goes to llama-server as its /infill, and its own stream comes back as the answer", async () => {
    // llama-server's own fields, as the client sent them: the gateway passes them on under the same names.
    const fields = {
      input_prefix: "def add(a, b):\n    ",
      input_suffix: "\n",
      input_extra: [{ filename: "util.py", text: "x = 1\n" }],
      prompt: "re",
      n_predict: 16,
      temperature: 0,
      grammar: GRAMMAR,
    };
    const answer = await postJson(`${gateway.url}/infill`, { model: "llama", ...fields });
    expect(upstream.recorded.at(-1)).toMatchObject({
      path: "/infill",
      body: { ...fields, stream: true, cache_prompt: true },
    });
    expect(upstream.recorded.at(-1)?.body).not.toHaveProperty("max_tokens");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      content: "Hello there",
      stop: true,
      stop_type: "eos",
      tokens_predicted: 2,
      tokens_evaluated: 7,
      tokens_cached: 3,
    });
  });
});

describe("tokenize and detokenize", () => {
  it("go to llama-server as its /tokenize (with pieces) and /detokenize; a piece's bytes come back as bytes", async () => {
    const tokenized = await postJson(`${gateway.url}/tokenize`, {
      model: "llama",
      content: "Hi",
      add_special: true,
      with_pieces: true,
    });
    expect(upstream.recorded.at(-1)).toEqual({
      path: "/tokenize",
      // The model named: an inferql replica serving several tokenizes with that one.
      body: { model: "llama", content: "Hi", add_special: true, parse_special: true, with_pieces: true },
    });
    expect(tokenized.body).toEqual({
      tokens: [
        { id: 9, piece: "Hi" },
        { id: 7, piece: [226, 130] },
      ],
    });
    const viaTrpc = await trpc.tokenizer.tokenize.query({ model: "llama", text: "Hi" });
    expect(upstream.recorded.at(-1)?.body).toMatchObject({ add_special: false, parse_special: false });
    expect(viaTrpc.tokens).toEqual([
      { id: 9, piece: "Hi" },
      { id: 7, piece: "\ufffd", bytes: [226, 130] },
    ]);

    const detokenized = await postJson(`${gateway.url}/detokenize`, { model: "llama", tokens: [9, 7] });
    expect(upstream.recorded.at(-1)).toEqual({
      path: "/detokenize",
      body: { model: "llama", tokens: [9, 7] },
    });
    expect(detokenized.body).toEqual({ content: "detokenized [9,7]" });
  });

  it("are a 400 naming the model on kinds without them, before any upstream sees it", async () => {
    const before = upstream.requests;
    for (const model of ["vllm", "openai"]) {
      const answer = await postJson(`${gateway.url}/tokenize`, { model, content: "Hi" });
      expect(answer.status).toBe(400);
      expect((answer.body as { error: object }).error).toMatchObject({
        param: "model",
        message: expect.stringMatching(/not available on '(vllm|openai)'/),
      });
    }
    expect(upstream.requests).toBe(before);
  });
});

describe("LoRA adapters by name", () => {
  it("llama-server gets a scale for each adapter it loaded, by id; vLLM the adapter's model name", async () => {
    const llama = await forwarded(() => chat("llama", { lora: "style" }));
    expect(llama.lora).toEqual([
      { id: 0, scale: 1 },
      { id: 1, scale: 0 },
    ]);
    const scaled = await forwarded(() => chat("llama", { lora: [{ name: "legal-v2", scale: 0.5 }] }));
    expect(scaled.lora).toEqual([
      { id: 0, scale: 0 },
      { id: 1, scale: 0.5 },
    ]);
    const vllm = await forwarded(() => chat("vllm", { lora: "style" }));
    expect(vllm).toMatchObject({ model: "style" });
    expect(vllm).not.toHaveProperty("lora");
  });

  it("an adapter llama-server does not have, or a selection vLLM cannot take, is a 400 naming lora before any upstream sees it", async () => {
    const before = upstream.requests;
    const refusal = (model: Kind, lora: unknown) =>
      postJson(`${gateway.url}/v1/chat/completions`, {
        model,
        messages: [{ role: "user", content: "Hi" }],
        lora,
      }).then(({ status, body }) => ({ status, error: (body as { error: Record<string, unknown> }).error }));
    expect(await refusal("llama", "nope")).toMatchObject({
      status: 400,
      error: { param: "lora", message: expect.stringContaining("it has: style, legal-v2") },
    });
    expect(await refusal("vllm", [{ name: "style", scale: 0.5 }])).toMatchObject({
      status: 400,
      error: { param: "lora", message: expect.stringContaining("one adapter, at scale 1") },
    });
    expect(await refusal("openai", "style")).toMatchObject({ status: 400, error: { param: "lora" } });
    expect(upstream.requests).toBe(before);
  });
});

describe("prompt rendering", () => {
  it("goes to llama-server as its /apply-template with the chat's messages, tools and template variables; counts use its tokenizer", async () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];
    const rendered = await postJson(`${gateway.url}/apply-template`, {
      model: "llama",
      messages: [{ role: "user", content: "Hi" }],
      tools,
      chat_template_kwargs: { enable_thinking: false },
    });
    // Rendered, then counted (the resolver's answer carries the count): two requests.
    expect(upstream.recorded.at(-2)).toEqual({
      path: "/apply-template",
      body: {
        model: "llama",
        messages: [{ role: "user", content: "Hi" }],
        tools,
        chat_template_kwargs: { enable_thinking: false },
      },
    });
    expect(rendered.body).toEqual({ prompt: '<rendered [{"role":"user","content":"Hi"}]>' });

    // Anthropic's count_tokens: the rendered prompt, then tokenized by the replica (two tokens here).
    const counted = await postJson(`${gateway.url}/v1/messages/count_tokens`, {
      model: "llama",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(upstream.recorded.slice(-2).map((request) => request.path)).toEqual([
      "/apply-template",
      "/tokenize",
    ]);
    expect(upstream.recorded.at(-1)?.body).toMatchObject({
      content: '<rendered [{"role":"user","content":"Hi"}]>',
      parse_special: true,
      add_special: true,
    });
    expect(counted.body).toEqual({ input_tokens: 2 });
  });

  it("goes to vLLM as its /tokenize of the messages (count and ids), the prompt text its /detokenize of them", async () => {
    const messages = [{ role: "user", content: "Hi" }];
    const rendered = await postJson(`${gateway.url}/apply-template`, { model: "vllm", messages });
    expect(upstream.recorded.slice(-2)).toEqual([
      { path: "/tokenize", body: { model: "vllm", messages, add_generation_prompt: true } },
      { path: "/detokenize", body: { model: "vllm", tokens: [5, 6, 7] } },
    ]);
    expect(rendered.body).toEqual({ prompt: "detokenized [5,6,7]" });
    const counted = await postJson(`${gateway.url}/v1/messages/count_tokens`, { model: "vllm", messages });
    expect(counted.body).toEqual({ input_tokens: 3 });
    const detokenized = await postJson(`${gateway.url}/detokenize`, { model: "vllm", tokens: [5] });
    expect(detokenized.body).toEqual({ content: "detokenized [5]" });
  });

  it("is a 400 naming the model on kind=openai, before any upstream sees it", async () => {
    const before = upstream.requests;
    const answer = await postJson(`${gateway.url}/apply-template`, {
      model: "openai",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(answer.status).toBe(400);
    expect((answer.body as { error: object }).error).toMatchObject({ param: "model" });
    expect(upstream.requests).toBe(before);
  });
});

describe("rerank", () => {
  it("goes to llama-server and vLLM as their /v1/rerank takes it, every document scored; the scores come back ranked", async () => {
    for (const kind of ["llama", "vllm"] as const) {
      const answer = await postJson(`${gateway.url}/v1/rerank`, {
        model: kind,
        query: "q",
        documents: ["a", "b", "c"],
        top_n: 2,
        return_documents: true,
      });
      expect(upstream.recorded.at(-1)).toEqual({
        path: "/v1/rerank",
        body: { model: kind, query: "q", documents: ["a", "b", "c"], top_n: 3 },
      });
      expect(answer.body).toMatchObject({
        results: [
          { index: 0, relevance_score: 1, document: { text: "a" } },
          { index: 1, relevance_score: 0.5, document: { text: "b" } },
        ],
        usage: { prompt_tokens: 15 },
      });
    }
  });

  it("is a 400 naming the model on kind=openai (the OpenAI API has none), before any upstream sees it", async () => {
    const before = upstream.requests;
    const answer = await postJson(`${gateway.url}/v1/rerank`, {
      model: "openai",
      query: "q",
      documents: ["a"],
    });
    expect(answer.status).toBe(400);
    expect((answer.body as { error: object }).error).toMatchObject({
      param: "model",
      message: expect.stringMatching(/not available on 'openai'/),
    });
    expect(upstream.requests).toBe(before);
  });
});

interface Refusal {
  what: string;
  /** The request on REST (through the openai client, or raw for llama-server's /infill). */
  rest: () => Promise<unknown>;
  /** The parameter REST names, as the client sent it. */
  param: string;
  graphql: { query: string; input: Record<string, unknown> };
  trpc: () => Promise<unknown>;
  /** The field GraphQL and tRPC name. */
  field: string;
}

const CHAT_MUTATION = `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { id } }`;
const COMPLETION_MUTATION = `mutation($input: CompletionInput!) { createCompletion(input: $input) { id } }`;
const INFILL_MUTATION = `mutation($input: InfillInput!) { createInfill(input: $input) { id } }`;
const messages = [{ role: "user" as const, content: "Hi" }];
const graphqlMessages = [{ role: "USER", content: "Hi" }];
const schema = { type: "object", properties: { ok: { type: "boolean" } } };

const REFUSALS: Refusal[] = [
  {
    what: "a GBNF grammar on kind=openai",
    rest: () => chat("openai", { grammar: GRAMMAR }),
    param: "grammar",
    graphql: {
      query: CHAT_MUTATION,
      input: { model: "openai", grammar: GRAMMAR, messages: graphqlMessages },
    },
    trpc: () => trpc.chat.create.mutate({ model: "openai", grammar: GRAMMAR, messages }),
    field: "grammar",
  },
  {
    what: "a reasoning budget on kind=vllm",
    rest: () => chat("vllm", { thinking_budget_tokens: 64 }),
    param: "thinking_budget_tokens",
    graphql: {
      query: CHAT_MUTATION,
      input: { model: "vllm", reasoningBudget: 64, messages: graphqlMessages },
    },
    trpc: () => trpc.chat.create.mutate({ model: "vllm", reasoningBudget: 64, messages }),
    field: "reasoningBudget",
  },
  {
    what: "chat template variables on kind=openai",
    rest: () => chat("openai", { chat_template_kwargs: { enable_thinking: false } }),
    param: "chat_template_kwargs",
    graphql: {
      query: CHAT_MUTATION,
      input: { model: "openai", chatTemplateKwargs: { enable_thinking: false }, messages: graphqlMessages },
    },
    trpc: () =>
      trpc.chat.create.mutate({ model: "openai", chatTemplateKwargs: { enable_thinking: false }, messages }),
    field: "chatTemplateKwargs",
  },
  {
    what: "top_k on kind=openai",
    rest: () => chat("openai", { top_k: 5 }),
    param: "top_k",
    graphql: { query: CHAT_MUTATION, input: { model: "openai", topK: 5, messages: graphqlMessages } },
    trpc: () => trpc.chat.create.mutate({ model: "openai", topK: 5, messages }),
    field: "topK",
  },
  {
    what: "ignore_eos on kind=openai",
    rest: () => chat("openai", { ignore_eos: true }),
    param: "ignore_eos",
    graphql: { query: CHAT_MUTATION, input: { model: "openai", ignoreEos: true, messages: graphqlMessages } },
    trpc: () => trpc.chat.create.mutate({ model: "openai", ignoreEos: true, messages }),
    field: "ignoreEos",
  },
  {
    what: "a JSON schema on a text completion on kind=vllm",
    rest: () => client.completions.create({ model: "vllm", prompt: "{", json_schema: schema } as never),
    param: "json_schema",
    graphql: { query: COMPLETION_MUTATION, input: { model: "vllm", prompt: "{", jsonSchema: schema } },
    trpc: () => trpc.completion.create.mutate({ model: "vllm", prompt: "{", jsonSchema: schema }),
    field: "jsonSchema",
  },
  {
    what: "infill on kind=vllm",
    rest: async () => {
      const answer = await postJson(`${gateway.url}/infill`, {
        model: "vllm",
        input_prefix: "def f(",
        input_suffix: "):",
      });
      if (answer.status !== 200) throw { status: answer.status, ...(answer.body as { error: object }).error };
      return answer.body;
    },
    param: "model",
    graphql: { query: INFILL_MUTATION, input: { model: "vllm", inputPrefix: "def f(", inputSuffix: "):" } },
    trpc: () => trpc.infill.create.mutate({ model: "vllm", inputPrefix: "def f(", inputSuffix: "):" }),
    field: "model",
  },
];

describe("what an upstream kind cannot take is a 400 naming the field, on every transport", () => {
  it.each(REFUSALS)("$what", async (refusal) => {
    const before = upstream.requests;

    const rest = await refusal.rest().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(rest).toMatchObject({ status: 400, type: "invalid_request_error", param: refusal.param });
    expect((rest as { message: string }).message).toMatch(/not available on '(llama|vllm|openai)'/);

    const graphql = await postGraphql(gateway.url, refusal.graphql.query, { input: refusal.graphql.input });
    expect(graphql.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: refusal.field });
    expect(graphql.errors?.[0]?.message).toMatch(/not available on/);

    const trpcError = await refusal.trpc().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(trpcError).toBeInstanceOf(TRPCClientError);
    expect((trpcError as TRPCClientError<AppRouter>).data).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
      field: refusal.field,
    });

    // Refused before any upstream saw it, and nothing left taken: the gateway is idle, and a
    // request on each one-slot upstream still goes through.
    expect(upstream.requests).toBe(before);
    expect(gateway.scheduler.activeCount).toBe(0);
    expect(gateway.scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
    for (const kind of KINDS) expect((await chat(kind)).choices[0].message.content).toBe("Hello there");
  });
});
