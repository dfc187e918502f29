// Starts llama-server (the binary `LLAMA_SERVER` points at) on the same GGUF with the same slots,
// threads, context and batch size as inferql, with continuous batching, and stops it.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { onCpus } from "../cpuPinning.js";
import { freePort } from "../freePort.js";
import { type RunningServer, stopChild } from "./inferqlServer.js";

export interface LlamaServerOptions {
  binary: string;
  modelPath: string;
  slots: number;
  threads: number;
  /** Tokens per slot; llama-server's -c is the total, slots × this. */
  ctxSize: number;
  batchSize: number;
  /** Where its log goes. */
  logDir: string;
  /** More llama-server flags (e.g. `--metrics`). */
  extraArgs?: readonly string[];
  /** The CPUs it runs on (a taskset list, cpuPinning.ts); default those of the harness. */
  cpus?: string;
}

export function llamaServerArgs(options: LlamaServerOptions, port: number): string[] {
  return [
    ["-m", options.modelPath],
    ["-np", String(options.slots)],
    ["-t", String(options.threads)],
    ["-tb", String(options.threads)],
    ["-c", String(options.slots * options.ctxSize)],
    ["-b", String(options.batchSize)],
    ["--cont-batching"],
    ["--host", "127.0.0.1"],
    ["--port", String(port)],
    options.extraArgs ?? [],
  ].flat();
}

export async function startLlamaServer(
  options: LlamaServerOptions,
  timeoutMs = 120_000,
): Promise<RunningServer> {
  const port = await freePort();
  mkdirSync(options.logDir, { recursive: true });
  const logPath = path.join(options.logDir, `llama-server-${port}.log`);
  const log = createWriteStream(logPath);
  const [command, args] = onCpus(options.cpus, options.binary, llamaServerArgs(options, port));
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`llama-server exited with ${child.exitCode}; see ${logPath}`);
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`llama-server was not healthy within ${timeoutMs} ms; see ${logPath}`);
    }
    const healthy = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    async stop() {
      await stopChild(child);
      log.end();
    },
  };
}
