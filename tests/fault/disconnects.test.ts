// Clients that vanish mid-stream, on every streaming transport: each generation they leave is
// cancelled at once (none runs on to its token limit), no slot stays busy, nothing stays queued,
// and the next request is served promptly.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import type { SchedulerEvent } from "../../src/inference/scheduler/scheduler.js";
import { eventually } from "../support/collect.js";
import { postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";
import { openStream, STREAM_TRANSPORTS, type StreamHandle } from "../support/streamClients.js";

const SLOTS = 4;
const CLIENTS_PER_TRANSPORT = 40;
/** Far more than a client waits for: a generation that is not cancelled runs for seconds. */
const LONG = 3000;

let app: RunningInferql;
const finished = new Map<string, string>();
const started = new Set<string>();

beforeAll(async () => {
  app = await startTestServer({
    flags: ["--slots", String(SLOTS), "--queue", "256", "--ctx-size", "4096"],
  });
  app.scheduler.onEvent((event: SchedulerEvent) => {
    if (event.type === "started") started.add(event.id);
    if (event.type === "finished") finished.set(event.id, event.reason);
  });
});
afterAll(async () => app?.close());

const idle = () => {
  const state = app.scheduler.state();
  return state.busySlots === 0 && state.queued === 0 && app.scheduler.activeCount === 0;
};

async function servedPromptly(): Promise<number> {
  const startedAt = performance.now();
  const response = await postJson(`${app.url}/v1/chat/completions`, {
    messages: [{ role: "user", content: "still there?" }],
    max_tokens: 16,
  });
  expect(response).toMatchObject({ status: 200, body: { choices: [{ finish_reason: "length" }] } });
  return performance.now() - startedAt;
}

it(`${CLIENTS_PER_TRANSPORT * STREAM_TRANSPORTS.length} clients that disconnect after their first token leave no busy slot`, async () => {
  finished.clear();
  const clients = STREAM_TRANSPORTS.flatMap((transport) =>
    Array.from({ length: CLIENTS_PER_TRANSPORT }, (_, index) =>
      openStream(transport, app.url, { content: `${transport} client ${index}`, maxTokens: LONG }),
    ),
  );
  // Four slots serve 200 clients only if each one that leaves frees its slot at once.
  await Promise.all(
    clients.map(async (client) => {
      await client.firstContent;
      client.disconnect();
    }),
  );
  const outcomes = await Promise.all(clients.map((client) => client.outcome));
  expect(outcomes.every((outcome) => outcome.contentEvents >= 1 && !outcome.ended)).toBe(true);

  await eventually(idle, 5000);
  expect(finished.size).toBe(clients.length);
  expect([...new Set(finished.values())]).toEqual(["cancelled"]);
  expect(await servedPromptly()).toBeLessThan(2000);
}, 45_000);

it("clients that leave while queued never take a slot", async () => {
  finished.clear();
  started.clear();
  const running = STREAM_TRANSPORTS.slice(0, SLOTS).map((transport) =>
    openStream(transport, app.url, { content: "holding a slot", maxTokens: LONG }),
  );
  await Promise.all(running.map((client) => client.firstContent));
  const startedBefore = new Set(started);
  const queued: StreamHandle[] = STREAM_TRANSPORTS.flatMap((transport) =>
    Array.from({ length: 4 }, (_, index) =>
      openStream(transport, app.url, { content: `waiting ${index}`, maxTokens: LONG }),
    ),
  );
  await eventually(() => app.scheduler.state().queued === queued.length, 5000);
  for (const client of queued) client.disconnect();
  await eventually(() => app.scheduler.state().queued === 0, 2000);
  expect(started).toEqual(startedBefore);

  for (const client of running) client.disconnect();
  await eventually(idle, 5000);
  expect([...finished.values()].filter((reason) => reason === "rejected")).toHaveLength(queued.length);
  expect(await servedPromptly()).toBeLessThan(2000);
}, 30_000);
