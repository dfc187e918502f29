// Tenancy between API keys. A key sees the ids of the generations it started in the scheduler's
// state and may cancel them; another key sees only that slots are busy, and cancelling by a
// guessed or leaked id does nothing. An admin key (--admin-api-key) sees and cancels all. The
// served models never reveal where their files lie. Without API keys (one user) everyone sees all.
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { eventually } from "../support/collect.js";
import { graphqlWsClient, postGraphql } from "../support/graphqlClients.js";
import { startTestServer } from "../support/startTestServer.js";
import { openStream, type StreamHandle } from "../support/streamClients.js";

const ALICE = "sk-alice";
const BOB = "sk-bob";
const ADMIN = "sk-admin";
/** Long enough to outlast every check made while it runs (it is cancelled at the end). */
const LONG = { content: "tell me everything", maxTokens: 16_000 };
const FLAGS = ["--ctx-size", "16384", "--slots", "2"];
/** How an OpenAI stream reports a generation that was cancelled. */
const CANCELLED = "abort";

const SCHEDULER_QUERY = "{ scheduler { busySlots models { busySlots slots { busy requestId } } } }";
const SCHEDULER_SUBSCRIPTION =
  "subscription { schedulerEvents { busySlots models { slots { busy requestId } } } }";
const CANCEL_MUTATION = "mutation($id: ID!) { cancelGeneration(id: $id) }";

