// What clients see when things go wrong. Generated malformed input (fast-check) on every
// transport (REST bodies, GraphQL documents and variables over HTTP and graphql-ws, tRPC inputs) is
// answered as the client's error (4xx, or GraphQL errors of a client code), never a 5xx; a failure
// inside the server is answered as each transport's generic internal error. No answer carries a stack
// trace, a file path or an internal message, and the server is healthy afterwards.

import http from "node:http";
import { createTRPCClient, createWSClient, TRPCClientError, wsLink } from "@trpc/client";
import fc from "fast-check";
import {
  coerceInputValue,
  type GraphQLError,
  type GraphQLInputType,
  GraphQLNonNull,
  parse,
  validate,
} from "graphql";
import { createClient as createWsClient } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import type { z } from "zod";
import { schema } from "../../src/api/graphql/schema.js";
import type { AppRouter } from "../../src/api/trpc/index.js";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import {
  chatRequestSchema as ollamaChatRequestSchema,
  embedRequestSchema as ollamaEmbedRequestSchema,
  generateRequestSchema as ollamaGenerateRequestSchema,
  showRequestSchema as ollamaShowRequestSchema,
} from "../../src/compat/ollama/protocol.js";
import { chatCompletionRequestSchema } from "../../src/compat/openai/chat/protocol.js";
import { completionRequestSchema } from "../../src/compat/openai/completions/protocol.js";
import { embeddingsRequestSchema } from "../../src/compat/openai/embeddings/protocol.js";
import { llamaCompletionRequestSchema } from "../../src/compat/openai/llamaCompletion/protocol.js";
import { detokenizeRequestSchema, tokenizeRequestSchema } from "../../src/compat/openai/tokenize/protocol.js";
import {
  type ChatCompletionEvent,
  chatCompletionInputSchema,
  completionInputSchema,
  detokenizeInputSchema,
  embeddingsInputSchema,
  tokenizeInputSchema,
} from "../../src/resolvers/index.js";
import { collect, graphqlWsClient, wsUrl } from "../support/graphqlClients.js";
import { startTestServer } from "../support/startTestServer.js";
import { openStream, STREAM_TRANSPORTS } from "../support/streamClients.js";

/** What must never reach a client: stack frames, source paths, module paths. */
const LEAK = /\n\s+at\s|node_modules|\/work\/|file:\/\/|\.(?:ts|js|mjs|cjs):\d+:\d+/;
/** GraphQL error codes that name the client's mistake (coercion errors carry none and come with a 400). */
const CLIENT_CODES = new Set([
  "BAD_REQUEST",
  "BAD_USER_INPUT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "QUERY_TOO_DEEP",
  "TOO_MANY_ROOT_FIELDS",
  "MODEL_NOT_FOUND",
]);

let app: RunningInferql;
let answered = 0;
beforeAll(async () => {
  // A request that slipped through as valid would still be cheap.
  app = await startTestServer({ flags: ["--max-tokens-limit", "4"] });
});
afterAll(async () => {
  agent.destroy();
  await app?.close();
  console.info(`malformed inputs answered: ${answered}`);
});

interface Answer {
  status: number;
  text: string;
}

