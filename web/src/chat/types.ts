// What the chat shows: turns of a prompt and its reply, and each reply's numbers.
import type { FinishReason } from "../graphql/documents.js";

export type ReplyStatus = "waiting" | "streaming" | "done" | "cancelled" | "error";

export interface ReplyStats {
  finishReason: FinishReason;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  /** From sending the request to the first token, measured in the browser. */
  timeToFirstTokenMs?: number;
  tokensPerSecond: number;
  queueMs: number;
}

/** A tool the model called, and the result the person answered it with. */
export interface ToolCall {
  /** The call's id; the TOOL message answering it repeats it. Blank until its first delta names it. */
  id: string;
  name: string;
  /** JSON text, complete once the reply is done. */
  arguments: string;
  result?: string;
}

export interface Reply {
  status: ReplyStatus;
  /** The model's thinking before its answer, reported apart from it. */
  reasoning: string;
  content: string;
  toolCalls: readonly ToolCall[];
  model?: string;
  stopping?: boolean;
  stats?: ReplyStats;
  /** A sentence for the person, when status is "error". */
  error?: string;
}

export interface Turn {
  id: number;
  /** What the person wrote; none when the turn continues after tool results. */
  prompt?: string;
  reply: Reply;
}

export const EMPTY_REPLY: Reply = { status: "waiting", reasoning: "", content: "", toolCalls: [] };
