// Decides when a context's generations ask for their next token: together, and never while one of
// its slots has a KV-cache edit pending.
//
// Together: between two tokens the generations line up with each other (StepBarrier), so that one
// decode carries the next token of every sequence.
//
// Never during an edit: node-llama-cpp erases a sequence's cached tokens under the context's lock,
// and its decode loop holds that lock for as long as any sequence has a decode queued. With other
// slots generating, one of them has almost always re-queued its next token by the time a decode
// ends, so the erase that a new request needs before its prompt (to drop the previous request's
// tokens beyond the shared prefix) waited until the other generations ended: time to first token of
// seconds with a free slot. The gate pauses the context's generations between two tokens while an
// edit is pending: the queued decodes run out, the loop lets the lock go, the edit runs, and the
// generations resume — a pause of about one decode instead of the rest of their outputs.

import { StepBarrier } from "./stepBarrier.js";

export class ContextStepGate {
  private readonly steps = new StepBarrier();
  private pendingEdits = 0;
  private reopened: Promise<void> | undefined;
  private reopen: (() => void) | undefined;

  /** Runs `edit` (an operation that takes the context lock) with the context's generations paused. */
  async edit<T>(edit: () => Promise<T>): Promise<T> {
    if (this.pendingEdits++ === 0)
      this.reopened = new Promise<void>((resolve) => {
        this.reopen = resolve;
      });
    try {
      return await edit();
    } finally {
      if (--this.pendingEdits === 0) {
        const reopen = this.reopen;
        this.reopened = undefined;
        this.reopen = undefined;
        reopen?.();
      }
    }
  }

  /**
   * Runs `decode` (a prompt chunk that generates nothing) once no edit is pending: like a token
   * request, it must not keep an edit waiting behind the decode loop. Its slot is not a member of
   * the step barrier yet, so the context's generations never wait for it.
   */
  async decode<T>(decode: () => Promise<T>): Promise<T> {
    while (this.reopened) await this.reopened;
    return decode();
  }

  /**
   * One generation's token stream (its slot is `position`), asking for each next token only while
   * no edit is pending, and together with the context's other generations (see StepBarrier).
   * node-llama-cpp queues a sequence's next decode when its token iterator is resumed.
   */
  async *between<T>(tokens: AsyncIterable<T>, position: number, signal: AbortSignal): AsyncGenerator<T> {
    const iterator = tokens[Symbol.asyncIterator]();
    let joined = false;
    try {
      for (;;) {
        if (joined) await this.steps.arrive(position);
        if (signal.aborted) return;
        while (this.reopened) await this.reopened;
        const result = await iterator.next();
        if (result.done) return;
        if (!joined) {
          this.steps.join(position, signal);
          joined = true;
        }
        yield result.value;
      }
    } finally {
      if (joined) this.steps.leave(position);
      await iterator.return?.();
    }
  }
}
