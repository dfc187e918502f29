// The streaming load generator: a closed loop of `concurrency` clients that each send their next
// request as soon as the previous one ends, timing every delta as it arrives.
import type { RequestRecord } from "./metrics.js";
import type { BenchRequest, TargetSession } from "./targets/target.js";

export async function runRequest(session: TargetSession, request: BenchRequest): Promise<RequestRecord> {
  const record: RequestRecord = {
    ok: false,
    startedAt: performance.now(),
    deltaTimes: [],
    endedAt: 0,
    outputTokens: 0,
    promptTokens: 0,
  };
  let reportedTokens: number | undefined;
  try {
    for await (const event of session.stream(request)) {
      if (event.type === "delta") record.deltaTimes.push(performance.now());
      else {
        reportedTokens = event.completionTokens;
        record.promptTokens = event.promptTokens;
        record.cachedPromptTokens = event.cachedPromptTokens;
      }
    }
    record.ok = true;
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
  }
  record.endedAt = performance.now();
  record.outputTokens = reportedTokens ?? record.deltaTimes.length;
  return record;
}

/**
 * Runs all requests through `concurrency` parallel clients; returns their records, the wall time and
 * the CPU this process used meanwhile (the clients' own cost: on a machine whose cores the server
 * shares, a heavier client leaves the server less).
 */
export async function runAtConcurrency(
  session: TargetSession,
  requests: readonly BenchRequest[],
  concurrency: number,
): Promise<{ records: RequestRecord[]; durationS: number; cpuS: number }> {
  const records: RequestRecord[] = [];
  let next = 0;
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  const client = async () => {
    while (next < requests.length) {
      const request = requests[next++];
      records.push(await runRequest(session, request));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, client));
  const cpu = process.cpuUsage(cpuAtStart);
  return { records, durationS: (performance.now() - startedAt) / 1000, cpuS: (cpu.user + cpu.system) / 1e6 };
}
