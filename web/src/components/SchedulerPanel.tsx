// The scheduler, live: busy slots, the queue, and each model's slots. Collapsed, its summary
// still says how busy the server is.
import { useState } from "preact/hooks";
import { formatCount } from "../format.js";
import type { SchedulerFeed } from "../hooks/useServerState.js";

interface SchedulerPanelProps {
  feed: SchedulerFeed;
  /** Whether updates can arrive now (the connection is up). */
  live: boolean;
  initiallyOpen: boolean;
}

export function SchedulerPanel({ feed, live, initiallyOpen }: SchedulerPanelProps) {
  const { state, error } = feed;
  const [open, setOpen] = useState(initiallyOpen);
  const fleet = state?.models.some((model) => model.nodeId !== state.nodeId) ?? false;
  return (
    <details class="panel" open={initiallyOpen} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary class="panel__title">
        <h2 class="panel__heading">Scheduler</h2>
        {state && live && !error && (
          <span class="live" title="Updated live from the schedulerEvents subscription">
            live
          </span>
        )}
        {state && !open && (
          <span class="panel__summary">
            {state.busySlots}/{state.totalSlots} busy · {state.queued} queued
          </span>
        )}
      </summary>
      {error && <p class="field__error">{error}</p>}
      {!state && !error && <p class="muted panel__body">Waiting for the first update…</p>}
      {state && (
        <>
          <dl class="scheduler__totals">
            <div>
              <dt>Busy slots</dt>
              <dd data-testid="busy-slots">
                {state.busySlots} / {state.totalSlots}
              </dd>
            </div>
            <div>
              <dt>Queued</dt>
              <dd data-testid="queued">{state.queued}</dd>
            </div>
          </dl>
          {state.models.map((model) => (
            <div class="scheduler__model" key={`${model.nodeId}/${model.modelId}`}>
              <p class="scheduler__model-name">
                {model.modelId}
                {/* A fleet (--redis) lists every node's models: say whose these are. */}
                {fleet && <span class="muted"> · {model.nodeId}</span>}
                <span class="muted">
                  {" "}
                  · queue {model.queued}/{model.queueCapacity}
                </span>
              </p>
              <ul class="slots" aria-label={`Slots of ${model.modelId}${fleet ? ` on ${model.nodeId}` : ""}`}>
                {model.slots.map((slot) => {
                  const description = `Slot ${slot.index}: ${slot.busy ? "busy" : "free"}, ${formatCount(slot.cachedTokens)} cached tokens`;
                  return (
                    <li key={slot.index} class={slot.busy ? "slot slot--busy" : "slot"} title={description}>
                      <span class="visually-hidden">{description}</span>
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </>
      )}
    </details>
  );
}
