// Remote upstreams (--upstream, issue #16): a gateway inferql in front of two real inferql replicas
// (in-process, on the generated tiny model) streams on every transport, refuses what an upstream
// cannot do, passes cancellation through, and routes follow-ups by prefix affinity; a fault-injecting
// upstream covers retries before the first token and failures after it.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import type { OpenAI } from "openai";
import type { Logger } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WebSocket } from "ws";
import { CreateEmbeddingsDocument } from "../../codegen/generated/graphql.js";
import type { AppRouter } from "../../src/api/trpc/index.js";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { RemoteModel, type UpstreamEvent } from "../../src/inference/remote/remoteModel.js";
import { collect, eventually } from "../support/collect.js";
import { ensureServerBuild } from "../support/ensureBuild.js";
import { type FaultyUpstream, startFaultyUpstream } from "../support/faultyUpstream.js";
import { remoteOf, startGateway } from "../support/gateway.js";
import { graphqlWsClient, postGraphql } from "../support/graphqlClients.js";
import { openAiClient, postJson } from "../support/openai.js";
import { listeningUrl } from "../support/processLog.js";
import { rerankerFixturePath } from "../support/rerankerFixture.js";
import { startTestServer } from "../support/startTestServer.js";
import { openStream, STREAM_TRANSPORTS } from "../support/streamClients.js";

type EmbeddingsBody = { data: { embedding: number[] }[] };

/** Which replica each request reached: counts of "received" events per upstream app. */
function countRequests(apps: RunningInferql[]): number[] {
  const counts = apps.map(() => 0);
  for (const [index, app] of apps.entries())
    app.scheduler.onEvent((event) => {
      if (event.type === "received") counts[index]++;
    });
  return counts;
}

