// Helpers to read resolver streams in tests.
import type { ChatCompletionEvent } from "../../src/resolvers/index.js";

export async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

export function finishedOf(events: ChatCompletionEvent[]): ChatCompletionEvent & { type: "finished" } {
  const finished = events.at(-1);
  if (finished?.type !== "finished")
    throw new Error(`the stream did not end with finished: ${JSON.stringify(finished)}`);
  return finished;
}

/** Polls until `check` holds, failing with `message` after `timeoutMs`; returns how long it took. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  message = "condition not met",
): Promise<number> {
  const startedAt = performance.now();
  while (!(await check())) {
    if (performance.now() - startedAt > timeoutMs) throw new Error(`${message} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - startedAt;
}
