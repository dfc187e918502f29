// A burst of four times what the server can hold (slots + queue) at once, over every streaming
// transport: the excess is refused as overloaded in each transport's shape (429 on OpenAI REST),
// every admitted stream completes in full, and nothing hangs.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { eventually } from "../support/collect.js";
import { startTestServer } from "../support/startTestServer.js";
import { openStream, STREAM_TRANSPORTS } from "../support/streamClients.js";

const SLOTS = 2;
const QUEUE = 4;
const BURST = 4 * (SLOTS + QUEUE);
/** Long enough that the whole burst arrives while the first streams still run. */
const TOKENS = 300;

let app: RunningInferql;
beforeAll(async () => {
  app = await startTestServer({ flags: ["--slots", String(SLOTS), "--queue", String(QUEUE)] });
});
afterAll(async () => app?.close());

it(`${BURST} streams at once against ${SLOTS} slots + ${QUEUE} queued: the excess is refused, the rest complete`, async () => {
  let mostHeld = 0;
  const stopWatching = app.scheduler.onEvent(() => {
    const state = app.scheduler.state();
    mostHeld = Math.max(mostHeld, state.busySlots + state.queued);
  });
  const streams = Array.from({ length: BURST }, (_, index) => {
    const transport = STREAM_TRANSPORTS[index % STREAM_TRANSPORTS.length];
    return {
      transport,
      handle: openStream(transport, app.url, { content: `burst ${index}`, maxTokens: TOKENS }),
    };
  });
  const outcomes = await Promise.all(
    streams.map(async ({ transport, handle }) => ({ transport, ...(await handle.outcome) })),
  );
  stopWatching();

  const completed = outcomes.filter((outcome) => outcome.finishReason === "length" && outcome.ended);
  const refused = outcomes.filter((outcome) => outcome.error === "overloaded");
  expect(completed.length + refused.length).toBe(BURST);
  expect(refused.length).toBeGreaterThanOrEqual(BURST / 2);
  expect(completed.length).toBeGreaterThanOrEqual(SLOTS + QUEUE);
  expect(mostHeld).toBeLessThanOrEqual(SLOTS + QUEUE);
  for (const outcome of refused.filter((candidate) => candidate.transport === "openai-sse"))
    expect(outcome.status).toBe(429);
  expect(new Set(refused.map((outcome) => outcome.transport)).size).toBeGreaterThan(1);
  await eventually(() => app.scheduler.activeCount === 0 && app.scheduler.state().busySlots === 0, 2000);
}, 30_000);
