// Request limits, the same on every transport: body size (413, declared or chunked), message count
// and max tokens (400 naming the field), WebSocket message size (closed with 1009), and CORS.
import { request as httpRequest } from "node:http";
import { TRPCClientError } from "@trpc/client";
import { createClient as createWsClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { collect, wsUrl } from "../support/graphqlClients.js";
import { postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

const MAX_TOKENS = 5;
const MAX_MESSAGES = 3;
const ALLOWED_ORIGIN = "https://app.example.com";
const OVER_BODY_LIMIT = "x".repeat(4 * 1024 * 1024 + 16);

let app: RunningInferql;
beforeAll(async () => {
  app = await startTestServer({
    flags: [
      "--max-tokens-limit",
      String(MAX_TOKENS),
      "--max-messages",
      String(MAX_MESSAGES),
      "--cors-origin",
      ALLOWED_ORIGIN,
    ],
  });
});
afterAll(async () => app?.close());

const messages = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ role: "user" as const, content: `message ${index}` }));

/** POSTs a body in chunks with no Content-Length (Transfer-Encoding: chunked). */
function postChunked(pathname: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${app.url}${pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
    });
    request.on("response", (response) => {
      let text = "";
      response.on("data", (chunk) => {
        text += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on("error", reject);
    for (let offset = 0; offset < body.length; offset += 256 * 1024)
      request.write(body.slice(offset, offset + 256 * 1024));
    request.end();
  });
}

async function trpcCode(promise: Promise<unknown>): Promise<{ code?: string; field?: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error.data as { code?: string; field?: string };
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("request body size", () => {
  const bodies = {
    openai: { path: "/v1/completions", body: JSON.stringify({ prompt: OVER_BODY_LIMIT }) },
    graphql: {
      path: "/graphql",
      body: JSON.stringify({ query: "{ models { id } }", variables: { pad: OVER_BODY_LIMIT } }),
    },
    trpc: {
      path: "/trpc/chat.create",
      body: JSON.stringify({ messages: [{ role: "user", content: OVER_BODY_LIMIT }] }),
    },
  };

  it.each(Object.entries(bodies))(
    "%s: 413 for a declared body over 4 MiB, in the transport's shape",
    async (_name, { path, body }) => {
      const response = await postJson(`${app.url}${path}`, body, {
        headers: { "content-type": "application/json", accept: "application/json" },
      });
      expect(response.status).toBe(413);
      expect(JSON.stringify(response.body)).toMatch(/request_too_large|PAYLOAD_TOO_LARGE/);
    },
  );

  it.each(Object.entries(bodies))("%s: 413 for a chunked body over 4 MiB", async (_name, { path, body }) => {
    const response = await postChunked(path, body);
    expect(response.status).toBe(413);
    expect(response.text).toMatch(/request_too_large|PAYLOAD_TOO_LARGE/);
  });
});

describe("max tokens ceiling", () => {
  it("OpenAI: asking for more than --max-tokens-limit is a 400 naming max_tokens", async () => {
    const response = await postJson(`${app.url}/v1/chat/completions`, {
      messages: messages(1),
      max_tokens: 6,
    });
    expect(response).toMatchObject({
      status: 400,
      body: { error: { param: "max_tokens", type: "invalid_request_error" } },
    });
    const renamed = await postJson(`${app.url}/v1/chat/completions`, {
      messages: messages(1),
      max_completion_tokens: 600,
    });
    expect(renamed).toMatchObject({ status: 400, body: { error: { param: "max_completion_tokens" } } });
  });

  it("Anthropic Messages: a 400 invalid_request_error naming max_tokens", async () => {
    const tooMany = await postJson(`${app.url}/v1/messages`, {
      model: "tiny",
      max_tokens: 6,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(tooMany).toMatchObject({
      status: 400,
      body: { type: "error", error: { type: "invalid_request_error" } },
    });
    expect((tooMany.body as { error: { message: string } }).error.message).toMatch(
      /^Invalid 'max_tokens': 6 /,
    );
  });

  it("GraphQL and tRPC name maxTokens", async () => {
    const graphql = await postJson(`${app.url}/graphql`, {
      query: "mutation($input: CompletionInput!) { createCompletion(input: $input) { text } }",
      variables: { input: { prompt: "hi", maxTokens: 6 } },
    });
    expect(graphql.body).toMatchObject({
      errors: [{ extensions: { code: "BAD_USER_INPUT", field: "maxTokens" } }],
    });
    const client = createInferqlClient(app.url);
    expect(await trpcCode(client.completion.create.mutate({ prompt: "hi", maxTokens: 6 }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "maxTokens",
    });
  });

  it("a request that names no max gets at most the ceiling", async () => {
    const response = await postJson(`${app.url}/v1/chat/completions`, { messages: messages(1) });
    expect(response).toMatchObject({
      status: 200,
      body: { choices: [{ finish_reason: "length" }], usage: { completion_tokens: MAX_TOKENS } },
    });
    const completion = await createInferqlClient(app.url).completion.create.mutate({ prompt: "hi" });
    expect(completion.usage.completionTokens).toBe(MAX_TOKENS);
  });
});

describe("message count", () => {
  it("more than --max-messages is a 400 naming messages, on every transport", async () => {
    const openai = await postJson(`${app.url}/v1/chat/completions`, { messages: messages(MAX_MESSAGES + 1) });
    expect(openai).toMatchObject({ status: 400, body: { error: { param: "messages" } } });
    const client = createInferqlClient(app.url);
    expect(await trpcCode(client.chat.create.mutate({ messages: messages(MAX_MESSAGES + 1) }))).toMatchObject(
      {
        code: "BAD_REQUEST",
        field: "messages",
      },
    );
    const graphql = await postJson(`${app.url}/graphql`, {
      query: "mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { content } }",
      variables: {
        input: { messages: messages(MAX_MESSAGES + 1).map((message) => ({ ...message, role: "USER" })) },
      },
    });
    expect(graphql.body).toMatchObject({
      errors: [{ extensions: { code: "BAD_USER_INPUT", field: "messages" } }],
    });
    expect(
      (await postJson(`${app.url}/v1/chat/completions`, { messages: messages(MAX_MESSAGES), max_tokens: 1 }))
        .status,
    ).toBe(200);
  });
});

describe("WebSocket message size", () => {
  const huge = "x".repeat(1024 * 1024 + 16);

  it("graphql-ws: a message over 1 MiB closes the socket with 1009", async () => {
    const client = createWsClient({ url: wsUrl(app.url), webSocketImpl: WebSocket, retryAttempts: 0 });
    const outcome = await collect(
      client.iterate({ query: "{ models { id } }", variables: { pad: huge } }),
    ).then(
      () => "answered",
      (error: { code?: number }) => error.code,
    );
    expect(outcome).toBe(1009);
    await client.dispose();
  });

  it("tRPC ws: a message over 1 MiB closes the socket with 1009", async () => {
    const socket = new WebSocket(`${app.url.replace(/^http/, "ws")}/trpc`);
    const code = await new Promise<number>((resolve) => {
      socket.on("open", () =>
        socket.send(JSON.stringify({ id: 1, method: "query", params: { path: "health", input: huge } })),
      );
      socket.on("close", (closeCode) => resolve(closeCode));
    });
    expect(code).toBe(1009);
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });

  it("answers a preflight from an allowed origin with the methods and headers it may use", async () => {
    const response = await preflight(ALLOWED_ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
  });

  it("refuses a preflight from any other origin", async () => {
    const response = await preflight("https://evil.example");
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it.each(["/v1/models", "/graphql?query={models{id}}", "/trpc/models.list"])(
    "GET %s: allow-origin only for the allowed origin (yoga's permissive default is off)",
    async (path) => {
      const allowed = await fetch(`${app.url}${path}`, { headers: { origin: ALLOWED_ORIGIN } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
      const other = await fetch(`${app.url}${path}`, { headers: { origin: "https://evil.example" } });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    },
  );

  it("refuses a WebSocket handshake from another site's page", async () => {
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(wsUrl(app.url), "graphql-transport-ws", {
        origin: "https://evil.example",
      });
      socket.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.on("open", () => resolve(101));
      socket.on("error", () => undefined);
    });
    expect(status).toBe(403);
  });
});
