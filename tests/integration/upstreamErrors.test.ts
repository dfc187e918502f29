// Upstream errors as clients see them (issue #16): an upstream's 429 and 400 come back with their
// status, code and the upstream's own message on REST, GraphQL and tRPC (not a 500); a 429 is
// retried on another replica, a 400 is not; the per-upstream `timeout=` ends a request whose
// replica hangs (before its first token: a gateway timeout, 504, when no other replica can take it;
// mid-stream: an error event) with a clean error, closes the upstream connection and frees the slot.
// Embeddings on a remote upstream fail over and time out the same way. (A 5xx before the first token,
// retried on another replica or a 503 with none left: tests/integration/upstream.test.ts.)
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../src/api/trpc/index.js";
import type { RunningInferql } from "../../src/app.js";
import { eventually } from "../support/collect.js";
import {
  type FaultMode,
  type FaultyUpstream,
  startFaultyUpstream,
  UPSTREAM_INVALID_MESSAGE,
  UPSTREAM_NOT_SUPPORTED_MESSAGE,
  UPSTREAM_RATE_LIMIT_MESSAGE,
  UPSTREAM_UNAUTHORIZED_MESSAGE,
} from "../support/faultyUpstream.js";
import { remoteOf, startGateway } from "../support/gateway.js";
import { postGraphql } from "../support/graphqlClients.js";
import { openAiClient } from "../support/openai.js";
import { openStream } from "../support/streamClients.js";

let first: FaultyUpstream;
let second: FaultyUpstream;
const gateways: RunningInferql[] = [];

beforeAll(async () => {
  [first, second] = await Promise.all([startFaultyUpstream(), startFaultyUpstream()]);
});

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await Promise.all([first?.close(), second?.close()]);
});

