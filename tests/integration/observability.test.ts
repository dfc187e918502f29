// /metrics, /ready and request ids, as an operator sees them.
import { afterAll, beforeAll, expect, test } from "vitest";
import { WebSocket } from "ws";
import type { RunningInferql } from "../../src/app.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
beforeAll(async () => {
  app = await startTestServer();
});
afterAll(async () => app?.close());

test("/metrics counts requests, tokens and latencies in Prometheus format", async () => {
  await app.resolvers.createChatCompletion({ messages: [{ role: "user", content: "hi" }], maxTokens: 12 });
  await fetch(`${app.url}/health`);
  const response = await fetch(`${app.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  const text = await response.text();
  expect(text).toMatch(/^inferql_generated_tokens_total\{model="tiny"\} (\d+)$/m);
  expect(
    Number(/^inferql_generated_tokens_total\{model="tiny"\} (\d+)$/m.exec(text)?.[1]),
  ).toBeGreaterThanOrEqual(12);
  expect(text).toMatch(
    /^inferql_http_requests_total\{transport="health",route="health",status="200"\} \d+$/m,
  );
  expect(text).toMatch(/^inferql_time_to_first_token_seconds_count\{model="tiny"\} [1-9]\d*$/m);
  expect(text).toMatch(/^inferql_inter_token_latency_seconds_count\{model="tiny"\} [1-9]\d*$/m);
  expect(text).toMatch(/^inferql_generations_total\{model="tiny",finish_reason="length"\} [1-9]\d*$/m);
  expect(text).toMatch(/^inferql_busy_slots\{model="tiny"\} 0$/m);
  expect(text).toMatch(/^inferql_queue_depth\{model="tiny"\} 0$/m);
  expect(text).toMatch(/^inferql_process_resident_memory_bytes \d+/m);
});

test("/ready is 200 once the model is loaded and the queue has room", async () => {
  const response = await fetch(`${app.url}/ready`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ ready: true, status: "ready", saturated: [] });
});

test("every response carries a request id, and a plain client-supplied one is kept", async () => {
  const generated = await fetch(`${app.url}/health`);
  expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  const kept = await fetch(`${app.url}/health`, { headers: { "x-request-id": "trace-42" } });
  expect(kept.headers.get("x-request-id")).toBe("trace-42");
});

test("requests are counted by transport and bounded route label, WebSocket upgrades included", async () => {
  await fetch(`${app.url}/v1/models/tiny`);
  await fetch(`${app.url}/v1/models/some/other-id`);
  const socket = new WebSocket(`${app.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
  await new Promise((resolve, reject) => {
    socket.on("open", resolve);
    socket.on("error", reject);
  });
  socket.close();
  const text = await (await fetch(`${app.url}/metrics`)).text();
  expect(text).toMatch(
    /^inferql_http_requests_total\{transport="openai",route="\/v1\/models\/\{id\}",status="200"\} 1$/m,
  );
  expect(text).toMatch(
    /^inferql_http_requests_total\{transport="openai",route="\/v1\/models\/\{id\}",status="404"\} 1$/m,
  );
  expect(text).toMatch(
    /^inferql_http_requests_total\{transport="graphql",route="graphql",status="101"\} 1$/m,
  );
  expect(text).not.toContain("other-id");
});
