// An unhandled rejection ends `inferql serve` (logged first), as Node's default does; only
// node-llama-cpp's DisposedError from its background work is logged and let through.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import path from "node:path";
import { Writable } from "node:stream";
import { DisposedError } from "node-llama-cpp";
import { pino } from "pino";
import { expect, inject, test } from "vitest";
import { handleUnhandledRejection } from "../../src/cli/unhandledRejection.js";
import { listeningUrl, logUntil } from "../support/processLog.js";

const projectRoot = path.resolve(import.meta.dirname, "../..");

function capturingLogger(lines: { level: number; msg: string }[]) {
  return pino(
    { level: "info" },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
}

test("a rejection nobody handles is logged as fatal and exits with code 1", () => {
  const lines: { level: number; msg: string }[] = [];
  const exits: number[] = [];
  handleUnhandledRejection(new TypeError("bug"), capturingLogger(lines), (code) => exits.push(code));
  expect(exits).toEqual([1]);
  expect(lines).toEqual([expect.objectContaining({ level: 60, msg: expect.stringContaining("unhandled") })]);
});

test("node-llama-cpp's DisposedError from its background work is logged and serving goes on", () => {
  const lines: { level: number; msg: string }[] = [];
  const exits: number[] = [];
  handleUnhandledRejection(new DisposedError(), capturingLogger(lines), (code) => exits.push(code));
  expect(exits).toEqual([]);
  expect(lines).toEqual([expect.objectContaining({ level: 40 })]);
});

/** `inferql serve` (the compiled entry point, no bin wrapper) with a preload that rejects a promise unhandled. */
function serveWithUnhandledRejection(kind: "error" | "disposed"): ChildProcessWithoutNullStreams {
  return spawn(
    process.execPath,
    [
      "--import",
      "./tests/fixtures/rejectUnhandled.mjs",
      "dist/server/main.js",
      "serve",
      "--port",
      "0",
      "--threads",
      "1",
      "--model",
      `tiny=${inject("tinyModelPath")}`,
    ],
    { cwd: projectRoot, env: { ...process.env, INFERQL_TEST_REJECT: kind, UV_THREADPOOL_SIZE: "1" } },
  );
}

test("the server process exits non-zero after logging an unhandled rejection", async () => {
  const child = serveWithUnhandledRejection("error");
  const { lines, code } = await logUntil(child, () => false);
  expect(code).toBe(1);
  expect(lines.find((line) => line.level === 60)?.msg).toContain("unhandled promise rejection");
}, 60_000);

test("the server keeps serving after node-llama-cpp's DisposedError", async () => {
  const child = serveWithUnhandledRejection("disposed");
  try {
    const { url, log } = await listeningUrl(child, "ready");
    expect(log.lines.some((line) => line.level === 40 && line.msg.includes("disposed object"))).toBe(true);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  } finally {
    child.kill("SIGKILL");
  }
}, 60_000);
