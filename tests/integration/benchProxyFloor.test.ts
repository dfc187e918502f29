// The bench's proxy floor (bench/proxyFloor.ts), the reference its --gateway run measures inferql's
// gateway against: it must pass a streamed chat completion and an error through unchanged, or the
// overhead it stands for would be that of something else.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ProxyFloor, startProxyFloor } from "../../bench/proxyFloor.js";
import type { RunningInferql } from "../../src/app.js";
import { openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let proxy: ProxyFloor;

beforeAll(async () => {
  app = await startTestServer();
  proxy = await startProxyFloor(app.url);
});

afterAll(async () => {
  await proxy?.close();
  await app?.close();
});

async function streamed(url: string) {
  const stream = await openAiClient(url).chat.completions.create({
    model: "tiny",
    messages: [{ role: "user", content: "Count to ten." }],
    max_tokens: 24,
    temperature: 0,
    stream: true,
  });
  const deltas: string[] = [];
  let finishReason: string | null = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (choice?.delta.content) deltas.push(choice.delta.content);
    finishReason = choice?.finish_reason ?? finishReason;
  }
  return { deltas, finishReason };
}

it("streams the upstream's completion through unchanged, token by token", async () => {
  const direct = await streamed(app.url);
  const throughProxy = await streamed(proxy.url);
  expect(throughProxy).toEqual(direct);
  expect(direct.deltas.length).toBeGreaterThan(1);
  expect(direct.finishReason).toBe("length");
});

it("passes the upstream's errors through with their status", async () => {
  const response = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }),
  });
  expect(response.status).toBe(404);
  expect(await response.json()).toMatchObject({ error: { code: "model_not_found" } });
});
