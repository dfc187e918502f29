// One target at each concurrency level: fixed seeded prompts, fixed output length, vLLM metrics.
import os from "node:os";
import { runAtConcurrency, runRequest } from "./loadGenerator.js";
import { type RequestRecord, summarize } from "./metrics.js";
import { type BenchModel, requestCount } from "./models.js";
import { seededWords, seedFromKey } from "./prompts.js";
import type { ThroughputRun } from "./resultTypes.js";
import { mainThreadCpuSeconds } from "./serverCpu.js";
import type { BenchRequest, Target, TargetSession } from "./targets/target.js";

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

/**
 * Streamed tokens before a target's first measured level. A server's code runs unoptimized for its
 * first thousands of events: on the tiny model, tRPC's time per output token fell from 1.8 to 1.0 ms
 * over its first ~2,500 tokens (the direct anchor's shorter path warms up sooner). A long-running
 * server is what users get, so that is what is measured.
 */
const WARM_UP_TOKENS = 4_000;
/** …or this long, whichever comes first (the bench model streams ~200 tokens/s here). */
const WARM_UP_LIMIT_MS = 15_000;

/** Unmeasured full-length requests at `concurrency`: connections, the engine and the JIT warm up. */
export async function warmUp(
  session: TargetSession,
  model: BenchModel,
  targetName: string,
  concurrency: number,
  quick: boolean,
): Promise<void> {
  if (quick) {
    const [request] = benchRequests(model, `${targetName}/warmup`, 1);
    assertOk(await runRequest(session, { ...request, maxTokens: 8 }));
    return;
  }
  const startedAt = performance.now();
  let tokens = 0;
  for (let round = 0; tokens < WARM_UP_TOKENS && performance.now() - startedAt < WARM_UP_LIMIT_MS; round++) {
    const requests = benchRequests(model, `${targetName}/warmup/${round}`, concurrency);
    const { records } = await runAtConcurrency(session, requests, concurrency);
    for (const record of records) tokens += assertOk(record).outputTokens;
  }
}

function assertOk(record: RequestRecord): RequestRecord {
  if (!record.ok) throw new Error(`warm-up request failed: ${record.error}`);
  return record;
}

/** One round of one concurrency level on one target: its requests, back to back in a closed loop. */
export interface LevelRound {
  records: RequestRecord[];
  durationS: number;
  /** The load generator's CPU over the round (runAtConcurrency). */
  cpuS: number;
  /** The serving process's main thread's CPU over the round, where the target names one (serverCpu.ts). */
  serverMainThreadCpuS?: number;
}

export async function runLevelRound(
  { target, session }: { target: Target; session: TargetSession },
  model: BenchModel,
  concurrency: number,
  round: number,
  quick: boolean,
): Promise<LevelRound> {
  const requests = benchRequests(
    model,
    `${target.name}/c${concurrency}/r${round}`,
    requestCount(concurrency, quick),
  );
  const serverCpu = () =>
    target.serverPid === undefined ? undefined : mainThreadCpuSeconds(target.serverPid);
  const serverCpuAtStart = serverCpu();
  const done = await runAtConcurrency(session, requests, concurrency);
  const serverCpuAtEnd = serverCpu();
  return serverCpuAtStart === undefined || serverCpuAtEnd === undefined
    ? done
    : { ...done, serverMainThreadCpuS: serverCpuAtEnd - serverCpuAtStart };
}

/** A level's rounds pooled into one run; each round's output tokens/s is kept for paired ratios. */
export function pooledRun(
  targetName: string,
  concurrency: number,
  rounds: readonly LevelRound[],
): ThroughputRun {
  const records = rounds.flatMap((round) => round.records);
  const durationS = rounds.reduce((sum, round) => sum + round.durationS, 0);
  const metrics = summarize(records, durationS);
  const cpuS = rounds.reduce((sum, round) => sum + round.cpuS, 0);
  const serverCpuS = rounds.every((round) => round.serverMainThreadCpuS !== undefined)
    ? rounds.reduce((sum, round) => sum + (round.serverMainThreadCpuS ?? 0), 0)
    : undefined;
  return {
    target: targetName,
    concurrency,
    requests: records.length,
    loadAverage: os.loadavg()[0],
    metrics,
    loadGeneratorCpuUsPerToken: (cpuS * 1e6) / metrics.totalOutputTokens,
    ...(serverCpuS === undefined
      ? {}
      : { serverMainThreadCpuUsPerToken: (serverCpuS * 1e6) / metrics.totalOutputTokens }),
    rounds: rounds.map((round) => summarize(round.records, round.durationS).outputThroughput),
  };
}

export function describeRun(run: ThroughputRun): string {
  const { metrics } = run;
  const rounds =
    run.rounds && run.rounds.length > 1
      ? ` (rounds ${run.rounds.map((rate) => rate.toFixed(0)).join(", ")})`
      : "";
  return (
    `  ${run.target.padEnd(18)} c=${String(run.concurrency).padEnd(3)} ${metrics.outputThroughput.toFixed(0).padStart(6)} tok/s${rounds}  ` +
    `TTFT p50 ${metrics.ttftMs.p50.toFixed(0)} ms p99 ${metrics.ttftMs.p99.toFixed(0)} ms  ` +
    `TPOT p50 ${metrics.tpotMs.p50.toFixed(2)} ms  ${metrics.completed}/${run.requests} ok  load ${run.loadAverage.toFixed(2)}` +
    (run.loadGeneratorCpuUsPerToken === undefined
      ? ""
      : `  client CPU ${run.loadGeneratorCpuUsPerToken.toFixed(0)} µs/token`) +
    (run.serverMainThreadCpuUsPerToken === undefined
      ? ""
      : `  server main thread ${run.serverMainThreadCpuUsPerToken.toFixed(0)} µs/token`) +
    (metrics.errors ? `  errors: ${metrics.errors.join(" | ")}` : "")
  );
}