interface SendOptions {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

// node:http with kept-alive connections, not fetch: the fuzz sends over a thousand requests, and
// fetch costs ~1.5 ms of CPU each where this costs a fraction. The bytes on the wire are the same.
const agent = new http.Agent({ keepAlive: true });

function send(path: string, { method = "GET", headers = {}, body }: SendOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${app.url}${path}`, { method, headers, agent }, (response) => {
      response.setEncoding("utf8");
      let text = "";
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => {
        answered++;
        resolve({ status: response.statusCode ?? 0, text });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

const postRaw = (path: string, body: string, accept = "application/json") =>
  send(path, { method: "POST", headers: { "content-type": "application/json", accept }, body });

function expectClientError({ status, text }: Answer, context: unknown): void {
  if (status < 400 || status >= 500)
    throw new Error(`status ${status} for ${JSON.stringify(context)}: ${text}`);
  if (LEAK.test(text)) throw new Error(`leak in ${text}`);
}

function expectGraphqlClientError({ status, text }: Answer, context: unknown): void {
  if (LEAK.test(text)) throw new Error(`leak in ${text}`);
  if (status >= 500) throw new Error(`status ${status} for ${JSON.stringify(context)}: ${text}`);
  const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
  if (!body.errors?.length) throw new Error(`no errors for ${JSON.stringify(context)}: ${text}`);
  for (const error of body.errors) {
    const code = error.extensions?.code;
    if (code === undefined ? status !== 400 : !CLIENT_CODES.has(code))
      throw new Error(`error code ${code} (status ${status}) for ${JSON.stringify(context)}: ${text}`);
  }
}

/** JSON objects that the given schema rejects: known fields with values of any type, and stray fields. */
function invalidObjects(fields: string[], reject: z.ZodType): fc.Arbitrary<Record<string, unknown>> {
  const known = Object.fromEntries(fields.map((field) => [field, fc.jsonValue({ maxDepth: 2 })]));
  return fc
    .tuple(
      fc.record(known, { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    )
    .map(([values, stray]) => ({ ...stray, ...values }))
    .filter((value) => !reject.safeParse(value).success);
}

/** Text that is not a JSON object. */
const notJsonObject = fc
  .oneof(
    fc.string({ maxLength: 60 }),
    fc.jsonValue().map((value) => JSON.stringify(value)),
  )
  .filter((text) => {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value !== "object" || value === null || Array.isArray(value);
    } catch {
      return true;
    }
  });

/** A `variables` or `extensions` query parameter that is neither absent, null nor a JSON object. */
const notJsonParameter = notJsonObject.filter((text) => text !== "" && text.trim() !== "null");

describe("REST bodies (OpenAI, llama-server, Ollama)", () => {
  const endpoints = [
    {
      path: "/v1/chat/completions",
      fields: ["messages", "max_tokens", "temperature", "stream", "tools"],
      schema: chatCompletionRequestSchema,
    },
    {
      path: "/v1/completions",
      fields: ["prompt", "max_tokens", "logprobs", "stop", "stream"],
      schema: completionRequestSchema,
    },
    {
      path: "/completion",
      fields: ["prompt", "n_predict", "stop", "stream"],
      schema: llamaCompletionRequestSchema,
    },
    { path: "/v1/embeddings", fields: ["input", "model"], schema: embeddingsRequestSchema },
    { path: "/tokenize", fields: ["content", "with_pieces"], schema: tokenizeRequestSchema },
    { path: "/detokenize", fields: ["tokens"], schema: detokenizeRequestSchema },
    {
      path: "/api/chat",
      fields: ["model", "messages", "options", "format", "think", "stream", "tools"],
      schema: ollamaChatRequestSchema,
    },
    {
      path: "/api/generate",
      fields: ["model", "prompt", "suffix", "raw", "options", "format", "stream"],
      schema: ollamaGenerateRequestSchema,
    },
    { path: "/api/embed", fields: ["model", "input", "dimensions"], schema: ollamaEmbedRequestSchema },
    { path: "/api/show", fields: ["model", "name"], schema: ollamaShowRequestSchema },
  ];

  it("bodies that are not JSON objects: 400 on every endpoint, an error object in the API's shape", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), notJsonObject, async ({ path }, body) => {
        const answer = await postRaw(path, body);
        expectClientError(answer, { path, body });
        // OpenAI's {"error": {message, type…}} and Ollama's {"error": "<message>"}.
        expect(Object.keys(JSON.parse(answer.text))).toEqual(["error"]);
      }),
      { numRuns: 100 },
    );
  });

  it.each(endpoints)(
    "$path: objects its protocol rejects are 4xx",
    async ({ path, fields, schema: wire }) => {
      await fc.assert(
        fc.asyncProperty(invalidObjects(fields, wire), async (body) => {
          expectClientError(await postRaw(path, JSON.stringify(body)), { path, body });
        }),
        { numRuns: 50 },
      );
    },
  );
});

describe("GraphQL documents and variables", () => {
  const VALID_DOCUMENTS = [
    "{ models { id contextSize } health { status } }",
    "query($id: ID!) { model(id: $id) { id } }",
    "mutation($input: CompletionInput!) { createCompletion(input: $input) { text finishReason } }",
    "subscription($input: ChatCompletionInput!) { chatCompletion(input: $input) { __typename } }",
  ];
  const isValidDocument = (source: string) => {
    try {
      return validate(schema, parse(source)).length === 0;
    } catch {
      return false;
    }
  };
  /** Random text, and valid documents with a random piece cut out or put in. */
  const invalidDocuments = fc
    .oneof(
      fc.string({ maxLength: 80 }),
      fc
        .tuple(
          fc.constantFrom(...VALID_DOCUMENTS),
          fc.nat(),
          fc.nat({ max: 12 }),
          fc.string({ maxLength: 6 }),
        )
        .map(([source, at, cut, insert]) => {
          const index = at % (source.length + 1);
          return source.slice(0, index) + insert + source.slice(index + cut);
        }),
    )
    .filter((source) => !isValidDocument(source));

  const completionInputType = new GraphQLNonNull(schema.getType("CompletionInput") as GraphQLInputType);
  const coerces = (value: unknown) => {
    let valid = true;
    coerceInputValue(value, completionInputType, () => {
      valid = false;
    });
    return valid;
  };
  const invalidVariables = fc.jsonValue({ maxDepth: 3 }).filter((value) => !coerces(value));

  it("documents that do not parse or validate, over HTTP", async () => {
    await fc.assert(
      fc.asyncProperty(
        invalidDocuments,
        fc.constantFrom("application/json", "application/graphql-response+json"),
        async (query, accept) => {
          expectGraphqlClientError(await postRaw("/graphql", JSON.stringify({ query }), accept), { query });
        },
      ),
      { numRuns: 150 },
    );
  });

  it("variables that do not fit their types, and malformed request parameters, over HTTP", async () => {
    const query = VALID_DOCUMENTS[2];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          invalidVariables.map((input) => JSON.stringify({ query, variables: { input } })),
          fc
            .jsonValue()
            .map((variables) => JSON.stringify({ query, variables }))
            .filter((body) => !body.includes('"variables":{')),
          notJsonObject,
        ),
        async (body) => {
          expectGraphqlClientError(await postRaw("/graphql", body, "application/graphql-response+json"), {
            body,
          });
        },
      ),
      { numRuns: 120 },
    );
  });

  it("GET requests with malformed parameters", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ query: invalidDocuments }),
          fc.record({ query: fc.constant(VALID_DOCUMENTS[0]), variables: notJsonParameter }),
          fc.record({ query: fc.constant(VALID_DOCUMENTS[0]), extensions: notJsonParameter }),
        ),
        async (params) => {
          const search = new URLSearchParams(params).toString();
          const answer = await send(`/graphql?${search}`, {
            headers: { accept: "application/graphql-response+json" },
          });
          expectGraphqlClientError(answer, params);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("documents that do not parse or validate, over graphql-ws: an error each, the socket stays open", async () => {
    const client = createWsClient({ url: wsUrl(app.url), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      await fc.assert(
        fc.asyncProperty(invalidDocuments, async (query) => {
          const errors = await collect(client.iterate({ query })).then(
            () => {
              throw new Error(`no error for ${JSON.stringify(query)}`);
            },
            (error: unknown) => error,
          );
          answered++;
          if (!Array.isArray(errors))
            throw new Error(`socket failed for ${JSON.stringify(query)}: ${String(errors)}`);
          const text = JSON.stringify(errors);
          if (LEAK.test(text)) throw new Error(`leak in ${text}`);
          for (const error of errors as GraphQLError[])
            if (error.extensions?.code !== undefined && !CLIENT_CODES.has(String(error.extensions.code)))
              throw new Error(`code ${String(error.extensions.code)} for ${JSON.stringify(query)}`);
        }),
        { numRuns: 80 },
      );
    } finally {
      await client.dispose();
    }
  });
});

describe("tRPC inputs", () => {
  const procedures = [
    {
      path: "chat.create",
      type: "mutation",
      schema: chatCompletionInputSchema,
      fields: ["messages", "maxTokens", "tools", "toolChoice"],
    },
    {
      path: "completion.create",
      type: "mutation",
      schema: completionInputSchema,
      fields: ["prompt", "maxTokens", "grammar", "jsonSchema"],
    },
    {
      path: "embeddings.create",
      type: "mutation",
      schema: embeddingsInputSchema,
      fields: ["input", "model"],
    },
    {
      path: "tokenizer.tokenize",
      type: "query",
      schema: tokenizeInputSchema,
      fields: ["text", "withSpecialTokens"],
    },
    { path: "tokenizer.detokenize", type: "query", schema: detokenizeInputSchema, fields: ["tokens"] },
  ] as const;

  const call = (path: string, type: "query" | "mutation", input: string) =>
    type === "query"
      ? send(`/trpc/${path}?input=${encodeURIComponent(input)}`)
      : send(`/trpc/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: input,
        });

  function expectTrpcClientError(answer: Answer, context: unknown): void {
    expectClientError(answer, context);
    const code = (JSON.parse(answer.text) as { error?: { data?: { code?: string } } }).error?.data?.code;
    if (code === undefined || code === "INTERNAL_SERVER_ERROR")
      throw new Error(`code ${code} for ${JSON.stringify(context)}: ${answer.text}`);
  }

  it.each(procedures)(
    "$path: inputs its schema rejects are 4xx",
    async ({ path, type, schema: input, fields }) => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            invalidObjects([...fields], input),
            fc.jsonValue().filter((value) => !input.safeParse(value).success),
          ),
          async (value) => {
            expectTrpcClientError(await call(path, type, JSON.stringify(value)), { path, value });
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it("input that is not JSON, on queries and mutations", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...procedures),
        fc.string({ maxLength: 40 }).filter((text) => {
          try {
            JSON.parse(text);
            return false;
          } catch {
            return true;
          }
        }),
        async ({ path, type }, text) => {
          expectTrpcClientError(await call(path, type, text), { path, text });
        },
      ),
      { numRuns: 50 },
    );
  });
});

