// Many inferql nodes sharing state through a real Redis (Debian's redis-server, started here):
// cancellation from any node with the same tenancy rules, one rate limit across nodes, the fleet
// view with every node's slots, a node that leaves or dies, and Redis itself going away.
import { spawn } from "node:child_process";
import pino from "pino";
import { createClient as createRedisClient } from "redis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { eventually } from "../support/collect.js";
import { ensureServerBuild } from "../support/ensureBuild.js";
import { graphqlWsClient, postGraphql } from "../support/graphqlClients.js";
import { type RedisServer, startRedisServer } from "../support/redisServer.js";
import { startTestServer } from "../support/startTestServer.js";
import { openStream, type StreamHandle } from "../support/streamClients.js";

const ALICE = "sk-alice";
const BOB = "sk-bob";
const DAVE = "sk-dave";
const ADMIN = "sk-admin";
const RATE_LIMIT = 40;
/** Node C's `--node-ttl`: the shortest, so that its expiry is seen without waiting out the default 5 s. */
const NODE_C_TTL_SECONDS = 1;
/** Long enough to outlast every check made while it runs (it is cancelled at the end). */
const LONG = { content: "tell me everything", maxTokens: 16_000 };
/** How an OpenAI stream reports a generation that was cancelled. */
const CANCELLED = "abort";

interface SlotView {
  busy: boolean;
  requestId?: string | null;
}
interface ModelView {
  nodeId: string;
  busySlots: number;
  slots: SlotView[];
}
interface StateView {
  nodeId: string;
  busySlots: number;
  totalSlots: number;
  models: ModelView[];
}

const SCHEDULER_SUBSCRIPTION =
  "subscription { schedulerEvents { nodeId busySlots totalSlots models { nodeId busySlots slots { busy requestId } } } }";
const CANCEL_MUTATION = "mutation($id: ID!) { cancelGeneration(id: $id) }";
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const idsIn = (state: { models: { slots: { requestId?: string | null }[] }[] }) =>
  state.models.flatMap((model) => model.slots.flatMap((slot) => (slot.requestId ? [slot.requestId] : [])));

async function startLongGeneration(
  app: RunningInferql,
  apiKey: string,
): Promise<StreamHandle & { id: string }> {
  const running = new Set(idsIn(app.scheduler.state()));
  const stream = openStream("openai-sse", app.url, { ...LONG, apiKey });
  await stream.firstContent;
  const id = idsIn(app.scheduler.state()).find((candidate) => !running.has(candidate));
  if (id === undefined) throw new Error("the generation is not in a slot");
  return { ...stream, id };
}

async function graphqlCancel(app: RunningInferql, id: string, key: string): Promise<boolean> {
  const result = await postGraphql<{ cancelGeneration: boolean }, { id: string }>(
    app.url,
    CANCEL_MUTATION,
    { id },
    bearer(key),
  );
  expect(result.errors).toBeUndefined();
  return result.data!.cancelGeneration;
}

/** The first state of `schedulerEvents` (graphql-ws) on `app` that satisfies `accept`. */
async function graphqlWsStateWhere(
  app: RunningInferql,
  key: string,
  accept: (state: StateView) => boolean,
): Promise<StateView> {
  const client = graphqlWsClient(app.url, key);
  try {
    const events = client.iterate<{ schedulerEvents: StateView }>({ query: SCHEDULER_SUBSCRIPTION });
    for await (const event of events) {
      expect(event.errors).toBeUndefined();
      const state = event.data!.schedulerEvents;
      if (accept(state)) {
        await events.return?.();
        return state;
      }
    }
    throw new Error("schedulerEvents ended");
  } finally {
    await client.dispose();
  }
}

