// tRPC subscriptions over SSE are written by src/api/trpc/sseSubscriptions.ts, not by tRPC's
// handler: the two answer every case with the same status, headers and bytes (the same streams,
// the same error events, the same log lines); a client that leaves aborts the generation; and the
// keep-alive ping goes out when, and only when, a stream has been idle for the ping interval.
// Resolvers scripted by the request's text stand in for the real ones, so no model is needed.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { initTRPC, tracked } from "@trpc/server";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpServer } from "../../src/api/http.js";
import { createTrpcMount } from "../../src/api/trpc/index.js";
import { serveSseSubscription } from "../../src/api/trpc/sseSubscriptions.js";
import { InternalError, OverloadedError } from "../../src/errors.js";
import {
  type ChatCompletionEvent,
  chatCompletionInputSchema,
  type Resolvers,
} from "../../src/resolvers/index.js";
import { parseInput } from "../../src/resolvers/parseInput.js";

const logLines: string[] = [];
const logger = pino(
  { level: "error" },
  new Writable({
    write(chunk, _encoding, done) {
      // Less what differs by where it ran: the time, the process, the stack.
      logLines.push(
        String(chunk)
          .replace(/"time":\d+,/, "")
          .replace(/"pid":\d+,/, "")
          .replace(/"stack":"(?:[^"\\]|\\.)*",?/g, ""),
      );
      done();
    },
  }),
);
/** Whether the last stream's signal was aborted when its generator ended. */
let lastAborted: Promise<boolean> = Promise.resolve(false);

/** Streams `maxTokens` deltas; the message's text picks a failure before or during the stream. */
function scriptedChat(input: unknown, call?: { signal?: AbortSignal }): AsyncGenerator<ChatCompletionEvent> {
  const parsed = parseInput(chatCompletionInputSchema, input);
  const text = String(parsed.messages[0]?.content ?? "");
  if (text === "overloaded before") throw new OverloadedError(3);
  let ended: (aborted: boolean) => void = () => undefined;
  lastAborted = new Promise((resolve) => {
    ended = resolve;
  });
  return (async function* () {
    try {
      const id = "chatcmpl-wire";
      yield {
        type: "started",
        id,
        model: "m",
        created: 1,
        promptTokens: 1,
        cachedPromptTokens: 0,
        choiceCount: 1,
      };
      for (let index = 0; index < (parsed.maxTokens ?? 4); index++) {
        if (text === "slow") await new Promise((resolve) => setTimeout(resolve, 20));
        if (call?.signal?.aborted) return;
        if (index === 1 && text === "internal during") throw new InternalError(new Error("secret detail"));
        if (index === 1 && text === "bug during") throw new TypeError("undefined is not a function");
        if (index === 1 && text === "overloaded during") throw new OverloadedError(5);
        yield { type: "contentDelta", id, choiceIndex: 0, content: ` t${index} "\n` };
      }
    } finally {
      ended(call?.signal?.aborted ?? false);
    }
  })();
}

const resolvers = { streamChatCompletion: scriptedChat } as unknown as Resolvers;
const servers: ReturnType<typeof createHttpServer>[] = [];
let nativeUrl: string;
let trpcUrl: string;

async function listen(server: ReturnType<typeof createHttpServer>): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
}

beforeAll(async () => {
  nativeUrl = await listen(createHttpServer([createTrpcMount(resolvers, logger)], logger));
  trpcUrl = await listen(
    createHttpServer([createTrpcMount(resolvers, logger, { nativeSse: false })], logger),
  );
});

afterAll(async () => {
  await Promise.all(
    servers.map((server) => {
      const closed = new Promise((resolve) => server.close(resolve));
      // The aborted stream's keep-alive connection would otherwise hold close() for ~4 s.
      server.closeAllConnections();
      return closed;
    }),
  );
});

const chatPath = (input: unknown) => `/chat.stream?input=${encodeURIComponent(JSON.stringify(input))}`;
const ask = (content: string, maxTokens = 4) =>
  chatPath({ messages: [{ role: "user", content }], maxTokens });

/** Status, headers (less the date and the request id) and body, as the client receives them. */
async function answer(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; headers: string[]; body: string }> {
  const response = await fetch(url, init);
  const headers = [...response.headers]
    .filter(([name]) => name !== "date" && name !== "x-request-id")
    .map(([name, value]) => `${name}: ${value}`);
  return { status: response.status, headers, body: await response.text() };
}

