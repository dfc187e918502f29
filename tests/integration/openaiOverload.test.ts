// A full admission queue answers 429 with Retry-After, as JSON before any event is streamed,
// while the requests that were admitted stream to their end.
import { type OpenAI, RateLimitError } from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { eventually, openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let client: OpenAI;

beforeAll(async () => {
  app = await startTestServer({ flags: ["--slots", "1", "--queue", "1"] });
  client = openAiClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

async function streamToEnd(): Promise<string | null> {
  const stream = await client.chat.completions.create({
    model: "tiny",
    messages: [{ role: "user", content: "Tell a long story" }],
    // Long enough that the first stream still holds the only slot when the last request arrives (the
    // four are sent at once: they arrive within milliseconds, 300 tokens take a few hundred).
    max_tokens: 300,
    stream: true,
  });
  let finishReason: string | null = null;
  for await (const chunk of stream) finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
  return finishReason;
}

it("rejects streams beyond one slot and one queued request with 429 and Retry-After", async () => {
  const results = await Promise.allSettled([streamToEnd(), streamToEnd(), streamToEnd(), streamToEnd()]);
  const rejected = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
  const completed = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));

  expect(rejected.length).toBeGreaterThanOrEqual(1);
  for (const error of rejected) {
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.code).toBe("rate_limit_exceeded");
    expect(Number(rateLimit.headers.get("retry-after"))).toBeGreaterThan(0);
  }
  expect(completed.length).toBeGreaterThanOrEqual(1);
  expect(completed.every((finishReason) => finishReason === "length")).toBe(true);
  await eventually(() => app.scheduler.state().busySlots === 0 && app.scheduler.state().queued === 0);
});
