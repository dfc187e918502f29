// Starts inferql (or the fake-engine server) in a child process and stops it: the server under test
// gets its own event loop and the load generator stays out of it.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onCpus } from "../cpuPinning.js";
import type { ServeReady, ServeRequest } from "../serveInferql.js";
import type { Target } from "./target.js";

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** A server in a Node process of its own (inferql, a gateway, the proxy floor). */
export interface NodeServer extends RunningServer {
  /** Its process: its main thread runs all of the server's JavaScript (serverCpu.ts). */
  pid: number;
}

/** `target` as one that `server` serves: a run counts that process's main thread's CPU per token. */
export function servedBy(target: Target, server: NodeServer): Target {
  return { ...target, serverPid: server.pid };
}

const SERVE_ENTRY = fileURLToPath(new URL("../serveInferql.ts", import.meta.url));

export interface ServerProcessOptions {
  timeoutMs?: number;
  /** Another checkout's bench/serveInferql.ts (an A/B of the transport ceiling); default this one's. */
  entry?: string;
  /** The CPUs it runs on (a taskset list, cpuPinning.ts); default those of the harness. */
  cpus?: string;
}

export async function startServerProcess(
  request: ServeRequest,
  { timeoutMs = 120_000, entry = SERVE_ENTRY, cpus }: ServerProcessOptions = {},
): Promise<NodeServer> {
  // BENCH_SERVER_NODE_ARGS: node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  // (which NODE_OPTIONS refuses).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const [command, args] = onCpus(cpus, process.execPath, [
    ...nodeArgs,
    "--import",
    "tsx",
    entry,
    JSON.stringify(request),
  ]);
  const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("inferql did not start in time")), timeoutMs);
    child.once("message", (message: ServeReady) => {
      clearTimeout(timer);
      resolve(message.url);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`inferql exited with code ${code} before it was ready`));
    });
  });
  return { url, pid: child.pid as number, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill("SIGTERM");
  });
}
