// Subscriptions through the server's yoga, with its per-event fast paths (planned events,
// plannedSubscriptionEvents.ts; its own SSE writer, sseSubscriptionResponses.ts), and through the same
// yoga without them (both plugins swapped for nothing): the SSE bodies and the log lines are the same
// byte for byte, for events the plan projects and for those it leaves to the executor (a null in a
// non-null position, a throwing serializer, a field with its own resolver, the stream's failure,
// masked or not); the plan did project the events it covers; and the SSE writer pings a waiting
// client as yoga does.
import { Writable } from "node:stream";
import { setTimeout } from "node:timers/promises";
import pino from "pino";
import { beforeAll, expect, test, vi } from "vitest";
import type { Resolvers } from "../../src/resolvers/index.js";

type CreateGraphqlYoga = typeof import("../../src/api/graphql/yoga.js").createGraphqlYoga;
type Errors = typeof import("../../src/errors.js");
/** A stream's events, how it ends, and how long it waits before its first event. */
type Stream = { events: unknown[]; failure?: (errors: Errors) => Error; delayMs?: number };

/** A yoga factory and the error classes of the same modules (a domain error is one by `instanceof`). */
interface Server {
  createGraphqlYoga: CreateGraphqlYoga;
  errors: Errors;
}

const usage = { promptTokens: 5, completionTokens: 3, totalTokens: 8, cachedPromptTokens: 2 };
const timings = {
  queueMs: 0,
  promptMs: 1,
  generationMs: 2,
  promptTokensPerSecond: 3,
  generatedTokensPerSecond: 4,
};
const started = {
  type: "started",
  id: "c1",
  model: "tiny",
  created: 1_760_000_000,
  promptTokens: 5,
  cachedPromptTokens: 2,
};
const delta = (content: unknown, choiceIndex: unknown = 0) => ({
  type: "contentDelta",
  id: "c1",
  choiceIndex,
  content,
});
const finished = (finishReason: string) => ({
  type: "finished",
  id: "c1",
  choiceIndex: 0,
  finishReason,
  usage,
  timings,
  content: "ab",
  toolCalls: [],
});

const SUBSCRIPTION = /* GraphQL */ `
  subscription Chat($input: ChatCompletionInput!) {
    chatCompletion(input: $input) {
      __typename
      ... on GenerationStarted { id createdAt }
      ... on ContentDelta { content choiceIndex }
      ... on GenerationFinished { finishReason usage { totalTokens } toolCalls { id } }
    }
  }
`;

/** Each stream's events, then how it ends: normally, with a public domain error, or with an unexpected one. */
const STREAMS: Record<string, Stream> = {
  "planned events and a finish": { events: [started, delta("a"), delta("b"), finished("stop")] },
  "a null in a non-null position, then more": {
    events: [delta("a"), delta(null), delta("c"), finished("length")],
  },
  "throwing serializers (Int, enum)": { events: [delta("a", 1.5), finished("bogus"), delta("z")] },
  "a public error ends the stream": {
    events: [delta("a")],
    failure: (errors) => new errors.ModelNotFoundError("gone"),
  },
  "an unexpected error ends the stream (masked, logged)": {
    events: [delta("a")],
    failure: () => new Error("engine died"),
  },
};

function fakeResolvers(errors: Errors, stream: Stream): Resolvers {
  return {
    async *streamChatCompletion() {
      if (stream.delayMs) await setTimeout(stream.delayMs);
      for (const event of stream.events) yield event;
      if (stream.failure) throw stream.failure(errors);
    },
  } as unknown as Resolvers;
}

/** The server's yoga over `stream`, with a logger whose lines (request ids and times normalized) the test reads. */
function yogaWithLog({ createGraphqlYoga, errors }: Server, stream: Stream) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      const { time: _time, pid: _pid, hostname: _hostname, ...line } = JSON.parse(String(chunk));
      lines.push(normalizeIds(JSON.stringify({ ...line, err: line.err?.message })));
      done();
    },
  });
  return { yoga: createGraphqlYoga(fakeResolvers(errors, stream), pino({ level: "debug" }, sink)), lines };
}

function normalizeIds(text: string): string {
  return text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>");
}

