// Smoke test of a running fleet (deploy/compose.fleet.yaml, cpu profile) through its load balancer,
// with the clients users use. Run from the repository root after `npm install` and `npm run build`:
//
//   node deploy/checkFleet.mjs [base URL, default http://127.0.0.1:8080]
//
// Environment: ENGINE (docker or podman; default: whichever is installed), PROJECT (the compose
// project name, default `deploy`). It kills one gateway node and one replica on the way (the fleet's
// `restart: unless-stopped` does not bring back a killed container under podman: restart them after).
import { execFileSync } from "node:child_process";
import { createClient } from "graphql-ws";
import OpenAI from "openai";
import WebSocket from "ws";
import { createInferqlClient } from "../dist/client/index.js";

const base = process.argv[2] ?? "http://127.0.0.1:8080";
const engine = process.env.ENGINE ?? (hasCommand("docker") ? "docker" : "podman");
const project = process.env.PROJECT ?? "deploy";
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: "none", maxRetries: 0 });

function hasCommand(name) {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function ok(what) {
  console.log(`ok: ${what}`);
}

function check(condition, what) {
  if (!condition) throw new Error(`FAIL: ${what}`);
  ok(what);
}

async function streamOpenAi(content) {
  const stream = await openai.chat.completions.create({
    model: "tiny",
    messages: [{ role: "user", content }],
    max_tokens: 8,
    stream: true,
    stream_options: { include_usage: true },
  });
  let finish;
  let usage;
  for await (const chunk of stream) {
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  return { finish, usage };
}

async function streamGraphqlWs() {
  const client = createClient({ url: `${base.replace(/^http/, "ws")}/graphql`, webSocketImpl: WebSocket });
  try {
    const types = [];
    const query = `subscription($input: ChatCompletionInput!) { chatCompletion(input: $input) {
      __typename ... on GenerationFinished { finishReason } } }`;
    const input = { model: "tiny", messages: [{ role: "USER", content: "Hi" }], maxTokens: 8 };
    for await (const result of client.iterate({ query, variables: { input } })) {
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      types.push(result.data.chatCompletion.__typename);
    }
    return types;
  } finally {
    await client.dispose();
  }
}

async function fleetNodes() {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ scheduler { nodeId models { nodeId modelId } } }" }),
  });
  const { data, errors } = await response.json();
  if (errors) throw new Error(JSON.stringify(errors));
  return { answeredBy: data.scheduler.nodeId, listed: new Set(data.scheduler.models.map((m) => m.nodeId)) };
}

function kill(service) {
  execFileSync(engine, ["kill", `${project}_${service}_1`], { stdio: "ignore" });
  ok(`killed ${project}_${service}_1`);
}

const models = await openai.models.list();
check(
  models.data.some((model) => model.id === "tiny"),
  "/v1/models through the balancer lists tiny",
);

const first = await streamOpenAi("Hi");
check(first.finish === "length" && first.usage?.completion_tokens === 8, "OpenAI SSE stream ends with usage");

const types = await streamGraphqlWs();
check(
  types[0] === "GenerationStarted" && types.at(-1) === "GenerationFinished",
  `graphql-ws through the balancer's WebSocket upgrade (${types.length} events)`,
);

const trpc = createInferqlClient(base);
const trpcEvents = [];
for await (const event of trpc.chat.stream.subscribe({
  model: "tiny",
  messages: [{ role: "user", content: "Hi" }],
  maxTokens: 8,
})) {
  trpcEvents.push(event.type);
}
check(trpcEvents.at(-1) === "finished", "tRPC SSE subscription through the balancer");

const answeredBy = new Set();
let listed = new Set();
for (let i = 0; i < 8; i++) {
  const view = await fleetNodes();
  answeredBy.add(view.answeredBy);
  listed = view.listed;
}
check(listed.size === 2, `the fleet view (Redis) lists both gateway nodes: ${[...listed].join(", ")}`);
check(answeredBy.size === 2, "the balancer sends requests to both gateway nodes");

kill("inferql");
for (let i = 0; i < 4; i++) {
  const { finish } = await streamOpenAi(`after a node died, request ${i}`);
  check(finish === "length", `request ${i} served by the surviving gateway node`);
}

kill("replica-1");
for (let i = 0; i < 4; i++) {
  const { finish } = await streamOpenAi(`after a replica died, request ${i}`);
  check(finish === "length", `request ${i} served by the surviving replica`);
}
console.log("fleet check passed");
