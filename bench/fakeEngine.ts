// A FAKE, instant engine for the transport-ceiling run: the real transports (GraphQL over graphql-ws
// and SSE, tRPC, OpenAI REST) on one real HTTP server, over resolvers whose chat stream yields
// `maxTokens` one-token deltas as fast as the consumer takes them. No model, no llama.cpp: what it
// measures is the most events per second each transport can stream.
import type { AddressInfo } from "node:net";
import { createGraphqlMount } from "../src/api/graphql/index.js";
import { createHttpServer } from "../src/api/http.js";
import type { HttpMount } from "../src/api/httpMount.js";
import { createTrpcMount } from "../src/api/trpc/index.js";
import { createOpenAiMount } from "../src/compat/openai/index.js";
import { ModelRegistry } from "../src/inference/modelRegistry.js";
import { Scheduler } from "../src/inference/scheduler/scheduler.js";
import { createLogger } from "../src/logger.js";
import { createMetrics } from "../src/observability/metrics.js";
import {
  type ChatCompletionEvent,
  chatCompletionInputSchema,
  createResolvers,
  type GenerationCall,
  type Resolvers,
} from "../src/resolvers/index.js";
import { parseInput } from "../src/resolvers/parseInput.js";

export const FAKE_MODEL_ID = "fake-instant";

/** The text of every fake delta: one short word, as a token of the bench models reads. */
const FAKE_TOKEN_TEXT = " lorem";

export interface FakeEngineServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the real transports over the fake stream on 127.0.0.1 (a free port). */
export async function startFakeEngineServer(): Promise<FakeEngineServer> {
  const logger = createLogger("error");
  const registry = new ModelRegistry([{ id: FAKE_MODEL_ID, path: "", adapters: new Map() }], {
    slots: 1,
    contextSize: 2048,
    threads: 1,
    batchSize: 512,
  });
  const scheduler = new Scheduler(registry, { queueSize: 1024, requestTimeoutMs: 600_000 });
  const resolvers: Resolvers = {
    ...createResolvers({ registry, scheduler }),
    streamChatCompletion: fakeChat,
  };
  const mounts: HttpMount[] = [
    createGraphqlMount(resolvers, logger),
    createTrpcMount(resolvers, logger),
    createOpenAiMount(resolvers, logger),
  ];
  const server = createHttpServer(
    mounts,
    logger,
    createMetrics(
      scheduler,
      registry.specs.map((spec) => spec.id),
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await Promise.all(mounts.map((mount) => mount.close?.()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Validates the input as the real operation does, then streams `maxTokens` deltas with no waiting. */
function fakeChat(input: unknown, call?: GenerationCall): AsyncGenerator<ChatCompletionEvent> {
  const parsed = parseInput(chatCompletionInputSchema, input);
  return fakeEvents(parsed.maxTokens ?? 16, call?.signal);
}

async function* fakeEvents(count: number, signal?: AbortSignal): AsyncGenerator<ChatCompletionEvent> {
  const id = `chatcmpl-fake-${Math.random().toString(36).slice(2)}`;
  const created = Math.floor(Date.now() / 1000);
  yield {
    type: "started",
    id,
    model: FAKE_MODEL_ID,
    created,
    promptTokens: 1,
    cachedPromptTokens: 0,
    choiceCount: 1,
  };
  let sent = 0;
  while (sent < count && !signal?.aborted) {
    sent++;
    yield { type: "contentDelta", id, choiceIndex: 0, content: FAKE_TOKEN_TEXT };
  }
  const usage = {
    promptTokens: 1,
    completionTokens: sent,
    reasoningTokens: 0,
    totalTokens: 1 + sent,
    cachedPromptTokens: 0,
  };
  yield {
    type: "finished",
    id,
    choiceIndex: 0,
    finishReason: signal?.aborted ? "cancelled" : "length",
    usage,
    totalUsage: usage,
    timings: {
      queueMs: 0,
      promptMs: 0,
      generationMs: 0,
      promptTokensPerSecond: 0,
      generatedTokensPerSecond: 0,
    },
    content: FAKE_TOKEN_TEXT.repeat(sent),
    reasoning: null,
    toolCalls: [],
  };
}
