// Transport-ceiling run: the real transports over the FAKE instant engine (fakeEngine.ts), giving
// the most streamed events per second each transport sustains on this machine (client included).
import { FAKE_MODEL_ID } from "./fakeEngine.js";
import { runAtConcurrency, runRequest } from "./loadGenerator.js";
import type { CeilingRun } from "./resultTypes.js";
import { graphqlSseTarget } from "./targets/graphqlSse.js";
import { graphqlWsTarget } from "./targets/graphqlWs.js";
import { startServerProcess } from "./targets/inferqlServer.js";
import { openAiSseTarget } from "./targets/openaiSse.js";
import type { BenchRequest, Target } from "./targets/target.js";
import { trpcSseTarget } from "./targets/trpcSse.js";

export async function measureTransportCeiling(
  deltasPerStream: number,
  concurrencies: readonly number[],
  log: (line: string) => void,
): Promise<CeilingRun[]> {
  const server = await startServerProcess({ mode: "fake" });
  const runs: CeilingRun[] = [];
  try {
    const targets: Target[] = [
      graphqlWsTarget(server.url),
      graphqlSseTarget(server.url),
      trpcSseTarget(server.url),
      openAiSseTarget({
        name: "openai-sse",
        description: "fake engine over OpenAI SSE",
        baseUrl: server.url,
        model: FAKE_MODEL_ID,
      }),
    ];
    for (const target of targets) {
      const session = await target.open();
      try {
        const request: BenchRequest = { prompt: "fake", maxTokens: deltasPerStream, seed: 1, temperature: 0 };
        await runRequest(session, { ...request, maxTokens: 8 });
        for (const concurrency of concurrencies) {
          const requests = Array.from({ length: concurrency }, () => request);
          const { records, durationS } = await runAtConcurrency(session, requests, concurrency);
          const events = records.reduce((sum, record) => sum + record.deltaTimes.length, 0);
          const failed = records.filter((record) => !record.ok).length;
          const run = {
            transport: target.name,
            concurrency,
            deltasPerStream,
            eventsPerSecond: events / durationS,
            failed,
          };
          runs.push(run);
          log(
            `  ${target.name.padEnd(12)} c=${String(concurrency).padEnd(3)} ${run.eventsPerSecond.toFixed(0).padStart(7)} events/s` +
              (failed ? `  ${failed} failed: ${records.find((record) => !record.ok)?.error}` : ""),
          );
        }
      } finally {
        await session.close();
      }
    }
  } finally {
    await server.stop();
  }
  return runs;
}
