// What `inferql serve` does with a promise rejection nothing handles: it crashes, as Node does by
// default, after logging it. Such a rejection is a bug whose damage is unknown (a half-updated
// scheduler or slot); a supervisor's restart is safer than serving on in that state.
//
// One rejection is known and harmless: node-llama-cpp starts some work without awaiting it (its
// batch dispatch and sampler disposal run as `void withLock(...)` in LlamaContext, and the GC
// finalizers of contexts and models call `void dispose()`). When a context is disposed while such
// work is pending (shutdown, a model unloading) that work rejects with DisposedError, with nobody
// to tell and nothing lost: it is logged at warn and serving goes on.
import { DisposedError } from "node-llama-cpp";
import type { Logger } from "pino";

/** Whether an unhandled rejection is node-llama-cpp's fire-and-forget work meeting a disposed object. */
export function isEngineDisposalRejection(reason: unknown): boolean {
  return reason instanceof DisposedError;
}

/** Logs an unhandled rejection and, unless it is the known harmless one, ends the process with code 1. */
export function handleUnhandledRejection(
  reason: unknown,
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  if (isEngineDisposalRejection(reason)) {
    logger.warn({ err: reason }, "node-llama-cpp: background work on a disposed object rejected (harmless)");
    return;
  }
  logger.fatal({ err: reason }, "unhandled promise rejection: exiting (a bug; please report it)");
  exit(1);
}
