// Each generation's log line names the client request that asked for it, on every transport.
import { Writable } from "node:stream";
import { createClient } from "graphql-ws";
import { pino } from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { WebSocket } from "ws";
import type { RunningInferql } from "../../src/app.js";
import { eventually } from "../support/collect.js";
import { startTestServer } from "../support/startTestServer.js";

interface LogLine {
  msg: string;
  requestId?: string;
  transport?: string;
  finishReason?: string;
}

const lines: LogLine[] = [];
let app: RunningInferql;
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  app = await startTestServer({ logger: pino({ level: "info" }, sink) });
});
afterAll(async () => app?.close());

async function generationLine(requestId: string): Promise<LogLine | undefined> {
  const find = () => lines.find((line) => line.msg === "generation" && line.requestId === requestId);
  await eventually(() => find() !== undefined);
  return find();
}

const post = (path: string, requestId: string, body: unknown) =>
  fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify(body),
  });

const messages = [{ role: "user", content: "hi" }];
const CHAT_MUTATION = `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { finishReason } }`;

test("OpenAI REST", async () => {
  const response = await post("/v1/chat/completions", "log-openai", { messages, max_tokens: 4 });
  expect(response.status).toBe(200);
  expect(await generationLine("log-openai")).toMatchObject({ transport: "openai", finishReason: "length" });
});

test("GraphQL over HTTP", async () => {
  const response = await post("/graphql", "log-graphql", {
    query: CHAT_MUTATION,
    variables: { input: { messages: [{ role: "USER", content: "hi" }], maxTokens: 4 } },
  });
  expect(response.status).toBe(200);
  expect(await generationLine("log-graphql")).toMatchObject({ transport: "graphql", finishReason: "length" });
});

test("GraphQL over WebSocket: the id of the socket's upgrade request", async () => {
  const client = createClient({
    url: `${app.url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { "x-request-id": "log-graphql-ws" } });
      }
    },
  });
  try {
    const result = await new Promise((resolve, reject) =>
      client.subscribe(
        {
          query: CHAT_MUTATION,
          variables: { input: { messages: [{ role: "USER", content: "hi" }], maxTokens: 4 } },
        },
        { next: resolve, error: reject, complete: () => undefined },
      ),
    );
    expect(result).toMatchObject({ data: { createChatCompletion: { finishReason: "LENGTH" } } });
  } finally {
    await client.dispose();
  }
  expect(await generationLine("log-graphql-ws")).toMatchObject({ transport: "graphql" });
});

test("tRPC over HTTP", async () => {
  const response = await post("/trpc/chat.create", "log-trpc", { messages, maxTokens: 4 });
  expect(response.status).toBe(200);
  expect(await generationLine("log-trpc")).toMatchObject({ transport: "trpc", finishReason: "length" });
});
