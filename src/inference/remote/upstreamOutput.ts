// An upstream's stream of OpenAI chunks (chat or text completions; llama-server's own, for infill,
// through fromLlamaServerChunk) as engine events: "started" when the upstream opens its answer (its
// role chunk: inferql sends it once it admits the request, llama-server and vLLM with the first token;
// else the first output), text / reasoning / tool-call deltas with their logprobs, then "finished"
// with the upstream's usage and finish reason.
import type { EngineEvent, EngineFinishReason, TokenLogprob } from "../types.js";

interface WireLogprob {
  token?: string;
  logprob?: number;
  bytes?: number[] | null;
  top_logprobs?: WireLogprob[];
}

interface WireChoice {
  index?: number;
  text?: string;
  delta?: {
    role?: string;
    content?: string | null;
    reasoning_content?: string | null;
    reasoning?: string | null;
    tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[];
  };
  logprobs?: {
    content?: WireLogprob[] | null;
    tokens?: string[];
    token_logprobs?: number[];
    top_logprobs?: (Record<string, number> | null)[];
  } | null;
  finish_reason?: string | null;
  inferql_finish_reason?: string;
}

export interface WireChunk {
  choices?: WireChoice[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number } | null;
    /** vLLM's and inferql's; llama-server's have none (the reasoning chunks are counted instead). */
    completion_tokens_details?: { reasoning_tokens?: number } | null;
  } | null;
  error?: { message?: string } | string;
}

/** One message of llama-server's own streams (/infill, /completion): a piece, or the last with the totals. */
export interface LlamaServerChunk {
  content?: string;
  stop?: boolean;
  /** Why it stopped: `eos`, `word` (a stop sequence), `limit` (n_predict or the context), `none`. */
  stop_type?: string;
  tokens_predicted?: number;
  tokens_evaluated?: number;
  tokens_cached?: number;
  error?: { message?: string } | string;
}

/** A llama-server chunk as the OpenAI text-completion chunk it stands for. */
export function fromLlamaServerChunk(chunk: LlamaServerChunk): WireChunk {
  if (chunk.error !== undefined) return { error: chunk.error };
  const finish = chunk.stop ? (chunk.stop_type === "limit" ? "length" : "stop") : null;
  return {
    choices: [{ index: 0, text: chunk.content ?? "", finish_reason: finish }],
    ...(chunk.stop
      ? {
          usage: {
            prompt_tokens: chunk.tokens_evaluated,
            completion_tokens: chunk.tokens_predicted,
            prompt_tokens_details: { cached_tokens: chunk.tokens_cached ?? 0 },
          },
        }
      : {}),
  };
}

interface ToolCall {
  name: string;
  arguments: string;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The upstream ended the generation in a way that is a failure (an in-band error, an abort of its own). */
export class UpstreamStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpstreamStreamError";
  }
}

const utf8 = new TextEncoder();

function toTokenLogprob(entry: WireLogprob): TokenLogprob {
  const token = entry.token ?? "";
  return {
    token,
    logprob: entry.logprob ?? 0,
    bytes: entry.bytes ?? [...utf8.encode(token)],
    topLogprobs: (entry.top_logprobs ?? []).map((top) => ({
      token: top.token ?? "",
      logprob: top.logprob ?? 0,
      bytes: top.bytes ?? [...utf8.encode(top.token ?? "")],
    })),
  };
}

/** Logprobs in either wire form: chat's `content` list, or text completions' parallel arrays. */
function toLogprobs(logprobs: WireChoice["logprobs"]): TokenLogprob[] | undefined {
  if (!logprobs) return undefined;
  if (logprobs.content) return logprobs.content.map(toTokenLogprob);
  if (!logprobs.tokens) return undefined;
  return logprobs.tokens.map((token, index) => ({
    token,
    logprob: logprobs.token_logprobs?.[index] ?? 0,
    bytes: [...utf8.encode(token)],
    topLogprobs: Object.entries(logprobs.top_logprobs?.[index] ?? {}).map(([top, logprob]) => ({
      token: top,
      logprob,
      bytes: [...utf8.encode(top)],
    })),
  }));
}

export class UpstreamOutput {
  /** Whether "started" went out: the upstream opened its answer (a retry elsewhere does not repeat it). */
  private started = false;
  /** Whether any output went out (after it, a failure cannot be retried elsewhere). */
  produced = false;
  private firstAt = 0;
  private finishReason?: EngineFinishReason;
  private usage?: NonNullable<WireChunk["usage"]>;
  private generated = 0;
  /** Reasoning chunks, a token each (the usage's count when the upstream reports one). */
  private reasoned = 0;
  private readonly toolCalls: ToolCall[] = [];

  constructor(
    private readonly slot: number,
    private readonly queueMs: number,
    private readonly sentAt: number,
    private readonly reasoningInline: boolean,
  ) {}

  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  /** Seconds from sending the request to its first output, once there was one. */
  get firstTokenSeconds(): number | undefined {
    return this.produced ? (this.firstAt - this.sentAt) / 1000 : undefined;
  }