/** What a bug's error might carry: none of it may reach a client. */
const SECRET = "secret detail at /work/main/src/secret.ts:12:3 in node_modules/x";
const SECRET_LEAK = /secret|\/work\/|node_modules|\.ts:\d+|\n\s+at\s/;

const failure = () => {
  const error = new Error(SECRET);
  error.stack = `Error: ${SECRET}\n    at handler (/work/main/src/secret.ts:12:3)`;
  return error;
};

describe("an operation that fails inside the server", () => {
  afterEach(() => vi.restoreAllMocks());

  it("OpenAI REST: 500 server_error, 'Internal server error'", async () => {
    vi.spyOn(app.resolvers, "listModels").mockImplementation(() => {
      throw failure();
    });
    const response = await fetch(`${app.url}/v1/models`);
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toEqual({
      error: { message: "Internal server error", type: "server_error", param: null, code: "internal_error" },
    });
  });

  it("GraphQL over HTTP and graphql-ws: masked with the request id only", async () => {
    vi.spyOn(app.resolvers, "listModels").mockImplementation(() => {
      throw failure();
    });
    const response = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ models { id } }" }),
    });
    const text = await response.text();
    expect(text).not.toMatch(SECRET_LEAK);
    expect(JSON.parse(text)).toMatchObject({
      errors: [{ message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } }],
    });
    const client = graphqlWsClient(app.url);
    const results = await collect(client.iterate({ query: "{ models { id } }" }));
    await client.dispose();
    expect(JSON.stringify(results)).not.toMatch(SECRET_LEAK);
    expect(results[0].errors?.[0]).toMatchObject({ message: "Unexpected error." });
  });

  it("tRPC over HTTP and WebSocket: INTERNAL_SERVER_ERROR, 'Internal server error'", async () => {
    vi.spyOn(app.resolvers, "listModels").mockImplementation(() => {
      throw failure();
    });
    const wsClient = createWSClient({
      url: `${app.url.replace(/^http/, "ws")}/trpc`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    const clients = [
      createInferqlClient(app.url),
      createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] }),
    ];
    for (const client of clients) {
      const error = await client.models.list.query().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TRPCClientError);
      const { message, data } = error as TRPCClientError<AppRouter>;
      expect(message).toBe("Internal server error");
      expect(JSON.stringify(data)).not.toMatch(SECRET_LEAK);
      expect(data?.code).toBe("INTERNAL_SERVER_ERROR");
    }
    await wsClient.close();
  });
});