/** A fresh gateway over `replicas` (its first request goes to the first), one slot each. */
async function gatewayOver(...replicas: FaultyUpstream[]): Promise<RunningInferql> {
  const urls = replicas.map((replica) => replica.url).join(",");
  const gateway = await startGateway(`u=${urls},kind=llama,slots=1,health=60,timeout=1`);
  gateways.push(gateway);
  return gateway;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** The same chat request on REST (official client), GraphQL (HTTP) and tRPC (HTTP). */
async function failuresOnEveryTransport(gateway: RunningInferql) {
  const rest = await failureOf(
    openAiClient(gateway.url).chat.completions.create({
      model: "u",
      messages: [{ role: "user", content: "Hi" }],
    }),
  );
  const graphql = await postGraphql(
    gateway.url,
    `mutation { createChatCompletion(input: { model: "u", messages: [{ role: USER, content: "Hi" }] }) { id } }`,
  );
  const trpc = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${gateway.url}/trpc` })] });
  const trpcError = await failureOf(
    trpc.chat.create.mutate({ model: "u", messages: [{ role: "user", content: "Hi" }] }),
  );
  expect(trpcError).toBeInstanceOf(TRPCClientError);
  return { rest, graphql: graphql.errors?.[0], trpc: trpcError as TRPCClientError<AppRouter> };
}

const setModes = (modes: FaultMode[]) =>
  [first, second].forEach((upstream, index) => {
    upstream.mode = modes[index];
  });

/** With the first replica answering `mode` and the second well, a chat is served by the second after one try on the first. */
async function expectServedByTheOther(mode: FaultMode): Promise<void> {
  setModes([mode, "ok"]);
  const before = [first.requests, second.requests];
  const gateway = await gatewayOver(first, second);
  const answer = await openAiClient(gateway.url).chat.completions.create({
    model: "u",
    messages: [{ role: "user", content: "Hi" }],
  });
  expect(answer.choices[0].message.content).toBe("Hello there");
  expect([first.requests - before[0], second.requests - before[1]]).toEqual([1, 1]);
}

describe("an upstream's 429 and 400", () => {
  it("a 429 from the only replica is a 429 with the upstream's message and Retry-After, on every transport", async () => {
    setModes(["429", "ok"]);
    const gateway = await gatewayOver(first);
    const { rest, graphql, trpc } = await failuresOnEveryTransport(gateway);
    expect(rest).toMatchObject({ status: 429, type: "rate_limit_error", code: "rate_limit_exceeded" });
    expect((rest as { message: string }).message).toContain(UPSTREAM_RATE_LIMIT_MESSAGE);
    expect((rest as { headers: Headers }).headers.get("retry-after")).toBe("7");
    expect(graphql?.message).toContain(UPSTREAM_RATE_LIMIT_MESSAGE);
    expect(graphql?.extensions).toMatchObject({ code: "OVERLOADED", retryAfterSeconds: 7 });
    expect(trpc.message).toContain(UPSTREAM_RATE_LIMIT_MESSAGE);
    expect(trpc.data).toMatchObject({ code: "TOO_MANY_REQUESTS", httpStatus: 429, retryAfterSeconds: 7 });
    // Busy is not broken: the replica stays in rotation.
    expect(remoteOf(gateway, "u").replicaStates()[0].healthy).toBe(true);
    expect(gateway.scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
  });

  it("a 429 is retried on another replica", async () => {
    await expectServedByTheOther("429");
  });

  it("a 400 is a 400 naming the upstream's param and message, on every transport, and is not retried", async () => {
    setModes(["400", "ok"]);
    const before = [first.requests, second.requests];
    const gateway = await gatewayOver(first, second);
    const { rest, graphql, trpc } = await failuresOnEveryTransport(gateway);
    expect(rest).toMatchObject({ status: 400, type: "invalid_request_error", param: "top_logprobs" });
    expect((rest as { message: string }).message).toContain(UPSTREAM_INVALID_MESSAGE);
    expect(graphql?.message).toContain(UPSTREAM_INVALID_MESSAGE);
    expect(graphql?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "top_logprobs" });
    expect(trpc.message).toContain(UPSTREAM_INVALID_MESSAGE);
    expect(trpc.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400 });
    // The request's own fault: the other replica would refuse it too. Neither is ejected.
    expect([first.requests - before[0], second.requests - before[1]]).toEqual([3, 0]);
    expect(
      remoteOf(gateway, "u")
        .replicaStates()
        .every((replica) => replica.healthy),
    ).toBe(true);
  });
});

describe("a replica that refuses inferql itself (401: a wrong key=)", () => {
  it("is tried on another replica, and with none left is a 503 naming what the replica said, on every transport", async () => {
    await expectServedByTheOther("401");

    const only = await gatewayOver(first);
    const { rest, graphql, trpc } = await failuresOnEveryTransport(only);
    expect(rest).toMatchObject({ status: 503, type: "service_unavailable_error" });
    for (const message of [(rest as { message: string }).message, graphql?.message, trpc.message])
      expect(message).toContain(`HTTP 401: ${UPSTREAM_UNAUTHORIZED_MESSAGE}; check the upstream's key`);
    expect(graphql?.extensions).toMatchObject({ code: "MODEL_NOT_READY" });
    expect(trpc.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
    expect(only.scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
  });
});

