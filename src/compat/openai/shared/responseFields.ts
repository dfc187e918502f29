// Response fields every generating endpoint shares: usage, llama-server style timings,
// finish reason and system fingerprint.
import { createHash } from "node:crypto";
import type { FinishReason, Timings, Usage } from "../../../resolvers/index.js";

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  /** Of completion_tokens, those the model reasoned with (OpenAI's and vLLM's field). */
  completion_tokens_details: { reasoning_tokens: number };
}

/** Not in OpenAI's API: llama-server's timings object, plus the time spent queued. */
export interface WireTimings {
  queue_ms: number;
  cache_n: number;
  prompt_n: number;
  prompt_ms: number;
  prompt_per_token_ms: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_ms: number;
  predicted_per_token_ms: number;
  predicted_per_second: number;
}

/** OpenAI's finish reasons, plus vLLM's "abort" for a generation cancelled before its end. */
export type WireFinishReason = "stop" | "length" | "tool_calls" | "abort";

export function toWireUsage(usage: Usage): WireUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedPromptTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

export function toWireTimings(timings: Timings, usage: Usage): WireTimings {
  const evaluatedPromptTokens = usage.promptTokens - usage.cachedPromptTokens;
  return {
    queue_ms: timings.queueMs,
    cache_n: usage.cachedPromptTokens,
    prompt_n: evaluatedPromptTokens,
    prompt_ms: timings.promptMs,
    prompt_per_token_ms: evaluatedPromptTokens > 0 ? timings.promptMs / evaluatedPromptTokens : 0,
    prompt_per_second: timings.promptTokensPerSecond,
    predicted_n: usage.completionTokens,
    predicted_ms: timings.generationMs,
    predicted_per_token_ms: usage.completionTokens > 0 ? timings.generationMs / usage.completionTokens : 0,
    predicted_per_second: timings.generatedTokensPerSecond,
  };
}

/**
 * The wire finish reason. A generation that failed after it started ("error") has none: callers
 * answer it with an error (a 500, or an error event in a stream). OpenAI's wire has no reason for
 * a server-side timeout: it is "length" (the output was cut off by a limit, as llama-server reports
 * its own time limit), and `finishReasonDetail` says which limit.
 */
export function toWireFinishReason(reason: Exclude<FinishReason, "error">): WireFinishReason {
  if (reason === "cancelled") return "abort";
  if (reason === "timeout") return "length";
  return reason;
}

/** Not in OpenAI's API: on a choice whose finish reason the wire cannot say, what really ended it. */
export interface WireFinishReasonDetail {
  inferql_finish_reason?: "timeout";
}

/** The extension field a choice carries beside `finish_reason` (none unless it ended by timeout). */
export function finishReasonDetail(reason: FinishReason): WireFinishReasonDetail {
  return reason === "timeout" ? { inferql_finish_reason: "timeout" } : {};
}

const fingerprints = new Map<string, string>();

/** Stable per model: "inferql-" and the start of the SHA-256 of the model id. */
export function systemFingerprint(modelId: string): string {
  let fingerprint = fingerprints.get(modelId);
  if (!fingerprint) {
    fingerprint = `inferql-${createHash("sha256").update(modelId).digest("hex").slice(0, 12)}`;
    fingerprints.set(modelId, fingerprint);
  }
  return fingerprint;
}
