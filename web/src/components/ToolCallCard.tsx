// One tool call of a reply: the tool, its arguments (pretty when they are JSON) and its id, then the
// result the person answered it with, or a box to answer it.
import { useState } from "preact/hooks";
import type { ToolCall } from "../chat/types.js";

interface ToolCallCardProps {
  call: ToolCall;
  /** Offered while the call is the conversation's last and waits for its result. */
  onAnswer?(result: string): boolean;
}

function prettyArguments(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text; // still streaming, or not JSON: shown as the model wrote it
  }
}

export function ToolCallCard({ call, onAnswer }: ToolCallCardProps) {
  const [draft, setDraft] = useState("");
  const resultId = `tool-result-${call.id}`;
  return (
    <section class="tool-call" aria-label={`Tool call ${call.name}`} data-testid="tool-call">
      <header class="tool-call__head">
        <span class="tool-call__kind">Calls</span>
        <code class="tool-call__name" data-testid="tool-call-name">
          {call.name || "…"}
        </code>
        {call.id && (
          <code class="tool-call__id muted" data-testid="tool-call-id" title="Call id">
            {call.id}
          </code>
        )}
      </header>
      <pre class="tool-call__arguments mono" data-testid="tool-call-arguments">
        {prettyArguments(call.arguments)}
      </pre>
      {call.result !== undefined && (
        <p class="tool-call__result" data-testid="tool-call-result">
          <span class="muted">Result: </span>
          <span class="mono">{call.result}</span>
        </p>
      )}
      {call.result === undefined && onAnswer && (
        <form
          class="tool-call__answer"
          onSubmit={(event) => {
            event.preventDefault();
            if (draft.trim() && onAnswer(draft.trim())) setDraft("");
          }}
        >
          <label for={resultId} class="visually-hidden">
            Result of {call.name}
          </label>
          <input
            id={resultId}
            class="mono"
            placeholder='The tool’s result, e.g. {"temperature": 21}'
            value={draft}
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
          <button type="submit" class="button button--secondary button--small" disabled={!draft.trim()}>
            Answer
          </button>
        </form>
      )}
    </section>
  );
}
