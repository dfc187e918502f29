// The conversation: each prompt and its reply as it streams, with the reply's state, numbers and
// errors. Follows the newest text while the reader is at the bottom.
import { useLayoutEffect, useRef } from "preact/hooks";
import type { Reply, Turn } from "../chat/types.js";
import { ReplyStats } from "./ReplyStats.js";

const STATUS_LABELS: Record<Reply["status"], string> = {
  waiting: "Waiting for a slot…",
  streaming: "Generating…",
  done: "Done",
  cancelled: "Cancelled",
  error: "Failed",
};

interface ChatLogProps {
  turns: readonly Turn[];
  busy: boolean;
  onRetry(): void;
}

function announcementOf(turn: Turn | undefined): string {
  if (!turn) return "";
  const { reply } = turn;
  if (reply.status === "done") return `Reply finished: ${reply.stats?.completionTokens ?? 0} tokens.`;
  if (reply.status === "cancelled") return "Reply cancelled.";
  if (reply.status === "error") return `Reply failed. ${reply.error ?? ""}`;
  return "Generating a reply.";
}

function ReplyView({
  reply,
  index,
  canRetry,
  onRetry,
}: {
  reply: Reply;
  index: number;
  canRetry: boolean;
  onRetry(): void;
}) {
  const label = reply.stopping ? "Stopping…" : STATUS_LABELS[reply.status];
  const live = reply.status === "waiting" || reply.status === "streaming";
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
      {(reply.content || live) && (
        <div class="reply__text" data-testid="reply-text">
          {/* Models often open with a space or a newline; it reads as a stray indent. */}
          {reply.content.trimStart()}
          {live && <span class="cursor" aria-hidden="true" />}
        </div>
      )}
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

export function ChatLog({ turns, busy, onRetry }: ChatLogProps) {
  const log = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  useLayoutEffect(() => {
    const element = log.current;
    if (element && following.current) element.scrollTop = element.scrollHeight;
  });
  const onScroll = () => {
    const element = log.current;
    if (element) following.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
  };

  return (
    <section class="log" aria-label="Conversation" ref={log} onScroll={onScroll}>
      {turns.length === 0 && (
        <div class="empty">
          <h2>Chat with a local model</h2>
          <p>
            Replies stream token by token from the GraphQL <code>chatCompletion</code> subscription over
            graphql-ws. Stop cancels the generation and frees its slot at once.
          </p>
        </div>
      )}
      <ol class="turns">
        {turns.map((turn, index) => (
          <li key={turn.id} class="turn">
            <div class="prompt">
              <span class="visually-hidden">You: </span>
              {turn.prompt}
            </div>
            <ReplyView
              reply={turn.reply}
              index={index + 1}
              canRetry={!busy && index === turns.length - 1}
              onRetry={onRetry}
            />
          </li>
        ))}
      </ol>
      <p class="visually-hidden" aria-live="polite">
        {announcementOf(turns.at(-1))}
      </p>
    </section>
  );
}
