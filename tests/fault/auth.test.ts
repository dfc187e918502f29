// API keys and rate limits across every transport. Without a key (or with a wrong one) each is
// refused in its own error shape, WebSocket handshakes included; with a right key each works.
// /health and /ready stay open, /metrics takes its own key, GraphiQL's page loads without one.
// --rate-limit is a token bucket per key: past it each transport answers its own "too many
// requests" with how long to wait, and other keys are not affected.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createTRPCClient,
  createWSClient,
  httpSubscriptionLink,
  TRPCClientError,
  wsLink,
} from "@trpc/client";
import { EventSource } from "eventsource";
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { AppRouter } from "../../src/api/trpc/index.js";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { collect, wsUrl } from "../support/graphqlClients.js";
import { openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

const KEY = "sk-inferql-test-key-1";
const FILE_KEY = "sk-inferql-from-file";
const METRICS_KEY = "metrics-scraper-key";
/** Requests per minute per key: more than the auth tests make with one key. */
const PER_MINUTE = 20;
/** One key per transport for the rate limit tests, so each starts with a full bucket. */
const RATE_KEYS = ["key-openai", "key-graphql", "key-trpc", "key-graphql-ws", "key-trpc-ws", "key-untouched"];
const QUERY = "{ models { id } }";
const chat = { messages: [{ role: "user" as const, content: "hi" }], maxTokens: 3 };

let app: RunningInferql;
const keyDir = mkdtempSync(path.join(os.tmpdir(), "inferql-keys-"));

beforeAll(async () => {
  const keyFile = path.join(keyDir, "keys.txt");
  writeFileSync(keyFile, `# one key per line\n\n${FILE_KEY}\n`);
  app = await startTestServer({
    flags: [
      "--api-key",
      KEY,
      "--api-key-file",
      keyFile,
      "--metrics-api-key",
      METRICS_KEY,
      "--rate-limit",
      String(PER_MINUTE),
      ...RATE_KEYS.flatMap((key) => ["--api-key", key]),
    ],
  });
});
afterAll(async () => {
  await app?.close();
  rmSync(keyDir, { recursive: true, force: true });
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function post(pathname: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

/** How a graphql-ws connection ended: its close code, or "ok" when the operation completed. */
async function graphqlWsOutcome(connectionParams?: Record<string, unknown>): Promise<number | string> {
  const client = createWsClient({
    url: wsUrl(app.url),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams,
  });
  try {
    const results = await collect(client.iterate({ query: QUERY }));
    return results[0]?.data ? "ok" : JSON.stringify(results);
  } catch (error) {
    return (error as { code?: number }).code ?? String(error);
  } finally {
    await client.dispose();
  }
}

async function trpcError(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error("expected the call to be refused");
}

describe("OpenAI REST", () => {
  it("refuses a request without a key: 401 in OpenAI's shape, code invalid_api_key", async () => {
    const { status, headers, body } = await post("/v1/chat/completions", {
      messages: chat.messages,
      max_tokens: 3,
    });
    expect(status).toBe(401);
    expect(headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(body).toEqual({
      error: {
        message: expect.any(String),
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    });
  });

  it("refuses a wrong key, and a key that is only a prefix or extension of a real one", async () => {
    for (const key of ["wrong", KEY.slice(0, -1), `${KEY}x`, METRICS_KEY])
      expect((await post("/v1/models", {}, bearer(key))).status).toBe(401);
    expect((await fetch(`${app.url}/v1/models`, { headers: bearer("wrong") })).status).toBe(401);
  });

  it("serves the SDK with a key from --api-key or from --api-key-file", async () => {
    for (const key of [KEY, FILE_KEY]) {
      const client = openAiClient(app.url, key);
      const completion = await client.chat.completions.create({
        model: "tiny",
        messages: chat.messages,
        max_tokens: 3,
      });
      expect(completion.choices[0].finish_reason).toBe("length");
    }
  });
});

describe("GraphQL", () => {
  it("refuses HTTP without a key: 401 with extensions.code UNAUTHENTICATED", async () => {
    const { status, body } = await post("/graphql", { query: QUERY });
    expect(status).toBe(401);
    expect(body).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: "UNAUTHENTICATED" } }],
    });
  });

  it("answers HTTP with a key", async () => {
    const { status, body } = await post("/graphql", { query: QUERY }, bearer(KEY));
    expect(status).toBe(200);
    expect(body).toEqual({ data: { models: [{ id: "tiny" }] } });
  });

  it("refuses SSE without a key and streams with one", async () => {
    const refused = createSseClient({ url: `${app.url}/graphql`, fetchFn: fetch, retryAttempts: 0 });
    await expect(collect(refused.iterate({ query: QUERY }))).rejects.toThrow();
    const allowed = createSseClient({
      url: `${app.url}/graphql`,
      fetchFn: fetch,
      retryAttempts: 0,
      headers: bearer(KEY),
    });
    expect(await collect(allowed.iterate({ query: QUERY }))).toEqual([
      { data: { models: [{ id: "tiny" }] } },
    ]);
  });

  it("closes a graphql-ws socket with 4401 Unauthorized without a key or with a wrong one", async () => {
    expect(await graphqlWsOutcome()).toBe(4401);
    expect(await graphqlWsOutcome(bearer("wrong"))).toBe(4401);
  });

  it("runs operations over graphql-ws with the key in connectionParams", async () => {
    expect(await graphqlWsOutcome(bearer(KEY))).toBe("ok");
  });

  it("still serves the GraphiQL page without a key (its requests carry the key)", async () => {
    const response = await fetch(`${app.url}/graphql`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<html");
  });
});

describe("tRPC", () => {
  it("refuses HTTP calls without a key with UNAUTHORIZED (HTTP 401)", async () => {
    const error = await trpcError(createInferqlClient(app.url).models.list.query());
    expect(error.data?.code).toBe("UNAUTHORIZED");
    expect(error.data?.httpStatus).toBe(401);
    const batched = await fetch(`${app.url}/trpc/models.list,health?batch=1&input={}`);
    expect(batched.status).toBe(401);
    const errors = (await batched.json()) as { error: { data: { code: string } } }[];
    expect(errors.map((entry) => entry.error.data.code)).toEqual(["UNAUTHORIZED", "UNAUTHORIZED"]);
  });

  it("refuses SSE subscriptions without a key", async () => {
    const client = createInferqlClient(app.url);
    const error = await trpcError(collect(client.chat.stream.subscribe(chat)));
    expect(error.data?.code).toBe("UNAUTHORIZED");
    expect(app.scheduler.state().busySlots).toBe(0);
  });

  it("refuses a WebSocket without connectionParams: UNAUTHORIZED, and the socket is closed", async () => {
    const closed: number[] = [];
    const wsClient = createWSClient({
      url: `${app.url.replace(/^http/, "ws")}/trpc`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      onClose: (cause) => closed.push(cause?.code ?? -1),
      retryDelayMs: () => 60_000,
    });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    const error = await trpcError(client.models.list.query());
    expect(error.data?.code).toBe("UNAUTHORIZED");
    await expect.poll(() => closed).toEqual([1008]);
    await wsClient.close();
  });

  it("refuses a WebSocket with a wrong key in connectionParams: UNAUTHORIZED, and the socket is closed", async () => {
    const closed: number[] = [];
    const wsClient = createWSClient({
      url: `${app.url.replace(/^http/, "ws")}/trpc`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: bearer("wrong"),
      onClose: (cause) => closed.push(cause?.code ?? -1),
      retryDelayMs: () => 60_000,
    });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    expect((await trpcError(client.chat.create.mutate(chat))).data?.code).toBe("UNAUTHORIZED");
    await expect.poll(() => closed).toEqual([1008]);
    expect(app.scheduler.state().busySlots).toBe(0);
    await wsClient.close();
  });

  it("works over HTTP, SSE and WebSocket with the client's apiKey option", async () => {
    for (const subscriptions of ["sse", "ws"] as const) {
      const client = createInferqlClient(app.url, { apiKey: KEY, subscriptions });
      expect((await client.models.list.query()).map((model) => model.id)).toEqual(["tiny"]);
      const events = await collect(client.chat.stream.subscribe(chat));
      expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "length" });
    }
  });

  it("takes the key from httpSubscriptionLink's connectionParams (browsers' EventSource sends no headers)", async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpSubscriptionLink({ url: `${app.url}/trpc`, EventSource, connectionParams: bearer(KEY) })],
    });
    const events = await collect(client.chat.stream.subscribe(chat));
    expect(events.at(-1)).toMatchObject({ type: "finished" });
  });
});

