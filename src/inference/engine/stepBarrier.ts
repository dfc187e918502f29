// Lines up the generations of one context so that they ask for their next tokens together, in
// sequence order: one decode then carries every sequence's token.
//
// node-llama-cpp queues a sequence's next decode as soon as that sequence has its token, and its
// decode loop starts the next decode with whatever is queued when the previous one ends. With
// several sequences the last one to get its token usually misses that moment, so one step's tokens
// go out in two decodes. llama.cpp also splits a batch into micro-batches of consecutive, increasing
// sequence ids (for a per-sequence KV cache), and it can reuse its compute graph only when a decode
// has the same shape as the one before. Decodes of changing shapes rebuilt the graph every time:
// four sequences on the bench model gave 308–325 tokens/s with no graph reused, and 399–530 with
// every graph but the first reused once they asked together, in order.

export class StepBarrier {
  /**
   * The generations past their first token, by position (slot index = sequence order), each with its
   * signal and the one abort listener it has for as long as it is a member (not one per step).
   */
  private readonly members = new Map<number, { signal: AbortSignal; onAbort: () => void }>();
  private readonly waiting = new Map<number, () => void>();

  /** A generation has its first token: from now on its steps line up with the others' until `signal` aborts. */
  join(position: number, signal: AbortSignal): void {
    // Aborted while it waits: it goes on alone (and ends), the others keep waiting until it leaves.
    const onAbort = () => {
      const release = this.waiting.get(position);
      this.waiting.delete(position);
      release?.();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    this.members.set(position, { signal, onAbort });
  }

  /** A generation ended (never while it waits here): the others no longer wait for it. */
  leave(position: number): void {
    const member = this.members.get(position);
    member?.signal.removeEventListener("abort", member.onAbort);
    this.members.delete(position);
    this.releaseIfAllArrived();
  }

  /**
   * Resolves when every member has arrived (at once when this is the only one), the members in
   * position order; or when the member's signal aborts.
   */
  arrive(position: number): Promise<void> {
    const member = this.members.get(position);
    if (!member || member.signal.aborted || this.members.size <= 1) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiting.set(position, resolve);
      // After the caller has awaited this promise: the last to arrive resumes in its turn too.
      queueMicrotask(() => this.releaseIfAllArrived());
    });
  }

  private releaseIfAllArrived(): void {
    if (this.waiting.size === 0) return;
    for (const position of this.members.keys()) if (!this.waiting.has(position)) return;
    const released = [...this.waiting.entries()].sort(([a], [b]) => a - b);
    this.waiting.clear();
    for (const [, release] of released) release();
  }
}
