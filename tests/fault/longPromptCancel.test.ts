// Cancelling a generation while its long prompt is still being evaluated frees the slot within one
// prompt chunk, not when the whole prompt has been evaluated.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { collect, eventually } from "../support/collect.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
beforeAll(async () => {
  app = await startTestServer({ flags: ["--ctx-size", "16384", "--slots", "2"] });
});
afterAll(async () => app?.close());

/** About 7,200 tokens of the tiny model's vocabulary. */
const longPrompt = Array.from({ length: 2500 }, (_, index) => `w${index % 97}`).join(" ");

test("cancelling during a long prompt's evaluation frees the slot long before the prompt would be done", async () => {
  // The whole prompt evaluated, as the yardstick (no cached prefix: cachePrompt false).
  const full = await app.resolvers.createCompletion({ prompt: longPrompt, maxTokens: 1, cachePrompt: false });
  expect(full.usage.promptTokens).toBeGreaterThan(4000);
  const fullPromptMs = full.timings.promptMs;

  const controller = new AbortController();
  const stream = app.resolvers.streamCompletion(
    { prompt: longPrompt, maxTokens: 4, cachePrompt: false },
    { signal: controller.signal },
  );
  const first = await stream.next();
  expect(first.value).toMatchObject({ type: "started" });
  // Shortly after the start: well inside the prompt's evaluation.
  await new Promise((resolve) => setTimeout(resolve, fullPromptMs * 0.1));
  expect(app.scheduler.state().busySlots).toBe(1);
  const cancelledAt = performance.now();
  controller.abort();
  await eventually(() => app.scheduler.state().busySlots === 0, fullPromptMs * 2);
  const freedAfterMs = performance.now() - cancelledAt;
  // One chunk of 256 tokens is under 4 % of the prompt.
  expect(freedAfterMs).toBeLessThan(fullPromptMs * 0.3);

  // The rest of the stream ends cleanly: no error leaks out of the cancelled evaluation.
  const rest = await collect(stream);
  const finished = rest.at(-1);
  if (finished?.type === "finished") {
    expect(finished.finishReason).toBe("cancelled");
    expect(finished.usage.completionTokens).toBe(0);
  }

  // The slot serves the next request at once.
  const next = await app.resolvers.createCompletion({ prompt: "Once", maxTokens: 3 });
  expect(next.usage.completionTokens).toBe(3);
}, 120_000);
