// A one-producer, one-consumer async queue: the producer never waits for the consumer, and the
// consumer leaving early (return/break) is reported to the producer so it can stop its work.
// Values that wait in the buffer may be merged (e.g. text deltas), so a consumer that falls
// behind catches up with fewer, larger events instead of one per token.

/** Merges a newly pushed value into the last buffered one, or returns undefined to keep both. */
export type Coalesce<T> = (buffered: T, next: T) => T | undefined;

export class EventChannel<T> implements AsyncIterableIterator<T> {
  private readonly buffered: T[] = [];
  private waiting?: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void };
  private ended = false;
  private failure?: { error: unknown };

  constructor(
    private readonly onConsumerLeft: () => void,
    private readonly coalesce?: Coalesce<T>,
  ) {}

  push(value: T): void {
    if (this.ended) return;
    if (this.waiting) {
      this.takeWaiting().resolve({ value, done: false });
      return;
    }
    const last = this.buffered.length > 0 ? this.buffered[this.buffered.length - 1] : undefined;
    const merged = last !== undefined && this.coalesce ? this.coalesce(last, value) : undefined;
    if (merged !== undefined) this.buffered[this.buffered.length - 1] = merged;
    else this.buffered.push(value);
  }

  end(): void {
    this.ended = true;
    if (this.waiting && this.buffered.length === 0)
      this.takeWaiting().resolve({ value: undefined, done: true });
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = { error };
    if (this.waiting && this.buffered.length === 0) this.takeWaiting().reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffered.length > 0) return Promise.resolve({ value: this.buffered.shift()!, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.ended) this.onConsumerLeft();
    this.ended = true;
    this.failure = undefined;
    this.buffered.length = 0;
    if (this.waiting) this.takeWaiting().resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private takeWaiting() {
    const waiting = this.waiting!;
    this.waiting = undefined;
    return waiting;
  }
}
