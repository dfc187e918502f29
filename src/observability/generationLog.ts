// One structured log line per generation: request id, transport, model, tokens in/out, TTFT,
// duration and finish reason.
import type { Logger } from "pino";
import type { Scheduler } from "../inference/scheduler/scheduler.js";
import type { RequestOrigin } from "../inference/types.js";

export function logGenerations(scheduler: Scheduler, logger: Logger): void {
  const open = new Map<string, { receivedAt: number; firstTokenAt?: number; request?: RequestOrigin }>();
  scheduler.onEvent((event) => {
    const now = performance.now();
    if (event.type === "received") {
      open.set(event.id, { receivedAt: now, request: event.origin });
      return;
    }
    const entry = open.get(event.id);
    if (!entry) return;
    if (event.type === "tokens") entry.firstTokenAt ??= now;
    else if (event.type === "finished") {
      open.delete(event.id);
      const failed = event.reason === "error";
      logger[failed ? "error" : "info"](
        {
          requestId: entry.request?.requestId,
          transport: entry.request?.transport,
          generationId: event.id,
          model: event.model,
          promptTokens: event.usage?.promptTokens,
          cachedPromptTokens: event.usage?.cachedPromptTokens,
          completionTokens: event.usage?.completionTokens,
          ttftMs:
            entry.firstTokenAt === undefined ? undefined : Math.round(entry.firstTokenAt - entry.receivedAt),
          durationMs: Math.round(now - entry.receivedAt),
          finishReason: event.reason,
          ...(failed ? { err: event.error } : {}),
        },
        "generation",
      );
    }
  });
}
