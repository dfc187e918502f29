// Closing the server: the last generation's transport gets a short flush from that generation's end
// to send its final event, and a server idle for longer closes without waiting. setTimeout is faked
// here, so a close that waits on the flush stays open until the test moves the clock.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
/** The test's own close, once started. */
let closing: Promise<void> | undefined;

beforeEach(async () => {
  app = await startTestServer();
  closing = undefined;
});

afterEach(async () => {
  // A close left waiting on a faked timer (a failed test) goes on.
  if (vi.isFakeTimers()) await vi.runOnlyPendingTimersAsync();
  vi.useRealTimers();
  await (closing ?? app.close());
});

/** Starts closing; `isClosed` turns true once close() resolves. */
function startClosing() {
  let closed = false;
  closing = app.close().then(() => {
    closed = true;
  });
  return { closing, isClosed: () => closed };
}

/** Lets I/O run (setImmediate and Date are not faked) until `done` holds or `ms` of real time pass. */
async function runIoUntil(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
}

async function completeOneChat(): Promise<void> {
  const response = await fetch(`${app.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "tiny", max_tokens: 2, messages: [{ role: "user", content: "Hi" }] }),
  });
  expect(response.status).toBe(200);
  await response.json();
}

it("a server idle for longer than the flush closes without waiting on a timer", async () => {
  await completeOneChat();
  await new Promise((resolve) => setTimeout(resolve, 150));
  vi.useFakeTimers({ toFake: ["setTimeout"] });

  const { closing, isClosed } = startClosing();
  await runIoUntil(isClosed, 5_000);

  expect(isClosed()).toBe(true);
  await closing;
});

it("a server whose generation has just ended gives its transport the flush before closing", async () => {
  // The clock stands still too: however slow the machine, the generation ended "just now".
  vi.useFakeTimers({ toFake: ["setTimeout", "performance"] });
  await completeOneChat();

  const { closing, isClosed } = startClosing();
  await runIoUntil(isClosed, 300);
  expect(isClosed()).toBe(false);

  await vi.advanceTimersByTimeAsync(100);
  await runIoUntil(isClosed, 5_000);
  expect(isClosed()).toBe(true);
  await closing;
});