describe("an SSE subscription answers as tRPC's own handler does", () => {
  it.each([
    ["a whole stream", ask("hi")],
    ["a long stream", ask("hi", 300)],
    ["input the schema refuses", chatPath({ messages: [], maxTokens: -1 })],
    ["no input", "/chat.stream"],
    ["input that is not JSON", "/chat.stream?input=%7Bnope"],
    ["a domain error before the stream", ask("overloaded before")],
    ["a domain error during the stream", ask("overloaded during")],
    ["an internal error during the stream (masked)", ask("internal during")],
    ["a bug during the stream (masked)", ask("bug during")],
    ["an unknown procedure", "/chat.nope"],
    ["a mutation asked for with GET", "/chat.create"],
    ["a batch", `/chat.stream?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { messages: [] } }))}`],
  ])("%s", async (_name, path) => {
    for (const accept of ["text/event-stream", undefined]) {
      const init = accept ? { headers: { accept } } : undefined;
      logLines.length = 0;
      const native = await answer(nativeUrl + path, init);
      const nativeLog = [...logLines];
      logLines.length = 0;
      const theirs = await answer(trpcUrl + path, init);
      expect(native).toEqual(theirs);
      expect(nativeLog).toEqual(logLines);
    }
  });

  it("the stream's messages are tRPC's: connected, data, return", async () => {
    const { body, headers } = await answer(nativeUrl + ask("hi", 1));
    expect(headers).toContain("content-type: text/event-stream");
    expect(body).toBe(
      'event: connected\ndata: {}\n\n\ndata: {"type":"started","id":"chatcmpl-wire","model":"m","created":1,"promptTokens":1,"cachedPromptTokens":0,"choiceCount":1}\n\n\n' +
        'data: {"type":"contentDelta","id":"chatcmpl-wire","choiceIndex":0,"content":" t0 \\"\\n"}\n\n\n' +
        "event: return\ndata: \n\n\n",
    );
  });
});

it("a client that leaves mid-stream aborts the generation", async () => {
  const controller = new AbortController();
  const response = await fetch(nativeUrl + ask("slow", 1000), { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let received = "";
  while (!received.includes("t2")) received += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  expect(await lastAborted).toBe(true);
});

describe("keep-alive pings", () => {
  const t = initTRPC.create({ sse: { ping: { enabled: true, intervalMs: 100 } } });
  const router = t.router({
    ticks: t.procedure
      .input(z.object({ gapMs: z.number(), count: z.number() }))
      .subscription(async function* ({ input }) {
        for (let index = 0; index < input.count; index++) {
          await new Promise((resolve) => setTimeout(resolve, input.gapMs));
          yield index;
        }
      }),
  });
  let url: string;
  const server = createServer((req: IncomingMessage, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.slice(1);
    void serveSseSubscription(
      { router, createContext: () => ({}), onError: () => undefined },
      req,
      res,
      path,
    );
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  const body = async (gapMs: number, count: number) =>
    (await fetch(`${url}/ticks?input=${encodeURIComponent(JSON.stringify({ gapMs, count }))}`)).text();

  it("go out, as tRPC writes them, while the stream is idle", async () => {
    const text = await body(300, 2);
    expect(text.startsWith("event: connected\ndata: {}\n\n\nevent: ping\ndata: \n\n\n")).toBe(true);
    // 300 ms between events, a ping after every 100 ms of silence: up to three in each gap (fewer
    // when the machine is slow to run the timers).
    const pings = text.split("event: ping\ndata: \n\n\n").length - 1;
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(pings).toBeLessThanOrEqual(6);
    expect(text.endsWith("data: 1\n\n\nevent: return\ndata: \n\n\n")).toBe(true);
  });

  it("never while events come faster than the interval", async () => {
    const text = await body(2, 40);
    expect(text).not.toContain("event: ping");
  });
});

it("tracked events carry their ids, and an untracked one after them restores the last, as tRPC writes them", async () => {
  const t = initTRPC.create();
  const router = t.router({
    mixed: t.procedure.subscription(async function* () {
      yield tracked("a", 1);
      yield 2;
      yield tracked("b", { three: 3 });
    }),
  });
  const ours = createServer((req, res) => {
    void serveSseSubscription(
      { router, createContext: () => ({}), onError: () => undefined },
      req,
      res,
      "mixed",
    );
  });
  const theirs = createServer((req, res) => {
    void nodeHTTPRequestHandler({ router, req, res, path: "mixed", createContext: () => ({}) });
  });
  const bodies: string[] = [];
  for (const server of [ours, theirs]) {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    bodies.push(await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text());
    await new Promise((resolve) => server.close(resolve));
  }
  expect(bodies[0]).toContain("id: a\n");
  expect(bodies[0]).toContain("event: restore-id\n");
  expect(bodies[0]).toBe(bodies[1]);
});