/** The first state of tRPC's `scheduler.watch` on `app` that satisfies `accept`. */
async function trpcWatchStateWhere(
  app: RunningInferql,
  key: string,
  accept: (state: StateView) => boolean,
): Promise<StateView> {
  const client = createInferqlClient(app.url, { apiKey: key, subscriptions: "sse" });
  return new Promise<StateView>((resolve, reject) => {
    const subscription = client.scheduler.watch.subscribe(undefined, {
      onData: (state) => {
        if (!accept(state)) return;
        subscription.unsubscribe();
        resolve(state);
      },
      onError: reject,
    });
  });
}

const modelsOf = (state: StateView, nodeId: string) =>
  state.models.filter((model) => model.nodeId === nodeId);

describe("two nodes sharing one Redis", () => {
  let redis: RedisServer;
  let a: RunningInferql;
  let b: RunningInferql;
  let bClosed = false;
  const open: StreamHandle[] = [];
  /** Node A's log lines. */
  const aLog: { level: number; msg: string }[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const flags = [
      "--redis",
      redis.url,
      "--api-key",
      ALICE,
      "--api-key",
      BOB,
      "--api-key",
      DAVE,
      "--admin-api-key",
      ADMIN,
      "--slots",
      "2",
      "--ctx-size",
      "16384",
      "--rate-limit",
      String(RATE_LIMIT),
    ];
    const aLogger = pino(
      { level: "info" },
      { write: (line: string) => void aLog.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    a = await startTestServer({ flags: [...flags, "--node-id", "node-a"], logger: aLogger });
    b = await startTestServer({ flags: [...flags, "--node-id", "node-b"] });
    // Each node has heard of the other (they say hello when they connect).
    // (Polled in-process: polling over HTTP would spend the keys' rate limit.)
    await eventually(
      () => a.resolvers.schedulerState().models.some((model) => model.nodeId === "node-b"),
      5000,
      "node A does not see node B",
    );
  });
  afterAll(async () => {
    for (const stream of open) stream.disconnect();
    await a?.close();
    if (!bClosed) await b?.close();
    await redis?.kill();
  });

  it("cancels a generation running on node A through node B (GraphQL), for its own key only", async () => {
    const alices = await startLongGeneration(a, ALICE);
    open.push(alices);
    // Another key's cancel is refused on the other node, as on the same one.
    expect(await graphqlCancel(b, alices.id, BOB)).toBe(false);
    expect(idsIn(a.scheduler.state())).toContain(alices.id);
    expect(await graphqlCancel(b, alices.id, ALICE)).toBe(true);
    const outcome = await alices.outcome;
    expect(outcome.finishReason).toBe(CANCELLED);
    expect(outcome.ended).toBe(true);
    // An id no node runs is false, and answered quickly.
    const startedAt = performance.now();
    expect(await graphqlCancel(b, "chatcmpl-does-not-exist", ADMIN)).toBe(false);
    expect(performance.now() - startedAt).toBeLessThan(1500);
  });

  it("cancels through node B with tRPC scheduler.cancel: the owner's key, and an admin key for anyone's", async () => {
    const alices = await startLongGeneration(a, ALICE);
    const bobs = await startLongGeneration(a, BOB);
    open.push(alices, bobs);
    expect(await createInferqlClient(b.url, { apiKey: BOB }).scheduler.cancel.mutate({ id: alices.id })).toBe(
      false,
    );
    expect(
      await createInferqlClient(b.url, { apiKey: ALICE }).scheduler.cancel.mutate({ id: alices.id }),
    ).toBe(true);
    expect(await createInferqlClient(b.url, { apiKey: ADMIN }).scheduler.cancel.mutate({ id: bobs.id })).toBe(
      true,
    );
    expect((await alices.outcome).finishReason).toBe(CANCELLED);
    expect((await bobs.outcome).finishReason).toBe(CANCELLED);
  });

  it("shows node B's busy slot in node A's fleet view (schedulerEvents and scheduler.watch), ids only to their owner", async () => {
    const alices = await startLongGeneration(b, ALICE);
    open.push(alices);
    const busyOnB = (state: StateView) => modelsOf(state, "node-b").some((model) => model.busySlots === 1);

    const alicesView = await graphqlWsStateWhere(a, ALICE, busyOnB);
    expect(alicesView.nodeId).toBe("node-a");
    expect(modelsOf(alicesView, "node-a").length).toBeGreaterThan(0);
    expect(idsIn({ models: modelsOf(alicesView, "node-b") })).toEqual([alices.id]);
    expect(alicesView.totalSlots).toBe(alicesView.models.reduce((sum, model) => sum + model.slots.length, 0));
    // Another key sees the busy slot on node B, not its id; an admin key sees it.
    const bobsView = await graphqlWsStateWhere(a, BOB, busyOnB);
    expect(
      modelsOf(bobsView, "node-b")
        .flatMap((model) => model.slots)
        .filter((slot) => slot.busy),
    ).toHaveLength(1);
    expect(idsIn(bobsView)).toEqual([]);
    const adminsView = await trpcWatchStateWhere(a, ADMIN, busyOnB);
    expect(idsIn({ models: modelsOf(adminsView, "node-b") })).toEqual([alices.id]);

    // When it ends, node A's view says so.
    expect(await graphqlCancel(a, alices.id, ALICE)).toBe(true);
    await trpcWatchStateWhere(a, ALICE, (state) => !busyOnB(state));
    expect((await alices.outcome).finishReason).toBe(CANCELLED);
  });

  it("limits a key across nodes: requests split between A and B draw from one bucket", async () => {
    const statuses: { node: string; status: number; retryAfter: string | null }[] = [];
    for (let i = 0; i < RATE_LIMIT + 4; i++) {
      const node = i % 2 === 0 ? a : b;
      const response = await fetch(`${node.url}/v1/models`, { headers: bearer(DAVE) });
      await response.arrayBuffer();
      statuses.push({
        node: node === a ? "a" : "b",
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
      });
    }
    // Each node saw half: alone, neither would have limited. Together they allow the minute's worth.
    const allowed = statuses.filter((entry) => entry.status === 200).length;
    expect(statuses.slice(0, RATE_LIMIT).every((entry) => entry.status === 200)).toBe(true);
    expect(allowed).toBeLessThanOrEqual(RATE_LIMIT + 1);
    const refused = statuses.filter((entry) => entry.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(new Set(refused.map((entry) => entry.node))).toEqual(new Set(["a", "b"]));
    for (const entry of refused) expect(Number(entry.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("drops a node that stops heartbeating once its entry expires", async () => {
    // A node that dies says nothing: its last state, published here as a node would, expires.
    const raw = createRedisClient({ url: redis.url });
    await raw.connect();
    try {
      const models = [
        {
          model: "tiny",
          slots: [{ index: 0, busy: true, cachedTokens: 3 }],
          busySlots: 1,
          queued: 0,
          queueCapacity: 64,
        },
      ];
      await raw.publish(
        "inferql:fleet",
        JSON.stringify({ type: "state", node: "node-dead", instance: "dead", ttlMs: 1500, models }),
      );
    } finally {
      raw.destroy();
    }
    await eventually(
      () => a.resolvers.schedulerState().models.some((model) => model.nodeId === "node-dead"),
      2000,
      "node A does not show the dead node's last state",
    );
    await trpcWatchStateWhere(
      a,
      ADMIN,
      (state) => !state.models.some((model) => model.nodeId === "node-dead"),
    );
  });

  it("answers without waiting when Redis hangs: the rate limit is counted on the node after a short timeout", async () => {
    redis.pause();
    try {
      const startedAt = performance.now();
      const responses = await Promise.all(
        [a, b, a].map((node) => fetch(`${node.url}/v1/models`, { headers: bearer(ALICE) })),
      );
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
      expect(performance.now() - startedAt).toBeLessThan(2000);
      expect(
        aLog.some((line) => line.level === 40 && line.msg.startsWith("rate limit counted on this node only")),
      ).toBe(true);
    } finally {
      redis.resume();
    }
  });

  it("drops a node killed with SIGKILL once its entry expires; node A's streams go on", async () => {
    ensureServerBuild();
    const alices = openStream("openai-sse", a.url, { content: "hi", maxTokens: 400, apiKey: ALICE });
    const { UV_THREADPOOL_SIZE: _, ...env } = process.env;
    const child = spawn(
      process.execPath,
      [
        "bin/inferql.cjs",
        "serve",
        "--port",
        "0",
        "--threads",
        "1",
        "--model",
        `tiny=${inject("tinyModelPath")}`,
        "--redis",
        redis.url,
        "--node-id",
        "node-c",
        "--node-ttl",
        String(NODE_C_TTL_SECONDS),
      ],
      { env, stdio: "ignore" },
    );
    try {
      await eventually(
        () => a.resolvers.schedulerState().models.some((model) => model.nodeId === "node-c"),
        20_000,
        "node A does not see node C",
      );
      child.kill("SIGKILL");
      // Its entry lives --node-ttl after its last heartbeat (a fifth of that apart): it is not dropped
      // before then, and node A drops it at its next heartbeat (1 s apart) after.
      const took = await eventually(
        () => !a.resolvers.schedulerState().models.some((model) => model.nodeId === "node-c"),
        NODE_C_TTL_SECONDS * 1000 + 3000,
        "node C is still in node A's view",
      );
      expect(took).toBeGreaterThan(NODE_C_TTL_SECONDS * 1000 * 0.6);
    } finally {
      child.kill("SIGKILL");
    }
    expect((await alices.outcome).finishReason).toBe("length");
  });

  it("drops node B from node A's view when it stops, and node A keeps serving", async () => {
    await b.close();
    bClosed = true;
    await eventually(
      () => !a.resolvers.schedulerState().models.some((model) => model.nodeId === "node-b"),
      1000,
      "node B is still in node A's view",
    );
    const stream = openStream("openai-sse", a.url, { content: "hi", maxTokens: 8, apiKey: ALICE });
    expect((await stream.outcome).finishReason).toBe("length");
  });

  it("keeps serving when Redis dies: generations, local cancellation and (per-node) rate limits", async () => {
    expect(aLog.some((line) => line.msg.startsWith("redis: connected"))).toBe(true);
    await redis.kill();
    await eventually(
      () => aLog.some((line) => line.level === 40 && line.msg.startsWith("redis unreachable: serving on")),
      5000,
      "node A logs no warning that Redis is away",
    );
    const stream = openStream("openai-sse", a.url, { content: "hi", maxTokens: 8, apiKey: ALICE });
    expect((await stream.outcome).finishReason).toBe("length");
    const alices = await startLongGeneration(a, ALICE);
    open.push(alices);
    const startedAt = performance.now();
    expect(await graphqlCancel(a, alices.id, ALICE)).toBe(true);
    expect((await alices.outcome).finishReason).toBe(CANCELLED);
    expect(await graphqlCancel(a, "chatcmpl-does-not-exist", ALICE)).toBe(false);
    const models = await fetch(`${a.url}/v1/models`, { headers: bearer(ALICE) });
    expect(models.status).toBe(200);
    expect(performance.now() - startedAt).toBeLessThan(5000);
  });
});

describe("a node whose Redis is not there", () => {
  it("starts, serves, and says so in its log", async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: "info" },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    // A port nothing listens on (the server is killed before the node starts).
    const gone = await startRedisServer();
    await gone.kill();
    const app = await startTestServer({ flags: ["--redis", gone.url, "--rate-limit", "5"], logger });
    try {
      expect(
        lines.some((line) => line.level === 40 && line.msg.startsWith("redis unreachable: serving on")),
      ).toBe(true);
      const stream = openStream("openai-sse", app.url, { content: "hi", maxTokens: 8 });
      expect((await stream.outcome).finishReason).toBe("length");
      // The limit still holds, on this node alone.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${app.url}/v1/models`)).status);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(1);
      expect(await app.resolvers.cancelGeneration("chatcmpl-none")).toBe(false);
    } finally {
      await app.close();
    }
  });
});
