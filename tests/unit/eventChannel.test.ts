import { expect, test } from "vitest";
import { EventChannel } from "../../src/inference/scheduler/eventChannel.js";

const concat = (a: string, b: string) => (a.startsWith("#") || b.startsWith("#") ? undefined : a + b);

test("values waiting for a slow consumer are merged; a waiting consumer gets each at once", async () => {
  const channel = new EventChannel<string>(() => undefined, concat);
  const first = channel.next();
  channel.push("a");
  expect(await first).toEqual({ value: "a", done: false });
  channel.push("b");
  channel.push("c");
  channel.push("#end");
  channel.end();
  const rest: string[] = [];
  for await (const value of channel) rest.push(value);
  expect(rest).toEqual(["bc", "#end"]);
});

test("leaving early tells the producer and ends the iteration", async () => {
  let left = 0;
  const channel = new EventChannel<string>(() => left++);
  channel.push("a");
  for await (const value of channel) if (value === "a") break;
  expect(left).toBe(1);
  expect(await channel.next()).toEqual({ value: undefined, done: true });
});

test("a failure is thrown to the consumer after the buffered values", async () => {
  const channel = new EventChannel<string>(() => undefined);
  channel.push("a");
  channel.fail(new Error("boom"));
  expect(await channel.next()).toEqual({ value: "a", done: false });
  await expect(channel.next()).rejects.toThrow("boom");
});