describe("a gateway over two inferql replicas", () => {
  let replicas: RunningInferql[];
  let gateway: RunningInferql;
  let client: OpenAI;
  let received: number[];

  beforeAll(async () => {
    replicas = await Promise.all([
      startTestServer({ flags: ["--slots", "2"] }),
      startTestServer({ flags: ["--slots", "2"] }),
    ]);
    received = countRequests(replicas);
    gateway = await startGateway(
      `remote=${replicas[0].url},${replicas[1].url},model=tiny,kind=llama,slots=2,health=0.2,timeout=5`,
    );
    client = openAiClient(gateway.url);
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all((replicas ?? []).map((replica) => replica.close()));
  });

  it("lists the remote model, with what its replicas report of it", async () => {
    const replicaModel = (await openAiClient(replicas[0].url).models.retrieve("tiny")) as unknown as {
      meta: Record<string, unknown>;
    };
    const listed = async () =>
      ((await client.models.list()).data as unknown as { id: string; meta: Record<string, unknown> }[]).map(
        ({ id, meta: { n_ctx, n_ctx_train, n_embd, size } }) => ({ id, n_ctx, n_ctx_train, n_embd, size }),
      );
    const { n_ctx, n_ctx_train, n_embd, size } = replicaModel.meta;
    expect(n_ctx).toBeGreaterThan(0);
    await expect.poll(listed).toEqual([{ id: "remote", n_ctx, n_ctx_train, n_embd, size }]);
  });

  it("streams the remote model on REST with usage and finish reasons", async () => {
    const stream = await client.chat.completions.create({
      model: "remote",
      messages: [{ role: "user", content: "Say something" }],
      max_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
      logprobs: true,
      top_logprobs: 2,
    });
    let content = "";
    let finishReason: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let logprobs = 0;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? "";
      logprobs += chunk.choices[0]?.logprobs?.content?.length ?? 0;
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
    expect(content.length).toBeGreaterThan(0);
    expect(finishReason).toBe("length");
    expect(usage?.completion_tokens).toBe(6);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(logprobs).toBe(6);
  });

  it("names each generation to its replica by its id (x-request-id): the replica's logs and the gateway's agree", async () => {
    const seen: (string | undefined)[] = [];
    const unsubscribe = replicas.map((replica) =>
      replica.scheduler.onEvent((event) => {
        if (event.type === "received") seen.push(event.origin?.requestId);
      }),
    );
    try {
      const completion = await client.chat.completions.create({
        model: "remote",
        messages: [{ role: "user", content: "Two answers, please" }],
        max_tokens: 2,
        n: 2,
      });
      expect(completion.choices).toHaveLength(2);
      // Choice 0 is the request's own generation; choice 1 has an id of its own, so no two in-flight
      // upstream requests share one (vLLM needs them distinct).
      expect(seen.sort()).toEqual([completion.id, `${completion.id}.1`]);
    } finally {
      for (const stop of unsubscribe) stop();
    }
  });

  it("forwards tools and JSON schemas, and maps streamed tool calls and text-completion logprobs", async () => {
    const weather = {
      type: "function" as const,
      function: {
        name: "get_weather",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    };
    const stream = await client.chat.completions.create({
      model: "remote",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weather],
      tool_choice: "required",
      max_tokens: 60,
      stream: true,
    });
    let name = "";
    let args = "";
    let finishReason: string | null | undefined;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      name += call?.function?.name ?? "";
      args += call?.function?.arguments ?? "";
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
    expect(name).toBe("get_weather");
    if (finishReason === "tool_calls") expect(JSON.parse(args)).toHaveProperty("city");
    else expect(finishReason).toBe("length");

    const json = await client.chat.completions.create({
      model: "remote",
      messages: [{ role: "user", content: "A city" }],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "c",
          schema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
        },
      },
      max_tokens: 40,
    });
    expect(typeof JSON.parse(json.choices[0].message.content ?? "").ok).toBe("boolean");

    const completion = await client.completions.create({
      model: "remote",
      prompt: "Once",
      max_tokens: 3,
      logprobs: 2,
    });
    expect(completion.choices[0].logprobs?.tokens).toHaveLength(3);
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it.each(STREAM_TRANSPORTS)("streams to the end over %s", async (transport) => {
    const outcome = await openStream(transport, gateway.url, { content: "Hello there", maxTokens: 5 })
      .outcome;
    expect(outcome.error).toBeUndefined();
    expect(outcome.finishReason?.toLowerCase()).toBe("length");
    expect(outcome.ended).toBe(true);
    expect(outcome.contentEvents).toBeGreaterThan(0);
  });

  it("streams a GraphQL subscription with started, deltas and usage", async () => {
    const ws = graphqlWsClient(gateway.url);
    try {
      const events = await collect(
        ws.iterate<{
          chatCompletion: { __typename: string; finishReason?: string; usage?: { completionTokens: number } };
        }>({
          query: `subscription { chatCompletion(input: { model: "remote", maxTokens: 4, messages: [{ role: USER, content: "Hi" }] }) {
            __typename ... on GenerationFinished { finishReason usage { completionTokens } } } }`,
        }),
      );
      const names = events.map((event) => event.data?.chatCompletion.__typename);
      expect(names[0]).toBe("GenerationStarted");
      expect(names).toContain("ContentDelta");
      const finished = events.at(-1)?.data?.chatCompletion;
      expect(finished?.finishReason).toBe("LENGTH");
      expect(finished?.usage?.completionTokens).toBe(4);
    } finally {
      await ws.dispose();
    }
  });

  it("streams a tRPC subscription over WebSocket", async () => {
    const socket = createWSClient({
      url: `${gateway.url.replace(/^http/, "ws")}/trpc`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    try {
      const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client: socket })] });
      const events: { type: string; finishReason?: string }[] = [];
      await new Promise<void>((resolve, reject) => {
        trpc.chat.stream.subscribe(
          { model: "remote", maxTokens: 3, messages: [{ role: "user", content: "Hi" }] },
          {
            onData: (event) => events.push(event as { type: string; finishReason?: string }),
            onError: reject,
            onComplete: resolve,
          },
        );
      });
      expect(events[0].type).toBe("started");
      expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "length" });
    } finally {
      socket.close();
    }
  });

  it("forwards embeddings to a replica: the vectors and usage the replica gives, on REST, GraphQL and tRPC", async () => {
    const input = ["llamas graze", "the sea is wide"];
    const direct = await openAiClient(replicas[0].url).embeddings.create({ model: "tiny", input });
    const through = await client.embeddings.create({ model: "remote", input });
    expect(through.model).toBe("remote");
    expect(through.data.map((item) => item.index)).toEqual([0, 1]);
    expect(through.data.map((item) => item.embedding)).toEqual(direct.data.map((item) => item.embedding));
    expect(through.usage).toEqual(direct.usage);
    // llama-server's embd_normalize goes through to a kind=llama upstream (-1: the raw vector).
    const raw = await postJson(`${gateway.url}/v1/embeddings`, {
      model: "remote",
      input: "x",
      embd_normalize: -1,
    });
    const rawDirect = await postJson(`${replicas[1].url}/v1/embeddings`, {
      model: "tiny",
      input: "x",
      embd_normalize: -1,
    });
    expect(raw.status).toBe(200);
    expect((raw.body as EmbeddingsBody).data[0].embedding).toEqual(
      (rawDirect.body as EmbeddingsBody).data[0].embedding,
    );

    // As JSON numbers (the openai client asks for base64, which carries float32s).
    const alone = (await postJson(`${replicas[0].url}/v1/embeddings`, { model: "tiny", input: input[0] }))
      .body as EmbeddingsBody;
    const graphql = await postGraphql(gateway.url, CreateEmbeddingsDocument, {
      input: { model: "remote", texts: [input[0]] },
    });
    expect(graphql.errors).toBeUndefined();
    expect(graphql.data?.createEmbeddings.embeddings[0].vector).toEqual(alone.data[0].embedding);
    const viaTrpc = await createInferqlClient(gateway.url).embeddings.create.mutate({
      model: "remote",
      input: input[0],
    });
    expect(viaTrpc).toMatchObject({ model: "remote", vectors: [alone.data[0].embedding] });
  });

  it("tokenizes and detokenizes with a replica's tokenizer, on REST, GraphQL and tRPC", async () => {
    const text = "Llamas <|im_end|> graze by the sea";
    const body = { content: text, with_pieces: true, parse_special: true };
    const direct = await postJson(`${replicas[0].url}/tokenize`, { model: "tiny", ...body });
    const through = await postJson(`${gateway.url}/tokenize`, { model: "remote", ...body });
    expect(through.status).toBe(200);
    expect(through.body).toEqual(direct.body);
    const pieces = (direct.body as { tokens: { id: number; piece: string }[] }).tokens;

    const graphql = await postGraphql<
      { tokenize: { count: number; tokens: { id: number; piece: string }[] } },
      never
    >(
      gateway.url,
      `query { tokenize(model: "remote", text: ${JSON.stringify(text)}, withSpecialTokens: true) { count tokens { id piece } } }`,
    );
    expect(graphql.errors).toBeUndefined();
    expect(graphql.data?.tokenize).toEqual({ count: pieces.length, tokens: pieces });
    const trpc = createInferqlClient(gateway.url);
    const ids = pieces.map((token) => token.id);
    expect(await trpc.tokenizer.detokenize.query({ model: "remote", tokens: ids })).toEqual({
      model: "remote",
      text: (await replicas[0].resolvers.detokenize({ tokens: ids })).text,
    });
  });

  it("renders a chat with a replica's template, and counts its tokens there, for /apply-template, Anthropic and Responses", async () => {
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Where do llamas live?" },
    ];
    const direct = await postJson(`${replicas[0].url}/apply-template`, { model: "tiny", messages });
    const through = await postJson(`${gateway.url}/apply-template`, { model: "remote", messages });
    expect(through.status).toBe(200);
    expect(through.body).toEqual(direct.body);

    const anthropic = { system: "Be brief.", messages: [{ role: "user", content: "Where do llamas live?" }] };
    const countDirect = await postJson(`${replicas[0].url}/v1/messages/count_tokens`, {
      model: "tiny",
      ...anthropic,
    });
    const countThrough = await postJson(`${gateway.url}/v1/messages/count_tokens`, {
      model: "remote",
      ...anthropic,
    });
    expect(countThrough.body).toEqual(countDirect.body);
    const inputTokens = await postJson(`${gateway.url}/v1/responses/input_tokens`, {
      model: "remote",
      instructions: "Be brief.",
      input: "Where do llamas live?",
    });
    expect(inputTokens.body).toMatchObject({
      input_tokens: (countDirect.body as { input_tokens: number }).input_tokens,
    });
  });

  it("selects a replica's LoRA adapter by name (an inferql replica takes the name); one it lacks is its 400", async () => {
    const ask = (url: string, model: string, lora?: string) =>
      postJson(`${url}/v1/chat/completions`, {
        model,
        messages: [{ role: "user", content: "Say something" }],
        max_tokens: 8,
        temperature: 0,
        ...(lora ? { lora } : {}),
      }).then(({ status, body }) => ({
        status,
        body: body as { choices: { message: { content: string } }[] },
      }));
    const direct = await ask(replicas[0].url, "tiny", "style");
    const through = await ask(gateway.url, "remote", "style");
    expect(through.status).toBe(200);
    expect(through.body.choices[0].message.content).toBe(direct.body.choices[0].message.content);
    // The adapter changes the answer: the name went through.
    expect((await ask(gateway.url, "remote")).body.choices[0].message.content).not.toBe(
      direct.body.choices[0].message.content,
    );
    const missing = await postJson(`${gateway.url}/v1/chat/completions`, {
      model: "remote",
      messages: [{ role: "user", content: "x" }],
      lora: "no-such-adapter",
    });
    expect(missing.status).toBe(400);
    expect((missing.body as { error: object }).error).toMatchObject({ param: "lora" });
  });

  it("a client that goes away aborts the upstream request: the replica's slot frees", async () => {
    const stream = openStream("openai-sse", gateway.url, { content: "Go on", maxTokens: 1500 });
    await stream.firstContent;
    expect(replicas[0].scheduler.activeCount + replicas[1].scheduler.activeCount).toBe(1);
    stream.disconnect();
    await eventually(
      () => replicas[0].scheduler.activeCount + replicas[1].scheduler.activeCount === 0,
      3000,
      "the upstream generation did not end",
    );
    await eventually(() => gateway.scheduler.activeCount === 0, 3000);
    expect(replicas.every((replica) => replica.scheduler.state().busySlots === 0)).toBe(true);
  });

  it("sends a conversation's follow-up to the replica that served its start (prefix affinity)", async () => {
    const ask = async (messages: OpenAI.ChatCompletionMessageParam[]) => {
      const before = [...received];
      const answer = await client.chat.completions.create({ model: "remote", messages, max_tokens: 3 });
      const replica = received.findIndex((count, index) => count > before[index]);
      return { replica, text: answer.choices[0].message.content ?? "" };
    };
    const first = (name: string): OpenAI.ChatCompletionMessageParam[] => [
      { role: "system", content: `You are assistant ${name}.` },
      { role: "user", content: `Hello ${name}` },
    ];
    const a = await ask(first("A"));
    const b = await ask(first("B"));
    // Equally loaded replicas take turns: the two conversations start on different replicas.
    expect(b.replica).not.toBe(a.replica);
    const followUp = (name: string, answer: string): OpenAI.ChatCompletionMessageParam[] => [
      ...first(name),
      { role: "assistant", content: answer },
      { role: "user", content: "And then?" },
    ];
    expect((await ask(followUp("B", b.text))).replica).toBe(b.replica);
    expect((await ask(followUp("A", a.text))).replica).toBe(a.replica);
    expect((await ask(followUp("A", a.text))).replica).toBe(a.replica);
  });

  it("counts requests per upstream replica in /metrics", async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const origin = new URL(replicas[0].url).origin;
    expect(text).toContain(
      `inferql_upstream_requests_total{upstream="remote",replica="${origin}",outcome="ok"}`,
    );
    expect(text).toContain(`inferql_upstream_replica_healthy{upstream="remote",replica="${origin}"} 1`);
  });
});