describe("timeout= on a replica that hangs", () => {
  it("before the first token, with no other replica: a 504 naming the timeout, the upstream request closed, the slot freed", async () => {
    setModes(["hang", "ok"]);
    const gateway = await gatewayOver(first);
    const startedAt = performance.now();
    const error = await failureOf(
      openAiClient(gateway.url).chat.completions.create({
        model: "u",
        messages: [{ role: "user", content: "Hi" }],
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    expect(error).toMatchObject({ status: 504, type: "server_error", code: "upstream_timeout" });
    expect((error as { message: string }).message).toContain("no data for 1000 ms");
    expect(seconds).toBeGreaterThanOrEqual(0.9);
    expect(seconds).toBeLessThan(5);
    await eventually(() => first.open === 0, 2000, "the gateway left the hung upstream request open");
    expect(gateway.scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
  });

  it("before the first token: GraphQL's UPSTREAM_TIMEOUT and tRPC's GATEWAY_TIMEOUT", async () => {
    setModes(["hang", "ok"]);
    // The hung replica is ejected by its first timeout: each transport gets a gateway of its own.
    const [graphqlGateway, trpcGateway] = await Promise.all([gatewayOver(first), gatewayOver(first)]);
    const trpc = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${trpcGateway.url}/trpc` })] });
    const [graphql, trpcError] = await Promise.all([
      postGraphql(
        graphqlGateway.url,
        `mutation { createChatCompletion(input: { model: "u", messages: [{ role: USER, content: "Hi" }] }) { id } }`,
      ),
      failureOf(trpc.chat.create.mutate({ model: "u", messages: [{ role: "user", content: "Hi" }] })),
    ]);
    expect(graphql.errors?.[0]?.message).toContain("no data for 1000 ms");
    expect(graphql.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_TIMEOUT" });
    expect(trpcError).toBeInstanceOf(TRPCClientError);
    expect((trpcError as TRPCClientError<AppRouter>).data).toMatchObject({
      code: "GATEWAY_TIMEOUT",
      httpStatus: 504,
    });
  });

  it.each(["openai-sse", "graphql-ws"] as const)(
    "mid-stream (%s): the stream ends with an error after its content, the upstream request is closed, the slot freed",
    async (transport) => {
      setModes(["stall", "ok"]);
      const gateway = await gatewayOver(first);
      const outcome = await openStream(transport, gateway.url, { content: "Hi", maxTokens: 50 }).outcome;
      expect(outcome.contentEvents).toBeGreaterThan(0);
      // A failure after the first token is an error event (its cause only in the log), then the end.
      if (transport === "openai-sse") expect(outcome.transcript).toMatch(/"error":\{.*\n\[DONE\]\n$/);
      else expect(outcome.finishReason).toBe("error");
      expect(outcome.ended).toBe(true);
      await eventually(() => first.open === 0, 2000, "the gateway left the stalled upstream request open");
      expect(gateway.scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
    },
  );
});

describe("embeddings on a remote upstream", () => {
  const embed = (gateway: RunningInferql) =>
    openAiClient(gateway.url).embeddings.create({ model: "u", input: ["a", "b"], encoding_format: "float" });

  it.each(["500", "429", "401"] as const)(
    "a replica answering %s is passed over: the other replica's vectors come back",
    async (mode) => {
      setModes([mode, "ok"]);
      const before = [first.requests, second.requests];
      const answer = await embed(await gatewayOver(first, second));
      expect(answer.data.map((item) => item.embedding)).toEqual([
        [0.6, 0.8],
        [0.6, 0.8],
      ]);
      expect(answer.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
      expect([first.requests - before[0], second.requests - before[1]]).toEqual([1, 1]);
    },
  );

  it("a replica's 400 is a 400 with its message and param, not retried", async () => {
    setModes(["400", "ok"]);
    const before = [first.requests, second.requests];
    const error = await failureOf(embed(await gatewayOver(first, second)));
    expect(error).toMatchObject({ status: 400, param: "top_logprobs" });
    expect((error as { message: string }).message).toContain(UPSTREAM_INVALID_MESSAGE);
    expect([first.requests - before[0], second.requests - before[1]]).toEqual([1, 0]);
  });

  it("a replica that does not serve them (501, llama-server without --embeddings) is a 400 naming the model, and stays in service", async () => {
    setModes(["501", "ok"]);
    const gateway = await gatewayOver(first);
    const error = await failureOf(embed(gateway));
    expect(error).toMatchObject({ status: 400, param: "model" });
    expect((error as { message: string }).message).toContain(UPSTREAM_NOT_SUPPORTED_MESSAGE);
    expect(remoteOf(gateway, "u").replicaStates()[0].healthy).toBe(true);
  });

  it("a replica that hangs, with no other: a 504 naming the timeout, the upstream request closed", async () => {
    setModes(["hang", "ok"]);
    const gateway = await gatewayOver(first);
    const error = await failureOf(embed(gateway));
    expect(error).toMatchObject({ status: 504, code: "upstream_timeout" });
    expect((error as { message: string }).message).toContain("no data for 1000 ms");
    await eventually(() => first.open === 0, 2000, "the gateway left the hung upstream request open");
    // Ejected by the hang: the next request is refused at once.
    expect(await failureOf(embed(gateway))).toMatchObject({ status: 503 });
  });
});
