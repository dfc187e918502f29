// Errors each transport answers in its own shape, alike wherever the client comes from: a
// subscription with invalid input is the client's error (never a 500) on every GraphQL transport,
// and graphql-sse's client shows it at once instead of retrying; a body too large is 413
// PAYLOAD_TOO_LARGE at any size and transfer encoding; garbage on the tRPC WebSocket gets a clean
// PARSE_ERROR and the socket keeps serving; a masked internal error has the same extensions over
// HTTP, SSE and graphql-ws; and with API keys an unknown tRPC procedure is refused before it is routed.
import { request as httpRequest } from "node:http";
import { createClient as createSseClient } from "graphql-sse";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import type { RunningInferql } from "../../src/app.js";
import { collect, graphqlWsClient } from "../support/graphqlClients.js";
import { startTestServer } from "../support/startTestServer.js";

const KEY = "sk-transport-errors-key";

let app: RunningInferql;
let keyed: RunningInferql;
beforeAll(async () => {
  [app, keyed] = await Promise.all([startTestServer(), startTestServer({ flags: ["--api-key", KEY] })]);
});
afterAll(async () => {
  await Promise.all([app?.close(), keyed?.close()]);
});

interface GraphqlErrorJson {
  message: string;
  extensions?: Record<string, unknown>;
}

/** Subscriptions whose input the resolvers refuse before anything starts, and the field each names. */
const INVALID_SUBSCRIPTIONS = [
  { field: "maxTokens", input: '{ messages: [{ role: USER, content: "hi" }], maxTokens: -1 }' },
  { field: "messages", input: "{ messages: [] }" },
  { field: "temperature", input: '{ messages: [{ role: USER, content: "hi" }], temperature: 99 }' },
];
const subscription = (input: string) => `subscription { chatCompletion(input: ${input}) { __typename } }`;

/** The `next` events' payloads of an SSE response (graphql-sse's distinct connections mode). */
function sseNextPayloads(text: string): { errors?: GraphqlErrorJson[] }[] {
  return text
    .split("\n\n")
    .filter((event) => event.includes("event: next"))
    .map((event) =>
      JSON.parse(
        event
          .split("\n")
          .find((line) => line.startsWith("data: "))
          ?.slice(6) ?? "{}",
      ),
    );
}

async function postGraphql(body: unknown, accept: string) {
  const response = await fetch(`${app.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe("a GraphQL subscription with invalid input", () => {
  it.each(INVALID_SUBSCRIPTIONS)(
    "over SSE: 200 with the error as the stream's event ($field)",
    async ({ field, input }) => {
      const { status, text } = await postGraphql({ query: subscription(input) }, "text/event-stream");
      expect(status).toBe(200);
      const [payload] = sseNextPayloads(text);
      expect(payload?.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    },
  );

  it.each(INVALID_SUBSCRIPTIONS)(
    "over plain JSON: 200 with the error, as over graphql-ws ($field)",
    async ({ field, input }) => {
      const { status, text } = await postGraphql({ query: subscription(input) }, "application/json");
      expect(status).toBe(200);
      const body = JSON.parse(text) as { errors?: GraphqlErrorJson[] };
      expect(body.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field });
    },
  );

  it.each(INVALID_SUBSCRIPTIONS)(
    "over application/graphql-response+json: a 400 ($field)",
    async ({ field, input }) => {
      const { status, text } = await postGraphql(
        { query: subscription(input) },
        "application/graphql-response+json",
      );
      expect(status).toBe(400);
      const body = JSON.parse(text) as { errors?: GraphqlErrorJson[] };
      expect(body.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field });
    },
  );

  it.each(INVALID_SUBSCRIPTIONS)(
    "graphql-sse's client (retries on) shows the error at once ($field)",
    async ({ field, input }) => {
      // Default retries: a 4xx or 5xx would be a network error to this client, retried for ~37 s.
      const client = createSseClient({ url: `${app.url}/graphql`, fetchFn: fetch });
      const startedAt = performance.now();
      const outcome = await Promise.race([
        collect(client.iterate({ query: subscription(input) })).then(
          (results) => JSON.stringify(results),
          (error: unknown) => `rejected: ${String(error)}`,
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve("no answer"), 2000)),
      ]);
      client.dispose();
      expect(performance.now() - startedAt).toBeLessThan(2000);
      expect(outcome).toContain("BAD_USER_INPUT");
      expect(outcome).toContain(field);
    },
  );

  it.each(INVALID_SUBSCRIPTIONS)(
    "over graphql-ws: the error as the operation's result ($field)",
    async ({ field, input }) => {
      const client = graphqlWsClient(app.url);
      const results = await collect(client.iterate({ query: subscription(input) }));
      await client.dispose();
      expect(results[0]?.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field });
    },
  );
});

/** POSTs `bytes` of JSON in 1 MiB chunks, chunked or with its length declared. */
function postLarge(
  url: string,
  bytes: number,
  declareLength: boolean,
): Promise<{ status: number; text: string }> {
  const prefix = '{"query":"{ models { id } }","variables":{"pad":"';
  const suffix = '"}}';
  const chunk = Buffer.alloc(1024 * 1024, "x");
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(declareLength ? { "content-length": String(bytes) } : {}),
      },
    });
    request.on("response", (response) => {
      let text = "";
      response.on("data", (data) => {
        text += data;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on("error", reject);
    const write = async () => {
      request.write(prefix);
      let left = bytes - prefix.length - suffix.length;
      while (left > 0) {
        const piece = chunk.subarray(0, Math.min(left, chunk.length));
        left -= piece.length;
        if (!request.write(piece)) await new Promise((drained) => request.once("drain", drained));
        if (request.destroyed) return;
      }
      request.end(suffix);
    };
    write().catch(reject);
  });
}

describe("a request body over the limit", () => {
  // Past graphql-yoga's own limit (25 MB), which once answered in its own words.
  const BIG = 26 * 1024 * 1024;
  it.each([
    { encoding: "chunked", declareLength: false },
    { encoding: "with Content-Length", declareLength: true },
  ])(
    "GraphQL, $encoding, over 25 MB: 413 PAYLOAD_TOO_LARGE",
    { timeout: 30_000 },
    async ({ declareLength }) => {
      const { status, text } = await postLarge(`${app.url}/graphql`, BIG, declareLength);
      expect(status).toBe(413);
      const body = JSON.parse(text) as { errors: GraphqlErrorJson[] };
      expect(body.errors[0]?.extensions).toMatchObject({
        code: "PAYLOAD_TOO_LARGE",
        limitBytes: 4 * 1024 * 1024,
      });
    },
  );

  it("tRPC, chunked, over 25 MB: 413 PAYLOAD_TOO_LARGE", { timeout: 30_000 }, async () => {
    const { status, text } = await postLarge(`${app.url}/trpc/chat.create`, BIG, false);
    expect(status).toBe(413);
    expect(JSON.parse(text)).toMatchObject({ error: { data: { code: "PAYLOAD_TOO_LARGE" } } });
  });
});

/** A raw WebSocket on /trpc that collects what the server sends. */
async function openTrpcSocket(): Promise<{
  socket: WebSocket;
  next: () => Promise<Record<string, unknown>>;
}> {
  const socket = new WebSocket(`${app.url.replace(/^http/, "ws")}/trpc`);
  const received: Record<string, unknown>[] = [];
  const waiting: ((message: Record<string, unknown>) => void)[] = [];
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else received.push(message);
  });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const ready = received.shift();
      if (ready) return resolve(ready);
      waiting.push(resolve);
      setTimeout(() => reject(new Error("no message within 2 s")), 2000).unref();
    });
  return { socket, next };
}

describe("garbage on the tRPC WebSocket", () => {
  it.each(["{not json", "[1,", '{"id":1}', '{"id":1,"method":"nope","params":{}}', "42"])(
    "%s: a PARSE_ERROR that says nothing of the parser, and the socket keeps serving",
    async (garbage) => {
      const { socket, next } = await openTrpcSocket();
      socket.send(garbage);
      const answer = await next();
      const error = answer.error as { message: string; data: { code: string } };
      expect(error.data.code).toBe("PARSE_ERROR");
      expect(error.message).not.toMatch(/position|token|JSON at|Unexpected|Expected|undefined|property/i);
      expect(error.message).toMatch(/not a valid tRPC message|not valid JSON/);
      socket.send(JSON.stringify({ id: 7, method: "query", params: { path: "models.list" } }));
      expect(await next()).toMatchObject({ id: 7, result: { type: "data" } });
      expect(socket.readyState).toBe(WebSocket.OPEN);
      socket.close();
    },
  );
});

describe("tRPC input over HTTP that is not JSON", () => {
  it.each(["{not json", "[1,"])("%s: a 400 that says nothing of the parser", async (body) => {
    const response = await fetch(`${app.url}/trpc/chat.create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string; data: { code: string } } };
    expect(error.data.code).toBe("BAD_REQUEST");
    expect(error.message).toBe("The input is not valid JSON.");
  });
});

