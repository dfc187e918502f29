// A new request on a slot that holds an earlier request's tokens must not wait for the other
// slots' generations to end: erasing those tokens needs the context lock that their decodes hold.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { RunningInferql } from "../../../src/app.js";
import { collect } from "../../support/collect.js";
import { startTestServer } from "../../support/startTestServer.js";

let app: RunningInferql;
beforeAll(async () => {
  app = await startTestServer({ flags: ["--slots", "4"] });
});
afterAll(async () => app?.close());

const ask = (content: string, maxTokens: number) => ({
  messages: [{ role: "user" as const, content }],
  maxTokens,
});

test("a request on a used slot streams while the other slots keep generating", async () => {
  // Every slot now holds tokens that the next requests do not share.
  await Promise.all(
    [1, 2, 3, 4].map((n) => collect(app.resolvers.streamChatCompletion(ask(`warm-up ${n}`, 16)))),
  );
  const controller = new AbortController();
  let longFinished = 0;
  // Three long generations, read to their end in the background so they keep their slots busy.
  const longs = [1, 2, 3].map((n) =>
    (async () => {
      let deltas = 0;
      const stream = app.resolvers.streamChatCompletion(ask(`long answer ${n}`, 2000), {
        signal: controller.signal,
      });
      for await (const event of stream) {
        if (event.type === "contentDelta") deltas++;
        if (event.type === "finished" && event.finishReason !== "cancelled") longFinished++;
      }
      return deltas;
    })(),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  try {
    const short = await collect(app.resolvers.streamChatCompletion(ask("a short one", 4)));
    expect(short.at(-1)).toMatchObject({ type: "finished", finishReason: "length" });
    expect(longFinished).toBe(0);
  } finally {
    controller.abort();
    await Promise.all(longs);
  }
});
