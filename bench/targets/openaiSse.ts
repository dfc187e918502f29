// OpenAI-compatible chat streaming (SSE) through the official `openai` client: inferql's /v1, or any
// other server that speaks the protocol (llama-server, vLLM, another inferql).
import OpenAI from "openai";
import type { BenchRequest, StreamEvent, Target, TargetSession } from "./target.js";

export interface OpenAiTargetOptions {
  name: string;
  description: string;
  /** Server root, e.g. http://127.0.0.1:8080 (`/v1` is added). */
  baseUrl: string;
  /** Model id to request; default: the first one `/v1/models` lists. */
  model?: string;
}

export function openAiSseTarget(options: OpenAiTargetOptions): Target {
  return { name: options.name, description: options.description, open: () => openSession(options) };
}

async function openSession(options: OpenAiTargetOptions): Promise<TargetSession> {
  const client = new OpenAI({
    baseURL: `${options.baseUrl.replace(/\/+$/, "")}/v1`,
    apiKey: process.env.OPENAI_API_KEY ?? "not-needed",
    // The SDK default: a request is re-sent only when the connection failed before any answer
    // (llama-server sometimes closes a kept-alive connection as the next request goes out).
    maxRetries: 2,
    timeout: 600_000,
  });
  const model = options.model ?? (await client.models.list()).data[0]?.id ?? "default";
  return {
    async *stream(request: BenchRequest): AsyncGenerator<StreamEvent> {
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: "user", content: request.prompt }],
        max_tokens: request.maxTokens,
        seed: request.seed,
        temperature: request.temperature,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) {
        const text = chunk.choices[0]?.delta?.content;
        if (text) yield { type: "delta", text };
        if (chunk.usage)
          yield {
            type: "usage",
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
            cachedPromptTokens: chunk.usage.prompt_tokens_details?.cached_tokens,
          };
      }
    },
    async close() {},
  };
}
