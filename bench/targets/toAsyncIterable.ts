// Turns a callback-style subscription (onData / onError / onComplete) into an async iterable.

export interface Sink<T> {
  next: (value: T) => void;
  error: (error: unknown) => void;
  complete: () => void;
}

/** `subscribe` starts the subscription and returns how to stop it (called when iteration ends). */
export async function* toAsyncIterable<T>(subscribe: (sink: Sink<T>) => () => void): AsyncGenerator<T> {
  const buffer: T[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const stop = subscribe({
    next: (value) => {
      buffer.push(value);
      notify();
    },
    error: (error) => {
      failure = { error };
      notify();
    },
    complete: () => {
      done = true;
      notify();
    },
  });
  try {
    for (;;) {
      if (buffer.length > 0) {
        yield buffer.shift() as T;
        continue;
      }
      if (failure) throw failure.error;
      if (done) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stop();
  }
}
