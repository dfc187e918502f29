#!/usr/bin/env node
// The `inferql` command: runs the TypeScript entry point through tsx (a runtime dependency).
//
// llama.cpp decodes on libuv's thread pool (4 threads by default). When consecutive decodes land on
// different pool threads, a multi-threaded decode ran 2–3× slower here (bench/README.md): every
// decode must run on the same thread. Node reads the pool size once, before any code of ours runs,
// so unless UV_THREADPOOL_SIZE is set the command runs itself again with a pool of one thread.
import { spawn } from "node:child_process";
import { constants } from "node:os";

if (process.env.UV_THREADPOOL_SIZE === undefined) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, UV_THREADPOOL_SIZE: "1" },
  });
  // A terminal's Ctrl-C reaches the whole process group (the child too); other signals are passed on.
  process.on("SIGINT", () => undefined);
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(signal ? 128 + constants.signals[signal] : (code ?? 1)));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
