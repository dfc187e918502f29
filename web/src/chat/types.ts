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

export interface Reply {
  status: ReplyStatus;
  content: string;
  model?: string;
  stopping?: boolean;
  stats?: ReplyStats;
  /** A sentence for the person, when status is "error". */
  error?: string;
}

export interface Turn {
  id: number;
  prompt: string;
  reply: Reply;
}
