// One target at each concurrency level: fixed seeded prompts, fixed output length, vLLM metrics.
import os from "node:os";
import { runAtConcurrency, runRequest } from "./loadGenerator.js";
import { summarize } from "./metrics.js";
import { type BenchModel, requestCount } from "./models.js";
import { seededWords, seedFromKey } from "./prompts.js";
import type { ThroughputRun } from "./resultTypes.js";
import type { BenchRequest, TargetSession } from "./targets/target.js";

export const TEMPERATURE = 0.8;

/** Distinct prompts per target and level, so no run reuses another's prompt cache. */
export function benchRequests(model: BenchModel, runKey: string, count: number): BenchRequest[] {
  return Array.from({ length: count }, (_, index) => {
    const key = `${model.id}/${runKey}/${index}`;
    return {
      prompt: seededWords(key, model.promptWords),
      maxTokens: model.maxTokens,
      seed: seedFromKey(key) % 1_000_000,
      temperature: TEMPERATURE,
    };
  });
}

/** One short request that is not measured: connections, JIT and the engine warm up. */
export async function warmUp(session: TargetSession, model: BenchModel, targetName: string): Promise<void> {
  const [request] = benchRequests(model, `${targetName}/warmup`, 1);
  const record = await runRequest(session, { ...request, maxTokens: 8 });
  if (!record.ok) throw new Error(`warm-up request failed: ${record.error}`);
}

export async function measureThroughput(
  session: TargetSession,
  model: BenchModel,
  targetName: string,
  concurrencies: readonly number[],
  quick: boolean,
  log: (line: string) => void,
): Promise<ThroughputRun[]> {
  const runs: ThroughputRun[] = [];
  for (const concurrency of concurrencies) {
    const requests = benchRequests(model, `${targetName}/c${concurrency}`, requestCount(concurrency, quick));
    const { records, durationS } = await runAtConcurrency(session, requests, concurrency);
    const metrics = summarize(records, durationS);
    const loadAverage = os.loadavg()[0];
    runs.push({ target: targetName, concurrency, requests: requests.length, loadAverage, metrics });
    log(
      `  ${targetName.padEnd(18)} c=${String(concurrency).padEnd(3)} ${metrics.outputThroughput.toFixed(0).padStart(6)} tok/s  ` +
        `TTFT p50 ${metrics.ttftMs.p50.toFixed(0)} ms p99 ${metrics.ttftMs.p99.toFixed(0)} ms  ` +
        `TPOT p50 ${metrics.tpotMs.p50.toFixed(2)} ms  ${metrics.completed}/${requests.length} ok  load ${loadAverage.toFixed(2)}` +
        (metrics.errors ? `  errors: ${metrics.errors.join(" | ")}` : ""),
    );
  }
  return runs;
}