async function sseBody(server: Server, stream: Stream) {
  const { yoga, lines } = yogaWithLog(server, stream);
  const response = await yoga.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({
      query: SUBSCRIPTION,
      variables: { input: { messages: [{ role: "USER", content: "hi" }] } },
    }),
  });
  const body = normalizeIds(await response.text());
  await new Promise((resolve) => setImmediate(resolve));
  return { status: response.status, body, lines };
}

/** Each result's JSON and whether graphql's executor made it (its objects have no prototype). */
async function envelopedResults(server: Server, stream: Stream) {
  const { yoga } = yogaWithLog(server, stream);
  const { schema, subscribe, contextFactory, parse } = yoga.getEnveloped({
    socketSignal: new AbortController().signal,
  });
  const results = await subscribe({
    schema,
    document: parse(SUBSCRIPTION),
    variableValues: { input: { messages: [{ role: "USER", content: "hi" }] } },
    contextValue: await contextFactory(),
  });
  const seen: { json: string; executed: boolean }[] = [];
  for await (const result of results as AsyncIterable<{ data?: object | null }>)
    seen.push({
      json: normalizeIds(JSON.stringify(result)),
      executed: result.data ? Object.getPrototypeOf(result.data) === null : true,
    });
  return seen;
}

/** The server's modules, and the same modules again with the fast paths' plugins swapped for nothing. */
let planned: Server;
let reference: Server;

async function loadServer(): Promise<Server> {
  const { createGraphqlYoga } = await import("../../src/api/graphql/yoga.js");
  return { createGraphqlYoga, errors: await import("../../src/errors.js") };
}

beforeAll(async () => {
  vi.resetModules();
  planned = await loadServer();
  vi.resetModules();
  vi.doMock("../../src/api/graphql/plannedSubscriptionEvents.js", () => ({
    usePlannedSubscriptionEvents: () => ({}),
  }));
  vi.doMock("../../src/api/graphql/sseSubscriptionResponses.js", () => ({
    useSseSubscriptionResponses: () => ({}),
  }));
  reference = await loadServer();
  vi.doUnmock("../../src/api/graphql/plannedSubscriptionEvents.js");
  vi.doUnmock("../../src/api/graphql/sseSubscriptionResponses.js");
});

test.each(Object.entries(STREAMS))(
  "%s: the same SSE body and log lines as without the fast paths",
  async (_name, stream) => {
    const withPlan = await sseBody(planned, stream);
    const withoutPlan = await sseBody(reference, stream);
    expect(withPlan.body).toContain("event: next");
    expect(withPlan).toEqual(withoutPlan);
  },
);

test("the plan projects the events it covers; the executor makes the rest, in the stream's order", async () => {
  const stream = {
    events: [started, delta("a"), delta(null), delta("b", 2.5), delta("c"), finished("stop")],
    failure: () => new Error("engine died"),
  };
  const withPlan = await envelopedResults(planned, stream);
  const withoutPlan = await envelopedResults(reference, stream);
  expect(withPlan.map(({ json }) => json)).toEqual(withoutPlan.map(({ json }) => json));
  expect(withoutPlan.every(({ executed }) => executed)).toBe(true);
  // GenerationStarted selects createdAt (its own resolver); the null, the 2.5 and the failure are errors.
  expect(withPlan.map(({ executed }) => executed)).toEqual([true, false, true, true, false, false, true]);
});

test("the SSE writer pings a client while the stream waits, as yoga's processor does", async () => {
  // Yoga pings every 300 ms under NODE_ENV=test (vitest's), and so does the writer.
  const stream = { events: [delta("a")], delayMs: 1_000 };
  const [withFastPaths, withoutFastPaths] = await Promise.all([
    sseBody(planned, stream),
    sseBody(reference, stream),
  ]);
  const pings = (body: string) => body.match(/(?<=^|\n):\n\n/g)?.length ?? 0;
  expect(pings(withFastPaths.body)).toBeGreaterThanOrEqual(3);
  expect(Math.abs(pings(withFastPaths.body) - pings(withoutFastPaths.body))).toBeLessThanOrEqual(1);
  const withoutPings = (body: string) => body.replace(/(?<=^|\n):\n\n/g, "");
  expect(withoutPings(withFastPaths.body)).toBe(withoutPings(withoutFastPaths.body));
});
