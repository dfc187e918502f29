// The metrics of vLLM's `bench serve`, from what the client saw of each request.

/** What the client saw of one request (times in ms from performance.now()). */
export interface RequestRecord {
  ok: boolean;
  error?: string;
  startedAt: number;
  /** Arrival times of the content deltas. */
  deltaTimes: number[];
  endedAt: number;
  /** Output tokens as the server reported them (else the number of deltas). */
  outputTokens: number;
  promptTokens: number;
  cachedPromptTokens?: number;
}

/** Milliseconds. */
export interface Distribution {
  mean: number;
  p50: number;
  p99: number;
}

export interface RunMetrics {
  completed: number;
  failed: number;
  durationS: number;
  totalOutputTokens: number;
  totalPromptTokens: number;
  /** Completed requests per second. */
  requestThroughput: number;
  /** Output tokens per second over the whole run: the aggregate. */
  outputThroughput: number;
  /** Time to first token. */
  ttftMs: Distribution;
  /** Time per output token after the first: (e2e − ttft) / (output tokens − 1), per request. */
  tpotMs: Distribution;
  /** Gaps between consecutive deltas, all requests pooled. */
  itlMs: Distribution;
  /** End-to-end latency. */
  e2elMs: Distribution;
  /** The first few distinct errors, when any failed. */
  errors?: string[];
}

/** Linear-interpolated percentile, as numpy's default. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((sum, value) => sum + value, 0) / sorted.length : Number.NaN;
  return { mean, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

export function summarize(records: readonly RequestRecord[], durationS: number): RunMetrics {
  const done = records.filter((record) => record.ok && record.deltaTimes.length > 0);
  const failed = records.length - done.length;
  const ttft = done.map((record) => record.deltaTimes[0] - record.startedAt);
  const e2el = done.map((record) => record.endedAt - record.startedAt);
  const tpot = done
    .filter((record) => record.outputTokens > 1)
    .map((record) => (record.endedAt - record.deltaTimes[0]) / (record.outputTokens - 1));
  const itl = done.flatMap((record) =>
    record.deltaTimes.slice(1).map((time, index) => time - record.deltaTimes[index]),
  );
  const totalOutputTokens = done.reduce((sum, record) => sum + record.outputTokens, 0);
  const errors = [
    ...new Set(records.filter((record) => !record.ok).map((record) => record.error ?? "unknown")),
  ].slice(0, 3);
  return {
    completed: done.length,
    failed,
    durationS,
    totalOutputTokens,
    totalPromptTokens: done.reduce((sum, record) => sum + record.promptTokens, 0),
    requestThroughput: done.length / durationS,
    outputThroughput: totalOutputTokens / durationS,
    ttftMs: distribution(ttft),
    tpotMs: distribution(tpot),
    itlMs: distribution(itl),
    e2elMs: distribution(e2el),
    ...(errors.length ? { errors } : {}),
  };
}