describe("a masked internal error", () => {
  afterEach(() => vi.restoreAllMocks());

  it("has the same extensions over HTTP, SSE and graphql-ws", async () => {
    vi.spyOn(app.resolvers, "listModels").mockImplementation(() => {
      throw new Error("secret internal detail");
    });
    const query = "{ models { id } }";
    const overHttp = JSON.parse((await postGraphql({ query }, "application/json")).text) as {
      errors: GraphqlErrorJson[];
    };
    const [overSse] = sseNextPayloads((await postGraphql({ query }, "text/event-stream")).text);
    const client = graphqlWsClient(app.url);
    const [overWs] = await collect(client.iterate({ query }));
    await client.dispose();
    const extensions = [overHttp.errors[0], overSse?.errors?.[0], overWs?.errors?.[0]].map(
      (error) => error?.extensions,
    );
    for (const each of extensions)
      expect(each).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: expect.any(String) });
  });

  it("in a subscription's stream, has the same extensions over SSE and graphql-ws", async () => {
    vi.spyOn(app.resolvers, "streamChatCompletion").mockImplementation(async function* () {
      yield* [];
      throw new Error("secret internal detail");
    });
    const query = subscription('{ messages: [{ role: USER, content: "hi" }], maxTokens: 2 }');
    const overSse = sseNextPayloads((await postGraphql({ query }, "text/event-stream")).text);
    const client = graphqlWsClient(app.url);
    const overWs = await collect(client.iterate({ query }));
    await client.dispose();
    const sseError = overSse.find((payload) => payload.errors)?.errors?.[0];
    const wsError = overWs.find((payload) => payload.errors)?.errors?.[0];
    for (const each of [sseError, wsError])
      expect(each?.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: expect.any(String) });
  });
});

describe("with API keys, tRPC", () => {
  it("refuses an unknown procedure without a key with 401 UNAUTHORIZED, before routing", async () => {
    for (const path of ["/trpc/nope.unknown", "/trpc/nope", "/trpc/models.list,nope"]) {
      const response = await fetch(`${keyed.url}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toMatchObject({ error: { data: { code: "UNAUTHORIZED" } } });
    }
  });

  it("answers an unknown procedure with a key with 404 NOT_FOUND", async () => {
    const response = await fetch(`${keyed.url}/trpc/nope.unknown`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { data: { code: "NOT_FOUND" } } });
  });
});
