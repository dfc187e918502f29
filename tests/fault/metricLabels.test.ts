// What clients send never becomes a Prometheus label value: a model id no served model has is
// counted under `unknown`, paths under their route's bounded name. Otherwise every new string a
// client sends would add a time series to /metrics, without bound.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { postGraphql } from "../support/graphqlClients.js";
import { openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
beforeAll(async () => {
  app = await startTestServer();
});
afterAll(async () => app?.close());

/** A different made-up model id per use, long as the one seen in the wild. */
const madeUp = (transport: string) => `made-up-${transport}-${"x".repeat(200)}`;

async function metricsText(): Promise<string> {
  const response = await fetch(`${app.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** Every value the `model` label has in the exposition. */
function modelLabelValues(text: string): Set<string> {
  return new Set([...text.matchAll(/[{,]model="([^"]*)"/g)].map((match) => match[1]));
}

const rejectedUnknown = (text: string) =>
  Number(
    /^inferql_generations_total\{model="unknown",finish_reason="rejected"\} (\d+)$/m.exec(text)?.[1] ?? 0,
  );

test("generations for a model the server does not serve are counted under model=unknown, on every transport", async () => {
  const before = rejectedUnknown(await metricsText());
  const openai = openAiClient(app.url);
  const messages = [{ role: "user" as const, content: "hi" }];
  await expect(
    openai.chat.completions.create({ model: madeUp("openai-chat"), messages, max_tokens: 2 }),
  ).rejects.toMatchObject({ status: 404 });
  await expect(
    openai.completions.create({ model: madeUp("openai-completions"), prompt: "hi", max_tokens: 2 }),
  ).rejects.toMatchObject({ status: 404 });
  const graphql = await postGraphql(
    app.url,
    "mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { id } }",
    { input: { model: madeUp("graphql"), messages: [{ role: "USER", content: "hi" }], maxTokens: 2 } },
  );
  expect(graphql.errors?.[0]?.extensions?.code).toBe("MODEL_NOT_FOUND");
  const trpc = createInferqlClient(app.url);
  await expect(trpc.chat.create.mutate({ model: madeUp("trpc"), messages, maxTokens: 2 })).rejects.toThrow();
  // And one generation of a served model, which keeps its id.
  await app.resolvers.createChatCompletion({ messages, maxTokens: 2 });

  const text = await metricsText();
  expect(text).not.toContain("made-up-");
  expect([...modelLabelValues(text)].sort()).toEqual(["tiny", "unknown"]);
  expect(rejectedUnknown(text) - before).toBe(4);
  expect(text).toMatch(/^inferql_generations_total\{model="tiny",finish_reason="length"\} [1-9]\d*$/m);
});

test("paths a client makes up are counted under their route's name, never as themselves", async () => {
  const made = `made-up-path-${"y".repeat(200)}`;
  for (const pathname of [
    `/v1/models/${made}`,
    `/v1/${made}`,
    `/trpc/${made}`,
    `/${made}`,
    `/graphql/${made}`,
  ])
    await fetch(`${app.url}${pathname}`);
  const text = await metricsText();
  expect(text).not.toContain("made-up-path-");
  expect(text).toMatch(
    /^inferql_http_requests_total\{transport="openai",route="\/v1\/models\/\{id\}",status="404"\} \d+$/m,
  );
});