  *chunk(chunk: WireChunk): Generator<EngineEvent> {
    if (chunk.error !== undefined) {
      const message =
        typeof chunk.error === "string" ? chunk.error : (chunk.error.message ?? "unknown error");
      throw new UpstreamStreamError(`the upstream failed: ${message}`);
    }
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return;
    if (choice.delta?.role) yield* this.start();
    const logprobs = toLogprobs(choice.logprobs);
    const tokenCount = Math.max(1, logprobs?.length ?? 1);
    const content = choice.text ?? choice.delta?.content ?? "";
    const reasoning = choice.delta?.reasoning_content ?? choice.delta?.reasoning ?? "";
    if (reasoning) {
      yield* this.produce();
      this.generated += 1;
      if (!this.reasoningInline) this.reasoned += 1;
      yield {
        type: "text",
        channel: this.reasoningInline ? "content" : "reasoning",
        text: reasoning,
        tokenCount: 1,
      };
    }
    if (content || logprobs?.length) {
      yield* this.produce();
      this.generated += tokenCount;
      yield {
        type: "text",
        channel: "content",
        text: content,
        tokenCount,
        ...(logprobs ? { logprobs } : {}),
      };
    }
    for (const call of choice.delta?.tool_calls ?? []) {
      yield* this.produce();
      const index = call.index ?? 0;
      const name = call.function?.name;
      const argumentsDelta = call.function?.arguments ?? "";
      if (this.toolCalls[index] === undefined) this.toolCalls[index] = { name: name ?? "", arguments: "" };
      else if (name) this.toolCalls[index].name = name;
      this.toolCalls[index].arguments += argumentsDelta;
      this.generated += 1;
      yield { type: "toolCall", index, ...(name ? { name } : {}), argumentsDelta, tokenCount: 1 };
    }
    if (choice.finish_reason) {
      yield* this.produce();
      this.finishReason = this.toFinishReason(choice);
    }
  }

  /** The "finished" event: the upstream's reason, or `reason` when the generation was stopped here. */
  *finish(reason?: EngineFinishReason): Generator<EngineEvent> {
    yield* this.produce();
    const endedAt = performance.now();
    const promptMs = this.firstAt - this.sentAt;
    const generationMs = endedAt - this.firstAt;
    const promptTokens = this.usage?.prompt_tokens ?? 0;
    const completionTokens = this.usage?.completion_tokens ?? this.generated;
    const finishReason = reason ?? this.finishReason ?? "stop";
    yield {
      type: "finished",
      reason: finishReason,
      ...this.completeCalls(finishReason),
      usage: {
        promptTokens,
        completionTokens,
        reasoningTokens: this.usage?.completion_tokens_details?.reasoning_tokens ?? this.reasoned,
        cachedPromptTokens: this.usage?.prompt_tokens_details?.cached_tokens ?? 0,
      },
      timings: {
        queueMs: this.queueMs,
        promptMs,
        generationMs,
        promptTokensPerSecond: promptMs > 0 ? (promptTokens * 1000) / promptMs : 0,
        generatedTokensPerSecond: generationMs > 0 ? (completionTokens * 1000) / generationMs : 0,
      },
    };
  }

  /**
   * The calls the upstream finished, as a local model reports them: when a limit ended the answer,
   * the call it was writing is cut off (not a call) unless its arguments already parse.
   */
  private completeCalls(reason: EngineFinishReason): { toolCalls: ToolCall[]; truncatedToolCall?: string } {
    const calls = this.toolCalls.filter((call) => call !== undefined);
    const last = calls.at(-1);
    if (reason === "stop" || last === undefined || parsesAsJson(last.arguments)) return { toolCalls: calls };
    return { toolCalls: calls.slice(0, -1), truncatedToolCall: last.arguments };
  }

  private *start(): Generator<EngineEvent> {
    if (this.started) return;
    this.started = true;
    // The prompt's size is known at the end only (the upstream's usage).
    yield { type: "started", slot: this.slot, promptTokens: 0, cachedPromptTokens: 0 };
  }

  /** Starts the answer if the upstream sent no role chunk, and notes when its output began. */
  private *produce(): Generator<EngineEvent> {
    yield* this.start();
    if (this.produced) return;
    this.produced = true;
    this.firstAt = performance.now();
  }

  private toFinishReason(choice: WireChoice): EngineFinishReason {
    if (choice.inferql_finish_reason === "timeout") return "timeout";
    switch (choice.finish_reason) {
      case "length":
        return "length";
      case "abort":
      case "cancelled":
      case "error":
        throw new UpstreamStreamError(`the upstream ended the generation (${choice.finish_reason})`);
      default:
        // stop, tool_calls (the resolvers read the calls), content_filter, eos…
        return "stop";
    }
  }
}
