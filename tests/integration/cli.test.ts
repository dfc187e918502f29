// The `inferql` command as a user runs it: a real process, its logs, its exit codes.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getLlama } from "node-llama-cpp";
import { afterAll, expect, test } from "vitest";
import { SETTINGS } from "../../src/config.js";
import { describeEngine } from "../../src/inference/engine/loadLlama.js";
import { listeningUrl } from "../support/processLog.js";

const projectRoot = path.resolve(import.meta.dirname, "../..");
const cacheDir = mkdtempSync(path.join(os.tmpdir(), "inferql-cli-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** The `inferql` bin as installed (compiled JS), in an environment that does not set UV_THREADPOOL_SIZE. */
function inferql(args: string[]): ChildProcessWithoutNullStreams {
  const { UV_THREADPOOL_SIZE: _, ...env } = process.env;
  return spawn(process.execPath, ["bin/inferql.cjs", ...args], {
    cwd: projectRoot,
    env: { ...env, INFERQL_CACHE_DIR: cacheDir },
  });
}

function exitOf(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test.concurrent("with no model configured, serve generates the tiny model, reports ready on /health, and exits 0 on SIGTERM", async () => {
  const child = inferql(["serve", "--port", "0", "--threads", "1"]);
  const exited = exitOf(child);
  const {
    url,
    log: { lines: logLines },
  } = await listeningUrl(child);
  expect(logLines.some((line) => line.msg.includes("generated the embedded tiny model"))).toBe(true);
  // Decodes run on a libuv pool of one thread (the bin sets it before the pool starts).
  expect(logLines.find((line) => line.msg === "listening")?.libuvThreads).toBe(1);

  let health: Response;
  do {
    health = await fetch(`${url}/health`);
    if (health.status === 503) await new Promise((resolve) => setTimeout(resolve, 100));
  } while (health.status === 503);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ready", models: ["tiny"] });
  // Which engine node-llama-cpp loaded, and the threads (README, "Threads, and the engine build").
  // The server bundles node-llama-cpp (scripts/bundleServer.mjs) and must still load the engine the
  // installed package loads (the build `npm install` left in its folder, if any), not fall back to the
  // prebuilt one.
  const installedEngine = describeEngine(await getLlama({ gpu: false, build: "never" }));
  expect(logLines.find((line) => line.msg === "llama.cpp engine loaded")).toMatchObject({
    engine: installedEngine,
    threads: 1,
    threadsFrom: "--threads",
  });

  child.kill("SIGTERM");
  const { code } = await exited;
  expect(code).toBe(0);
}, 60_000);

test.concurrent("bad configuration is one clear line on stderr and a non-zero exit, with no stack trace", async () => {
  const { code, stderr } = await exitOf(inferql(["serve", "--model", "/no/such/model.gguf"]));
  expect(code).toBe(2);
  expect(stderr.trim()).toBe(
    "inferql: invalid --model (INFERQL_MODEL): model file not found: /no/such/model.gguf (see: inferql --help)",
  );
});

test.concurrent("an out-of-range flag value names the flag", async () => {
  const { code, stderr } = await exitOf(inferql(["serve", "--slots", "0"]));
  expect(code).toBe(2);
  expect(stderr.trim().split("\n")).toHaveLength(1);
  expect(stderr).toContain("--slots");
});

test.concurrent("an unknown flag fails with exit code 2 and names the flag", async () => {
  const { code, stdout, stderr } = await exitOf(inferql(["serve", "--slot", "2"]));
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toContain("'--slot'");
  expect(stderr.trim().split("\n")).toHaveLength(1);
});

test.concurrent("serve --help lists every flag with its variable and default, and the exit codes", async () => {
  const { code, stdout } = await exitOf(inferql(["serve", "--help"]));
  expect(code).toBe(0);
  for (const setting of SETTINGS) {
    const row = stdout.split("\n").find((line) => line.trimStart().startsWith(`--${setting.flag} `));
    expect(row, setting.flag).toBeDefined();
    expect(row).toContain(setting.env);
    expect(row).toContain("default: ");
  }
  expect(stdout).toMatch(/--slots N +INFERQL_SLOTS +.*default: 4/);
  expect(stdout).toMatch(/--gpu KIND +INFERQL_GPU +.*\(auto, cpu, cuda, vulkan, metal\); default: cpu/);
  expect(stdout).toMatch(/^ {2}2 +bad command line/m);
});

test.concurrent("--version prints the package's version; --help the commands", async () => {
  const { version } = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
    version: string;
  };
  const printed = await exitOf(inferql(["--version"]));
  expect(printed).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: "" });
  const help = await exitOf(inferql(["--help"]));
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("inferql serve [flags]");
  expect(help.stdout).toContain("inferql model PRESET [flags]");
  const unknown = await exitOf(inferql(["srve"]));
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("unknown command 'srve'");
});