describe("operations routes", () => {
  it("keeps /health, /ready and the playground page open", async () => {
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    expect((await fetch(`${app.url}/ready`)).status).toBe(200);
    const playground = await fetch(`${app.url}/`);
    expect(playground.status).not.toBe(401);
    expect(playground.headers.get("content-type")).toContain("text/html");
  });

  it("protects /metrics with its own key, not with an API key", async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: bearer(KEY) })).status).toBe(401);
    const scraped = await fetch(`${app.url}/metrics`, { headers: bearer(METRICS_KEY) });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(
      /inferql_http_requests_total\{transport="openai",route="\/v1\/models",status="401"\}/,
    );
  });
});

describe("rate limit", () => {
  /** Runs `call` PER_MINUTE times (each must pass), then once more and returns that last outcome. */
  async function overTheLimit<T>(call: () => Promise<T>): Promise<T> {
    for (let index = 0; index < PER_MINUTE; index++) await call();
    return call();
  }

  it("OpenAI REST: 429 rate_limit_error with Retry-After", async () => {
    const get = () => fetch(`${app.url}/v1/models`, { headers: bearer("key-openai") });
    for (let index = 0; index < PER_MINUTE; index++) expect((await get()).status).toBe(200);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({
      error: { type: "rate_limit_error", code: "rate_limit_exceeded" },
    });
  });

  it("GraphQL over HTTP: 429 with extensions.code RATE_LIMITED and retryAfterSeconds", async () => {
    const post = () =>
      fetch(`${app.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer("key-graphql") },
        body: JSON.stringify({ query: "{ models { id } }" }),
      });
    const limited = await overTheLimit(post);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).not.toBeNull();
    expect(await limited.json()).toMatchObject({
      errors: [{ extensions: { code: "RATE_LIMITED", retryAfterSeconds: expect.any(Number) } }],
    });
  });

  it("tRPC over HTTP: TOO_MANY_REQUESTS (429) with retryAfterSeconds", async () => {
    const client = createInferqlClient(app.url, { apiKey: "key-trpc" });
    const outcome = await overTheLimit(() =>
      client.health.query().then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect(outcome).toBeInstanceOf(TRPCClientError);
    expect((outcome as TRPCClientError<AppRouter>).data).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      httpStatus: 429,
      retryAfterSeconds: expect.any(Number),
    });
  });

  it("graphql-ws: each operation counts; past the limit an operation gets RATE_LIMITED and the socket stays open", async () => {
    const client = createWsClient({
      url: wsUrl(app.url),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: bearer("key-graphql-ws"),
    });
    const run = () =>
      collect(client.iterate({ query: "{ models { id } }" })).then(
        (results) => results,
        (errors: unknown) => errors,
      );
    const limited = await overTheLimit(run);
    expect(limited).toMatchObject([{ extensions: { code: "RATE_LIMITED" } }]);
    expect(await run()).toMatchObject([{ extensions: { code: "RATE_LIMITED" } }]);
    await client.dispose();
  });

  it("tRPC ws: each operation counts; past the limit TOO_MANY_REQUESTS", async () => {
    const wsClient = createWSClient({
      url: `${app.url.replace(/^http/, "ws")}/trpc`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: bearer("key-trpc-ws"),
    });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    const outcome = await overTheLimit(() =>
      client.health.query().then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect((outcome as TRPCClientError<AppRouter>).data?.code).toBe("TOO_MANY_REQUESTS");
    await wsClient.close();
  });

  it("limits each key on its own, and never the health checks", async () => {
    const untouched = await fetch(`${app.url}/v1/models`, { headers: bearer("key-untouched") });
    expect(untouched.status).toBe(200);
    for (let index = 0; index < PER_MINUTE * 3; index++)
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });
});
