// The message box: Enter sends, Shift+Enter breaks the line, Escape stops the reply.
import { useRef, useState } from "preact/hooks";

interface ComposerProps {
  busy: boolean;
  problem?: string;
  onSend(prompt: string): boolean;
  onStop(): void;
}

export function Composer({ busy, problem, onSend, onStop }: ComposerProps) {
  const [draft, setDraft] = useState("");
  const input = useRef<HTMLTextAreaElement>(null);
  const submit = () => {
    const prompt = draft.trim();
    if (!prompt || busy) return;
    if (onSend(prompt)) setDraft("");
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape" && busy) {
      event.preventDefault();
      onStop();
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
        input.current?.focus();
      }}
    >
      {problem && (
        <p class="composer__problem" role="alert">
          {problem}
        </p>
      )}
      <label for="message" class="visually-hidden">
        Message
      </label>
      <textarea
        id="message"
        ref={input}
        rows={2}
        placeholder="Send a message…"
        value={draft}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        aria-describedby="message-hint"
      />
      <div class="composer__bar">
        <p id="message-hint" class="field__hint">
          Enter sends · Shift+Enter new line · Esc stops
        </p>
        <div class="composer__buttons">
          <button type="button" class="button button--secondary" onClick={onStop} disabled={!busy}>
            Stop
          </button>
          <button type="submit" class="button button--primary" disabled={busy || draft.trim() === ""}>
            Send
          </button>
        </div>
      </div>
    </form>
  );
}