interface SlotView {
  busy: boolean;
  requestId?: string | null;
}
interface StateView {
  busySlots: number;
  models: { slots: SlotView[] }[];
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const idsIn = (state: StateView) =>
  state.models.flatMap((model) => model.slots.flatMap((slot) => (slot.requestId ? [slot.requestId] : [])));

/** Starts a long stream with `apiKey` over OpenAI SSE and returns it with its generation's id. */
async function startLongGeneration(
  app: RunningInferql,
  apiKey?: string,
): Promise<StreamHandle & { id: string }> {
  const running = new Set(idsIn(app.scheduler.state()));
  const stream = openStream("openai-sse", app.url, { ...LONG, apiKey });
  await stream.firstContent;
  const id = idsIn(app.scheduler.state()).find((candidate) => !running.has(candidate));
  if (id === undefined) throw new Error("the generation is not in a slot");
  return { ...stream, id };
}

async function graphqlScheduler(app: RunningInferql, key?: string): Promise<StateView> {
  const result = await postGraphql<{ scheduler: StateView }, Record<string, never>>(
    app.url,
    SCHEDULER_QUERY,
    {},
    key ? bearer(key) : {},
  );
  expect(result.errors).toBeUndefined();
  return result.data!.scheduler;
}

async function graphqlCancel(app: RunningInferql, id: string, key?: string): Promise<boolean> {
  const result = await postGraphql<{ cancelGeneration: boolean }, { id: string }>(
    app.url,
    CANCEL_MUTATION,
    { id },
    key ? bearer(key) : {},
  );
  expect(result.errors).toBeUndefined();
  return result.data!.cancelGeneration;
}

/** The first state of `schedulerEvents` over graphql-ws, the key sent in connection_init. */
async function firstGraphqlWsState(app: RunningInferql, key: string): Promise<StateView> {
  const client = graphqlWsClient(app.url, key);
  try {
    const events = client.iterate<{ schedulerEvents: StateView }>({ query: SCHEDULER_SUBSCRIPTION });
    const first = await events.next();
    await events.return?.();
    expect(first.value?.errors).toBeUndefined();
    return first.value!.data!.schedulerEvents;
  } finally {
    await client.dispose();
  }
}

/** The first state of tRPC's `scheduler.watch` over SSE or the WebSocket. */
async function firstTrpcWatchState(
  app: RunningInferql,
  key: string,
  subscriptions: "sse" | "ws",
): Promise<StateView> {
  const client = createInferqlClient(app.url, { apiKey: key, subscriptions });
  return new Promise<StateView>((resolve, reject) => {
    const subscription = client.scheduler.watch.subscribe(undefined, {
      onData: (state) => {
        subscription.unsubscribe();
        resolve(state);
      },
      onError: reject,
    });
  });
}

describe("with API keys", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({
      flags: [...FLAGS, "--api-key", ALICE, "--api-key", BOB, "--admin-api-key", ADMIN],
    });
  });
  afterAll(async () => app?.close());
  // A test ends by disconnecting its streams; the next one must not find their generations still in
  // their slots (under load the abort takes a moment to free them, and the views would list them).
  afterEach(async () => {
    await eventually(
      () => app.scheduler.state().busySlots === 0,
      5000,
      "a disconnected generation kept its slot",
    );
  });

  it("another key sees that a slot is busy but not the id of the generation in it, on every transport", async () => {
    const alices = await startLongGeneration(app, ALICE);
    try {
      const bob = createInferqlClient(app.url, { apiKey: BOB });
      const views: [string, StateView][] = [
        ["graphql", await graphqlScheduler(app, BOB)],
        ["graphql-ws schedulerEvents", await firstGraphqlWsState(app, BOB)],
        ["trpc scheduler.state", await bob.scheduler.state.query()],
        ["trpc-sse scheduler.watch", await firstTrpcWatchState(app, BOB, "sse")],
        ["trpc-ws scheduler.watch", await firstTrpcWatchState(app, BOB, "ws")],
      ];
      for (const [transport, state] of views) {
        expect(state.busySlots, transport).toBe(1);
        expect(
          state.models[0].slots.filter((slot) => slot.busy),
          transport,
        ).toHaveLength(1);
        expect(idsIn(state), transport).toEqual([]);
      }
    } finally {
      alices.disconnect();
    }
  });

  it("the key that started a generation sees its id, on every transport", async () => {
    const alices = await startLongGeneration(app, ALICE);
    try {
      const alice = createInferqlClient(app.url, { apiKey: ALICE });
      const views: [string, StateView][] = [
        ["graphql", await graphqlScheduler(app, ALICE)],
        ["graphql-ws schedulerEvents", await firstGraphqlWsState(app, ALICE)],
        ["trpc scheduler.state", await alice.scheduler.state.query()],
        ["trpc-sse scheduler.watch", await firstTrpcWatchState(app, ALICE, "sse")],
        ["trpc-ws scheduler.watch", await firstTrpcWatchState(app, ALICE, "ws")],
      ];
      for (const [transport, state] of views) expect(idsIn(state), transport).toEqual([alices.id]);
    } finally {
      alices.disconnect();
    }
  });

  it("each key sees only its own ids while both generate; an admin key sees both", async () => {
    const alices = await startLongGeneration(app, ALICE);
    const bobs = await startLongGeneration(app, BOB);
    try {
      expect(idsIn(await graphqlScheduler(app, ALICE))).toEqual([alices.id]);
      expect(idsIn(await graphqlScheduler(app, BOB))).toEqual([bobs.id]);
      expect(idsIn(await graphqlScheduler(app, ADMIN)).sort()).toEqual([alices.id, bobs.id].sort());
      const admin = createInferqlClient(app.url, { apiKey: ADMIN });
      expect(idsIn(await admin.scheduler.state.query()).sort()).toEqual([alices.id, bobs.id].sort());
      expect(idsIn(await firstGraphqlWsState(app, ADMIN)).sort()).toEqual([alices.id, bobs.id].sort());
    } finally {
      alices.disconnect();
      bobs.disconnect();
    }
  });

  it("another key cannot cancel a generation, even knowing its id; its own key can", async () => {
    const alices = await startLongGeneration(app, ALICE);
    const bob = createInferqlClient(app.url, { apiKey: BOB });
    expect(await graphqlCancel(app, alices.id, BOB)).toBe(false);
    expect(await bob.scheduler.cancel.mutate({ id: alices.id })).toBe(false);
    expect(idsIn(app.scheduler.state())).toContain(alices.id);

    const alice = createInferqlClient(app.url, { apiKey: ALICE });
    expect(await alice.scheduler.cancel.mutate({ id: alices.id })).toBe(true);
    expect((await alices.outcome).finishReason).toBe(CANCELLED);

    const again = await startLongGeneration(app, ALICE);
    expect(await graphqlCancel(app, again.id, ALICE)).toBe(true);
    expect((await again.outcome).finishReason).toBe(CANCELLED);
  });

  it("an admin key cancels any key's generation", async () => {
    const alices = await startLongGeneration(app, ALICE);
    expect(await graphqlCancel(app, alices.id, ADMIN)).toBe(true);
    expect((await alices.outcome).finishReason).toBe(CANCELLED);
    const bobs = await startLongGeneration(app, BOB);
    const admin = createInferqlClient(app.url, { apiKey: ADMIN });
    expect(await admin.scheduler.cancel.mutate({ id: bobs.id })).toBe(true);
    expect((await bobs.outcome).finishReason).toBe(CANCELLED);
    await eventually(() => app.scheduler.state().busySlots === 0, 2000);
  });

  it("the admin key is an API key too: it generates, and other keys cannot see its ids", async () => {
    const admins = await startLongGeneration(app, ADMIN);
    try {
      expect(idsIn(await graphqlScheduler(app, ALICE))).toEqual([]);
      expect(await graphqlCancel(app, admins.id, ALICE)).toBe(false);
      expect(idsIn(await graphqlScheduler(app, ADMIN))).toEqual([admins.id]);
    } finally {
      admins.disconnect();
    }
  });

  it("served models do not reveal the server's file paths, on any transport", async () => {
    const modelPath = path.resolve(inject("tinyModelPath"));
    const modelDir = path.dirname(modelPath);
    const alice = createInferqlClient(app.url, { apiKey: ALICE });
    const list = await alice.models.list.query();
    expect(list.map((model) => model.id)).toContain("tiny");
    for (const model of list) expect(model).not.toHaveProperty("path");
    const byId = await alice.models.byId.query({ id: "tiny" });
    expect(byId).not.toHaveProperty("path");
    const rest = await (await fetch(`${app.url}/v1/models`, { headers: bearer(ALICE) })).text();
    const graphql = await postGraphql(app.url, "{ models { id } }", {}, bearer(ALICE));
    for (const answer of [JSON.stringify(list), JSON.stringify(byId), rest, JSON.stringify(graphql)])
      expect(answer).not.toContain(modelDir);
  });
});

describe("without API keys (one user)", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: FLAGS });
  });
  afterAll(async () => app?.close());

  it("every client sees every generation's id and may cancel it", async () => {
    const running = await startLongGeneration(app);
    expect(idsIn(await graphqlScheduler(app))).toEqual([running.id]);
    expect(idsIn(await createInferqlClient(app.url).scheduler.state.query())).toEqual([running.id]);
    expect(await graphqlCancel(app, running.id)).toBe(true);
    expect((await running.outcome).finishReason).toBe(CANCELLED);
  });
});
