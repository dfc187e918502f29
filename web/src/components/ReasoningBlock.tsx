// The model's reasoning, above its answer: open while it streams, folded once the answer (or a tool
// call) begins; a click on its summary opens or folds it for good.
import { useState } from "preact/hooks";

interface ReasoningBlockProps {
  reasoning: string;
  /** Whether the reasoning is still growing: nothing else of the reply has come yet. */
  thinking: boolean;
}

export function ReasoningBlock({ reasoning, thinking }: ReasoningBlockProps) {
  const [chosen, setChosen] = useState<boolean>();
  const open = chosen ?? thinking;
  return (
    <details
      class="reasoning"
      open={open}
      data-testid="reasoning"
      onToggle={(event) => {
        // Toggles that only follow `open` are ignored; one that differs is the person's click.
        if (event.currentTarget.open !== open) setChosen(event.currentTarget.open);
      }}
    >
      <summary class="reasoning__summary">{thinking ? "Reasoning…" : "Reasoning"}</summary>
      <div class="reasoning__text" data-testid="reasoning-text">
        {reasoning.trim()}
      </div>
    </details>
  );
}
