// A scheduler event listener only observes: when it throws, the generation it was told about goes
// on, and the failure is logged.
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { collect, finishedOf } from "../support/collect.js";
import { startTestServer } from "../support/startTestServer.js";

const logLines: { level: number; msg: string; event?: string; err?: { message: string } }[] = [];
let app: RunningInferql;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  app = await startTestServer({ logger: pino({ level: "error" }, sink) });
});
afterAll(async () => app?.close());

test("a listener that throws on every event neither fails nor stops the generation, and is logged", async () => {
  const unsubscribe = app.scheduler.onEvent(() => {
    throw new Error("listener broke");
  });
  try {
    const events = await collect(
      app.resolvers.streamChatCompletion({ messages: [{ role: "user", content: "Hi." }], maxTokens: 12 }),
    );
    const finished = finishedOf(events);
    expect(finished.finishReason).toBe("length");
    expect(finished.usage.completionTokens).toBe(12);
  } finally {
    unsubscribe();
  }
  const failures = logLines.filter((line) => line.msg === "scheduler: an event listener failed");
  expect(failures.map((line) => line.event)).toEqual(
    expect.arrayContaining(["received", "started", "tokens", "finished"]),
  );
  expect(failures[0].err?.message).toBe("listener broke");
  expect(app.scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
});
