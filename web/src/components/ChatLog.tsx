// The conversation: each prompt and its reply as it streams. Follows the newest text while the reader
// is at the bottom.
import { useLayoutEffect, useRef } from "preact/hooks";
import type { Turn } from "../chat/types.js";
import { ReplyView } from "./ReplyView.js";

interface ChatLogProps {
  turns: readonly Turn[];
  busy: boolean;
  onRetry(): void;
  /** Answers a tool call of the last reply; returns whether the answer was taken. */
  onAnswerToolCall(callIndex: number, result: string): boolean;
}

function announcementOf(turn: Turn | undefined): string {
  if (!turn) return "";
  const { reply } = turn;
  if (reply.status === "done" && reply.toolCalls.length > 0)
    return `Reply finished: it calls ${reply.toolCalls.map((call) => call.name).join(", ")}.`;
  if (reply.status === "done") return `Reply finished: ${reply.stats?.completionTokens ?? 0} tokens.`;
  if (reply.status === "cancelled") return "Reply cancelled.";
  if (reply.status === "error") return `Reply failed. ${reply.error ?? ""}`;
  return "Generating a reply.";
}

export function ChatLog({ turns, busy, onRetry, onAnswerToolCall }: ChatLogProps) {
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
            {turn.prompt !== undefined && (
              <div class="prompt">
                <span class="visually-hidden">You: </span>
                {turn.prompt}
              </div>
            )}
            <ReplyView
              reply={turn.reply}
              index={index + 1}
              canRetry={!busy && index === turns.length - 1}
              onRetry={onRetry}
              onAnswerToolCall={
                !busy && index === turns.length - 1 && turn.reply.status === "done"
                  ? onAnswerToolCall
                  : undefined
              }
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
