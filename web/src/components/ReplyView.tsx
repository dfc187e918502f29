// One reply as it streams: its reasoning, its text, the tools it calls, its state, numbers and errors.
import type { Reply } from "../chat/types.js";
import { ReasoningBlock } from "./ReasoningBlock.js";
import { ReplyStats } from "./ReplyStats.js";
import { ToolCallCard } from "./ToolCallCard.js";

const STATUS_LABELS: Record<Reply["status"], string> = {
  waiting: "Waiting for a slot…",
  streaming: "Generating…",
  done: "Done",
  cancelled: "Cancelled",
  error: "Failed",
};

interface ReplyViewProps {
  reply: Reply;
  index: number;
  canRetry: boolean;
  onRetry(): void;
  /** Given while the reply's tool calls may be answered; returns whether the answer was taken. */
  onAnswerToolCall?(callIndex: number, result: string): boolean;
}

export function ReplyView({ reply, index, canRetry, onRetry, onAnswerToolCall }: ReplyViewProps) {
  const label = reply.stopping ? "Stopping…" : STATUS_LABELS[reply.status];
  const live = reply.status === "waiting" || reply.status === "streaming";
  const calling = reply.toolCalls.length > 0;
  return (
    <article
      class={`reply reply--${reply.status}`}
      aria-label={`Reply ${index}`}
      data-status={reply.status}
      aria-busy={live}
    >
      <header class="reply__meta">
        <span class="reply__who">{reply.model ?? "assistant"}</span>
        <span class={`badge badge--${reply.status}`} data-testid="reply-status">
          {label}
        </span>
      </header>
      {reply.reasoning && (
        <ReasoningBlock reasoning={reply.reasoning} thinking={live && !reply.content && !calling} />
      )}
      {(reply.content || (live && !calling)) && (
        <div class="reply__text" data-testid="reply-text">
          {/* Models often open with a space or a newline; it reads as a stray indent. */}
          {reply.content.trimStart()}
          {live && !calling && <span class="cursor" aria-hidden="true" />}
        </div>
      )}
      {reply.toolCalls.map((call, callIndex) => (
        <ToolCallCard
          // Calls only grow at the end while streaming: a call's position is its identity.
          key={callIndex}
          call={call}
          onAnswer={onAnswerToolCall && ((result) => onAnswerToolCall(callIndex, result))}
        />
      ))}
      {reply.error && (
        <p class="reply__error" role="alert">
          {reply.error}
        </p>
      )}
      {reply.stats && <ReplyStats stats={reply.stats} />}
      {canRetry && (reply.status === "error" || reply.status === "cancelled") && (
        <div class="reply__actions">
          <button type="button" class="button button--secondary button--small" onClick={onRetry}>
            Retry
          </button>
        </div>
      )}
    </article>
  );
}
