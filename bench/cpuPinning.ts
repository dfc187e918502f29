// `--pin-upstreams CPUS` (with --gateway): the upstreams (inferql, llama-server) run on CPUS, and the
// load generator, the gateway and the proxy floor on the machine's other CPUs, with util-linux's
// taskset. On a small machine that separates what a gateway costs in itself from the CPU it takes
// from the engine it fronts, as a gateway on a host of its own would not.
import { execFileSync } from "node:child_process";
import os from "node:os";

/** The CPUs of a taskset list (`0`, `0,2`, `0-3`), or an error naming what is wrong with it. */
export function parseCpuList(text: string, cpuCount = os.availableParallelism()): number[] {
  const cpus = new Set<number>();
  for (const part of text.split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) throw new Error(`--pin-upstreams expects CPUs such as 0 or 0-1, got '${text}'`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  const sorted = [...cpus].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.at(-1)! >= cpuCount || sorted.length >= cpuCount)
    throw new Error(
      `--pin-upstreams ${text}: the upstreams need at least one of this machine's ${cpuCount} CPUs and must leave one to the rest`,
    );
  return sorted;
}

/** The CPUs not in `cpus`, as a taskset list. */
export function otherCpus(cpus: readonly number[], cpuCount = os.availableParallelism()): string {
  return Array.from({ length: cpuCount }, (_, cpu) => cpu)
    .filter((cpu) => !cpus.includes(cpu))
    .join(",");
}

/** `command args` run on `cpus` (through taskset, which execs it: the pid is the command's), or as is. */
export function onCpus(
  cpus: string | undefined,
  command: string,
  args: readonly string[],
): [string, string[]] {
  return cpus === undefined ? [command, [...args]] : ["taskset", ["-c", cpus, command, ...args]];
}

/** Moves every thread of this process (and so the processes it starts from now on) onto `cpus`. */
export function pinThisProcess(cpus: string): void {
  execFileSync("taskset", ["-a", "-cp", cpus, String(process.pid)], { stdio: "ignore" });
}
