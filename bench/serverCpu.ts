// The CPU time of a server's main thread, from Linux's /proc: in inferql that thread runs all the
// JavaScript (the transports, the resolvers, the scheduler, node-llama-cpp's per-token code) and the
// socket writes, beside the threads that decode. On two cores every microsecond of it a token is taken
// from the decode, so the report gives it per output token for each inferql target.
import { readFileSync } from "node:fs";

/** Seconds on a CPU so far; undefined where /proc has no scheduler statistics (not Linux). */
export function mainThreadCpuSeconds(pid: number): number | undefined {
  try {
    // `schedstat`: time on the CPU (ns), time waiting to run (ns), time slices.
    const [onCpuNs] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ");
    return Number(onCpuNs) / 1e9;
  } catch {
    return undefined;
  }
}
