// A real Redis for the many-node tests: Debian's redis-server, started on a free port in a temp dir
// with persistence off, and killed after. Fails with a clear message where it is not installed.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../bench/freePort.js";

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it without closing its connections (SIGSTOP), as a hung Redis; `resume` continues it. */
  pause(): void;
  resume(): void;
  /** Kills it at once (SIGKILL), as a crashed Redis. */
  kill(): Promise<void>;
}

export function assertRedisServerInstalled(): void {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0)
    throw new Error(
      "redis-server is not installed: these tests run a real Redis (Debian: apt-get install -y redis-server; .ci/run installs it)",
    );
}

export async function startRedisServer(): Promise<RedisServer> {
  assertRedisServerInstalled();
  const dir = mkdtempSync(path.join(tmpdir(), "inferql-redis-"));
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
