// The cold-path probe: how much slower this machine runs code that has not run for a few
// milliseconds. On the 2-vCPU VMs this project is measured on, code that ran back to back took
// several times longer after a pause of ≥ 4 ms (a guest timer tick or a wake-up from idle), busy or
// not: the CPU's caches and branch predictors come back cold. A server runs its per-request code
// after such a pause every time, and its per-token code at c = 1 after each decode, so the probe's
// factor says how much a run's latencies and c = 1 rates depend on the machine rather than the code.
// The work is inferql's own: validating an OpenAI chat request against the REST layer's schema.
import { setTimeout as sleep } from "node:timers/promises";
import { chatCompletionRequestSchema } from "../src/compat/openai/chat/protocol.js";
import { distribution } from "./metrics.js";

export interface ColdPathProbe {
  /** Median µs of one validation run back to back with others. */
  backToBackUs: number;
  /** Median µs of one validation run after the process slept `idleMs`. */
  afterIdleUs: number;
  idleMs: number;
}

const REQUEST = {
  model: "bench",
  stream: true,
  max_tokens: 128,
  temperature: 0.8,
  messages: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "Tell me about llamas." },
  ],
};

function timeOneUs(): number {
  const startedAt = performance.now();
  if (!chatCompletionRequestSchema.safeParse(REQUEST).success)
    throw new Error("the probe's request is invalid");
  return (performance.now() - startedAt) * 1000;
}

/** ~1 s: warm-up, 400 validations back to back, then `samples` after `idleMs` of sleep each. */
export async function probeColdPath(samples = 80, idleMs = 10): Promise<ColdPathProbe> {
  for (let i = 0; i < 5000; i++) timeOneUs();
  const backToBack = Array.from({ length: 400 }, timeOneUs);
  const afterIdle: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(idleMs);
    afterIdle.push(timeOneUs());
  }
  return {
    backToBackUs: distribution(backToBack).p50,
    afterIdleUs: distribution(afterIdle).p50,
    idleMs,
  };
}

/** One sentence for the log and the report. */
export function describeColdPath(probe: ColdPathProbe): string {
  const factor = probe.afterIdleUs / probe.backToBackUs;
  return `cold-path probe: validating a chat request took ${probe.backToBackUs.toFixed(1)} µs back to back and ${probe.afterIdleUs.toFixed(1)} µs after ${probe.idleMs} ms idle (×${factor.toFixed(1)})`;
}
