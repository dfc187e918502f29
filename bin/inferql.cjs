#!/usr/bin/env node
// The `inferql` command: runs the compiled server (dist/server/main.js, bundled by
// scripts/bundleServer.mjs) in this same process.
//
// llama.cpp decodes on libuv's thread pool (4 threads by default). When consecutive decodes land on
// different pool threads, a multi-threaded decode ran 2–3× slower here (bench/README.md): every
// decode must run on the same thread. libuv reads UV_THREADPOOL_SIZE when the pool first starts.
// This file is CommonJS on purpose: Node loads it without touching the pool (an ES module entry is
// read through the pool), so setting the variable here, before anything else, is enough.
process.env.UV_THREADPOOL_SIZE ??= "1";

const { existsSync } = require("node:fs");
const path = require("node:path");

const main = path.join(__dirname, "..", "dist", "server", "main.js");
if (!existsSync(main)) {
  process.stderr.write("inferql: dist/server/main.js is missing; build it first with `npm run build`\n");
  process.exit(1);
}
import(require("node:url").pathToFileURL(main).href);