describe("a stream that fails inside the server after it started", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(STREAM_TRANSPORTS)("%s: ends with an error that says nothing of the failure", async (transport) => {
    vi.spyOn(app.resolvers, "streamChatCompletion").mockImplementation(async function* () {
      const id = "chatcmpl-failing";
      yield {
        type: "started",
        id,
        model: "tiny",
        created: 0,
        promptTokens: 1,
        cachedPromptTokens: 0,
        choiceCount: 1,
      } satisfies ChatCompletionEvent;
      yield { type: "contentDelta", id, choiceIndex: 0, content: "partial" } satisfies ChatCompletionEvent;
      throw failure();
    });
    const stream = openStream(transport, app.url, { content: "hi", maxTokens: 8 });
    const outcome = await stream.outcome;
    expect(outcome.contentEvents).toBe(1);
    // OpenAI streams carry the error as a chunk; GraphQL and tRPC as their masked internal error.
    expect(outcome.error).toBe(transport === "openai-sse" ? "internal_error" : "INTERNAL_SERVER_ERROR");
    expect(outcome.transcript).toContain("partial");
    expect(outcome.transcript).not.toMatch(SECRET_LEAK);
  });
});

describe("afterwards", () => {
  it("the server is healthy, idle, and serves a real request", async () => {
    expect(answered).toBeGreaterThanOrEqual(1000);
    expect((await send("/health")).status).toBe(200);
    expect(app.scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
    const answer = await postRaw("/v1/completions", JSON.stringify({ prompt: "hello", max_tokens: 4 }));
    expect(answer.status).toBe(200);
  });
});