describe("upstream faults", () => {
  let good: RunningInferql;
  let faulty: FaultyUpstream;
  const gateways: RunningInferql[] = [];

  beforeAll(async () => {
    good = await startTestServer({ flags: ["--slots", "2"] });
    faulty = await startFaultyUpstream();
  });

  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await faulty?.close();
    await good?.close();
  });

  /** A gateway whose first request goes to the faulty replica (the first, equally loaded). */
  async function faultyFirst(flags = ""): Promise<{ app: RunningInferql; events: UpstreamEvent[] }> {
    const app = await startGateway(
      `f=${faulty.url},${good.url},model=tiny,kind=llama,slots=1,health=60,timeout=1${flags}`,
    );
    gateways.push(app);
    const events: UpstreamEvent[] = [];
    remoteOf(app, "f").onEvent((event) => events.push(event));
    return { app, events };
  }

  it.each(["500", "hang", "open-then-die"] as const)(
    "a replica that answers %s before the first token is ejected and the request is retried on the other",
    async (mode) => {
      faulty.mode = mode;
      const requestsBefore = faulty.requests;
      const { app, events } = await faultyFirst();
      const outcome = await openStream("openai-sse", app.url, { content: "Hi", maxTokens: 4 }).outcome;
      expect(faulty.requests).toBe(requestsBefore + 1);
      expect(outcome.error).toBeUndefined();
      expect(outcome.finishReason).toBe("length");
      expect(outcome.contentEvents).toBeGreaterThan(0);
      expect(outcome.transcript.match(/"role":"assistant"/g)).toHaveLength(1);
      expect(events.map((event) => (event.type === "attempt" ? event.outcome : event.type))).toEqual([
        "ejected",
        "retried",
        "ok",
      ]);
      expect(remoteOf(app, "f").replicaStates()[0].healthy).toBe(false);
    },
  );

  it.each(STREAM_TRANSPORTS)(
    "a replica that opens its answer and fails before any output is retried unseen: the %s stream starts once",
    async (transport) => {
      faulty.mode = "open-then-die";
      const { app } = await faultyFirst();
      const outcome = await openStream(transport, app.url, { content: "Hi", maxTokens: 4 }).outcome;
      expect(outcome.error).toBeUndefined();
      expect(outcome.finishReason).toBe("length");
      expect(outcome.contentEvents).toBeGreaterThan(0);
      // OpenAI's role chunk; GraphQL's GenerationStarted; tRPC's "started" event (not tRPC over
      // WebSocket's own `{"type":"started"}`, its acknowledgement of the subscription).
      expect(
        outcome.transcript.match(/"role":"assistant"|GenerationStarted|"type":"started",/g),
      ).toHaveLength(1);
    },
  );

  it("a replica that opens its answer and fails, with no other: the open stream ends with the error", async () => {
    faulty.mode = "open-then-die";
    const app = await startGateway(`solo=${faulty.url},health=60,timeout=2`);
    gateways.push(app);
    const outcome = await openStream("openai-sse", app.url, { content: "Hi", maxTokens: 4 }).outcome;
    expect(outcome.status).toBe(200);
    expect(outcome.contentEvents).toBe(0);
    expect(outcome.transcript).toMatch(/"role":"assistant"[\s\S]*"error"/);
    await eventually(() => app.scheduler.activeCount === 0, 2000);
  });

  it("opens the client's stream when the replica opens its answer, before any output", async () => {
    faulty.mode = "open-then-hold";
    const app = await startGateway(`solo=${faulty.url},health=60,timeout=5`);
    gateways.push(app);
    const answer = fetch(`${app.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "solo", stream: true, messages: [{ role: "user", content: "Hi" }] }),
    });
    let timer: NodeJS.Timeout | undefined;
    const held = new Promise<"held">((resolve) => {
      timer = setTimeout(() => resolve("held"), 3000);
    });
    // The replica holds every output until released: only its role chunk can have opened the stream.
    const response = await Promise.race([answer, held]);
    clearTimeout(timer);
    if (response === "held") faulty.release();
    expect(response).not.toBe("held");
    const body = (response as Response).body!.getReader();
    const first = new TextDecoder().decode((await body.read()).value);
    expect(first).toMatch(/^data: \{.*"delta":\{"role":"assistant","content":""/);
    faulty.release();
    let rest = "";
    for (let read = await body.read(); !read.done; read = await body.read())
      rest += new TextDecoder().decode(read.value);
    expect(rest).toContain('"content":"Hello"');
    expect(rest).toContain("data: [DONE]");
  });

  it("an ejected replica is restored once its health check answers", async () => {
    faulty.mode = "500";
    const app = await startGateway(
      `f=${faulty.url},${good.url},model=tiny,kind=llama,slots=1,health=0.1,timeout=1`,
    );
    gateways.push(app);
    await openStream("openai-sse", app.url, { content: "Hi", maxTokens: 2 }).outcome;
    await eventually(() => remoteOf(app, "f").replicaStates()[0].healthy, 3000, "not restored");
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain(`inferql_upstream_ejections_total{upstream="f",replica="${faulty.url}"} 1`);
  });

  it("a replica that fails its health check is ejected with what went wrong (status or connection error)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const refusing = createServer((_request, response) => response.writeHead(403).end());
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    try {
      const app = await startGateway(`h=${good.url},${closedUrl},${refusingUrl},health=0.1,timeout=1`);
      gateways.push(app);
      const reasons = new Map<string, string>();
      remoteOf(app, "h").onEvent((event) => {
        if (event.type === "ejected") reasons.set(event.replica, event.reason);
      });
      await eventually(() => reasons.size === 2, 3000, "both failing replicas ejected");
      expect(reasons.get(closedUrl)).toMatch(/^health check failed: GET \/health: .*ECONNREFUSED/);
      expect(reasons.get(refusingUrl)).toBe("health check failed: GET /health answered 403");
      expect(remoteOf(app, "h").replicaStates()[0].healthy).toBe(true);
    } finally {
      refusing.closeAllConnections();
      await new Promise((resolve) => refusing.close(resolve));
    }
  });

  it.each(STREAM_TRANSPORTS)(
    "a replica that dies mid-stream ends the %s stream with a clean error",
    async (transport) => {
      faulty.mode = "die";
      const app = await startGateway(`solo=${faulty.url},health=60,timeout=2`);
      gateways.push(app);
      const outcome = await openStream(transport, app.url, { content: "Hi", maxTokens: 50 }).outcome;
      expect(outcome.contentEvents).toBeGreaterThan(0);
      if (transport === "openai-sse") expect(outcome.transcript).toContain('"error"');
      else expect(outcome.finishReason?.toLowerCase()).toBe("error");
      await eventually(() => app.scheduler.activeCount === 0, 2000);
    },
  );

  it("streams one request after another over one kept-alive connection, though [DONE] and the body's end arrive apart", async () => {
    faulty.mode = "split-end";
    const app = await startGateway(`solo=${faulty.url},health=60,timeout=2`);
    gateways.push(app);
    const connectionsBefore = faulty.connections;
    for (let request = 0; request < 3; request++) {
      const outcome = await openStream("openai-sse", app.url, { content: "Hi", maxTokens: 4 }).outcome;
      expect(outcome.error).toBeUndefined();
      expect(outcome.finishReason).toBe("stop");
      // The body's end follows [DONE] within a moment: this pause only keeps the test from racing it.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A response destroyed at [DONE] takes its connection with it: each request would open one.
    expect(faulty.connections - connectionsBefore).toBe(1);
  });

  it("a request with no replica left is a 503, not a hang", async () => {
    faulty.mode = "500";
    const app = await startGateway(`solo=${faulty.url},health=60,timeout=1`);
    gateways.push(app);
    const client = openAiClient(app.url);
    await expect(
      client.chat.completions.create({ model: "solo", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({ status: 503 });
    // Ejected now: the next one is refused at once.
    await expect(
      client.chat.completions.create({ model: "solo", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({ status: 503 });
  });
});

describe("a gateway over an inferql reranker replica", () => {
  let replica: RunningInferql;
  let gateway: RunningInferql;
  const query = "What is the capital of France?";
  const documents = ["Paris is the capital of France.", "Bananas are yellow.", "France borders Spain."];
  interface RerankBody {
    results: { index: number; relevance_score: number; document?: { text: string } }[];
    usage: { prompt_tokens: number; total_tokens: number };
  }
  const rerank = async (url: string, body: Record<string, unknown>) => {
    const answer = await postJson(`${url}/v1/rerank`, { query, documents, ...body });
    expect(answer.status).toBe(200);
    return answer.body as RerankBody;
  };

  beforeAll(async () => {
    replica = await startTestServer({ flags: ["--model", `reranker=${rerankerFixturePath()}`] });
    gateway = await startGateway(
      `ranker=${replica.url},model=reranker,kind=llama,health=60,timeout=10,tiny=${replica.url},model=tiny,kind=vllm,health=60`,
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await replica?.close();
  });

  it("forwards rerank: the replica's scores, order and usage, top_n and documents applied, on REST, GraphQL and tRPC", async () => {
    const direct = await rerank(replica.url, { model: "reranker" });
    expect(await rerank(gateway.url, { model: "ranker" })).toMatchObject({
      results: direct.results,
      usage: direct.usage,
    });
    const top = await rerank(gateway.url, { model: "ranker", top_n: 1, return_documents: true });
    expect(top.results).toEqual([
      { ...direct.results[0], document: { text: documents[direct.results[0].index] } },
    ]);

    const graphql = await postGraphql<
      { rerank: { results: { index: number; relevanceScore: number }[] } },
      never
    >(
      gateway.url,
      `query { rerank(input: { model: "ranker", query: ${JSON.stringify(query)}, documents: ${JSON.stringify(documents)} }) { results { index relevanceScore } } }`,
    );
    expect(graphql.errors).toBeUndefined();
    const expected = direct.results.map((result) => ({
      index: result.index,
      relevanceScore: result.relevance_score,
    }));
    expect(graphql.data?.rerank.results).toEqual(expected);
    const trpc = await createInferqlClient(gateway.url).rerank.query({ model: "ranker", query, documents });
    expect(trpc.results).toEqual(expected);
  });

  it("a replica's model that cannot rank: the replica's 400, naming the model", async () => {
    const answer = await postJson(`${gateway.url}/v1/rerank`, { model: "tiny", query, documents });
    expect(answer.status).toBe(400);
    expect((answer.body as { error: object }).error).toMatchObject({
      param: "model",
      message: expect.stringContaining("does not support reranking"),
    });
    expect(remoteOf(gateway, "tiny").replicaStates()[0].healthy).toBe(true);
  });
});

describe("a replica process killed mid-run", () => {
  it("ends the streams it was serving with a clean error, none left hanging", async () => {
    ensureServerBuild();
    const root = path.resolve(import.meta.dirname, "../..");
    const child = spawn(
      process.execPath,
      [
        "bin/inferql.cjs",
        "serve",
        "--port",
        "0",
        "--threads",
        "1",
        // As many sequences as the gateway's slots=5 below: a replica left at the default (4) holds
        // the fifth request in its own queue, sending nothing, and the gateway takes it for hung.
        "--slots",
        "5",
        "--model",
        `tiny=${inject("tinyModelPath")}`,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    let gateway: RunningInferql | undefined;
    try {
      const { url } = await listeningUrl(child, "ready");
      // A 5 s hang timeout: each stream needs far longer than that, so a stream the replica held
      // back until the others ended would be taken for hung (and the replica ejected) before it began.
      gateway = await startGateway(`killed=${url},model=tiny,kind=llama,slots=5,health=60,timeout=5`);
      // All five streaming transports at once, one stream each: all five run on the replica at once.
      const transports = STREAM_TRANSPORTS;
      const startedAt = performance.now();
      const streams = transports.map((transport) =>
        openStream(transport, (gateway as RunningInferql).url, { content: "Go on", maxTokens: 1500 }),
      );
      const firstContentMs = await Promise.all(
        streams.map((stream, index) =>
          Promise.race([
            stream.firstContent.then(() => performance.now() - startedAt),
            stream.outcome.then((outcome) => {
              throw new Error(`${transports[index]} ended before its first token: ${outcome.transcript}`);
            }),
          ]),
        ),
      );
      // Concurrently, not one after another: every first token well before any stream could end.
      expect(Math.max(...firstContentMs)).toBeLessThan(4000);
      expect(remoteOf(gateway, "killed").replicaStates()[0]).toMatchObject({ healthy: true, outstanding: 5 });
      child.kill("SIGKILL");
      const outcomes = await Promise.all(streams.map((stream) => stream.outcome));
      for (const [index, outcome] of outcomes.entries()) {
        if (transports[index] === "openai-sse") expect(outcome.transcript.slice(-600)).toContain('"error"');
        else expect(outcome.finishReason?.toLowerCase(), transports[index]).toBe("error");
      }
      await eventually(() => (gateway as RunningInferql).scheduler.activeCount === 0, 2000);
      expect(remoteOf(gateway, "killed").replicaStates()[0].healthy).toBe(false);
    } finally {
      child.kill("SIGKILL");
      await gateway?.close();
    }
  });
});

describe("a replica that runs fewer requests at once than slots=", () => {
  it("is named in a warning at start (llama-server's /props total_slots)", async () => {
    const server = createServer((request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(request.url === "/props" ? JSON.stringify({ total_slots: 4 }) : "{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const warnings: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    const spec = {
      id: "u",
      replicas: [url],
      kind: "llama",
      timeoutMs: 5000,
      healthIntervalMs: 60_000,
    } as const;
    try {
      await new RemoteModel({ ...spec, slots: 4 }, logger).checkConcurrency();
      expect(warnings).toEqual([]);
      await new RemoteModel({ ...spec, slots: 6 }, logger).checkConcurrency();
      expect(warnings).toHaveLength(1);
      expect(warnings[0][0]).toMatchObject({ upstream: "u", replicaSlots: 4, slots: 6 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
