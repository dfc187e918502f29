// Transport-ceiling run: the real transports over the FAKE instant engine (fakeEngine.ts), giving
// the most streamed events per second each transport sustains on this machine (client included).
// Runs in rounds, like the model runs: each round measures every transport (and, with
// --ceiling-server, every other checkout's server too, for an A/B in the same rounds) once, the
// transports in a new order each round (roundOrder.ts).
import { FAKE_MODEL_ID } from "./fakeEngine.js";
import { runAtConcurrency, runRequest } from "./loadGenerator.js";
import type { CeilingServer } from "./options.js";
import type { CeilingRun } from "./resultTypes.js";
import { roundOrder } from "./roundOrder.js";
import {
  INFERQL_INTERFACES,
  inferqlInterfaceTarget,
  isInferqlInterface,
} from "./targets/inferqlInterfaces.js";
import { type RunningServer, startServerProcess } from "./targets/inferqlServer.js";
import type { BenchRequest } from "./targets/target.js";

/** Streams per level and round (at least c): 8 × 3,000 events, so that c = 1 runs long enough to measure. */
const STREAMS_PER_LEVEL = 8;

export interface CeilingOptions {
  deltasPerStream: number;
  concurrencies: readonly number[];
  rounds: number;
  /** Other checkouts' servers, measured in the same rounds (the report names them). */
  otherServers: readonly CeilingServer[];
  /** Only these transports (the --only names among INFERQL_INTERFACES), else all. */
  only?: ReadonlySet<string>;
}

export async function measureTransportCeiling(
  { deltasPerStream, concurrencies, rounds, otherServers, only }: CeilingOptions,
  log: (line: string) => void,
): Promise<CeilingRun[]> {
  const servers: { name?: string; server: RunningServer }[] = [];
  const runs: CeilingRun[] = [];
  const transports = INFERQL_INTERFACES.filter(
    (name) => !only || only.has(name) || ![...only].some(isInferqlInterface),
  );
  try {
    servers.push({ server: await startServerProcess({ mode: "fake" }) });
    for (const other of otherServers)
      servers.push({
        name: other.name,
        server: await startServerProcess({ mode: "fake" }, { entry: other.entry }),
      });
    const request: BenchRequest = { prompt: "fake", maxTokens: deltasPerStream, seed: 1, temperature: 0 };
    for (let round = 0; round < rounds; round++) {
      for (const transport of roundOrder(transports, round))
        for (const [index] of servers.entries()) {
          const { name: serverName, server } = servers[(index + round) % servers.length];
          const target = inferqlInterfaceTarget(transport, server.url, FAKE_MODEL_ID);
          const session = await target.open();
          try {
            // The first round warms the server's JIT up with a whole stream; later ones need a short one.
            await runRequest(session, { ...request, maxTokens: round === 0 ? deltasPerStream : 8 });
            for (const concurrency of concurrencies) {
              const requests = Array.from(
                { length: Math.max(STREAMS_PER_LEVEL, concurrency) },
                () => request,
              );
              const { records, durationS } = await runAtConcurrency(session, requests, concurrency);
              const events = records.reduce((sum, record) => sum + record.deltaTimes.length, 0);
              const failed = records.filter((record) => !record.ok).length;
              const run: CeilingRun = {
                transport: target.name,
                ...(serverName ? { server: serverName } : {}),
                round,
                concurrency,
                deltasPerStream,
                eventsPerSecond: events / durationS,
                failed,
              };
              runs.push(run);
              log(
                `  ${rounds > 1 ? `r${round + 1} ` : ""}${(serverName ? `${serverName}:` : "") + target.name.padEnd(12)} c=${String(concurrency).padEnd(3)} ${run.eventsPerSecond.toFixed(0).padStart(7)} events/s` +
                  (failed ? `  ${failed} failed: ${records.find((record) => !record.ok)?.error}` : ""),
              );
            }
          } finally {
            await session.close();
          }
        }
    }
  } finally {
    await Promise.all(servers.map(({ server }) => server.stop()));
  }
  return runs;
}
