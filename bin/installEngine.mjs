#!/usr/bin/env node
// @ts-check
// npm `postinstall`: gives node-llama-cpp a llama.cpp engine built for this CPU, with OpenMP, where
// it can. node-llama-cpp's prebuilt Linux binaries have no OpenMP, and on few cores they decode at
// 0.6–0.7× of llama-server (bench/README.md, "Out of the box"). Never fails the install:
//   1. a build already in node_modules is kept (and saved to the cache);
//   2. else a build cached for this machine is restored (~/.cache/inferql/engine, no compiling);
//   3. else, with git, cmake, make or ninja and a C++ compiler, the bundled llama.cpp is compiled
//      (node-llama-cpp's `source download`, offline) and cached for the next install;
//   4. else, or when that fails, node-llama-cpp's prebuilt engine is used, and this says why.
// INFERQL_ENGINE_BUILD=0 skips all of it; INFERQL_ENGINE_CACHE_DIR moves the cache.
// Plain JavaScript on purpose: npm runs it before the TypeScript is compiled.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PROGRESS_EVERY_MS = 60_000;

/** @param {string} text */
const say = (text) => process.stderr.write(`inferql: ${text}\n`);

/** node_modules/node-llama-cpp as Node would resolve it from this file, or undefined. */
function findNodeLlamaCpp() {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", "node-llama-cpp");
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** @param {string} file */
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/** A native build is only good on the CPU it was compiled for: its model and instruction sets. */
function cpuFingerprint() {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const firstCpu = cpuinfo.split("\n\n")[0] ?? "";
  const lines = firstCpu
    .split("\n")
    .filter((line) => /^(vendor_id|model name|flags|Features)\s*:/.test(line));
  return createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 12);
}

/**
 * Where node-llama-cpp looks for a CPU build of its own llama.cpp release, and the cache entry for it.
 * @param {string} nodeLlamaCpp
 */
function engineLocations(nodeLlamaCpp) {
  const version = readJson(path.join(nodeLlamaCpp, "package.json")).version;
  const release = readJson(path.join(nodeLlamaCpp, "llama", "binariesGithubRelease.json")).release;
  // node-llama-cpp's folder name for a CPU-only build of its bundled release (getBuildFolderNameForBuildOptions).
  const folder = `${process.platform}-${process.arch}`;
  const cacheRoot =
    process.env.INFERQL_ENGINE_CACHE_DIR ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "inferql", "engine");
  const key = `node-llama-cpp-${version}-llama.cpp-${release}-${folder}-cpu-${cpuFingerprint()}`;
  return {
    folder,
    localBuild: path.join(nodeLlamaCpp, "llama", "localBuilds", folder),
    cached: path.join(cacheRoot, key, folder),
    logFile: path.join(cacheRoot, `${key}.log`),
  };
}

/** What node-llama-cpp checks before it loads a local build (getLocalBuildBinaryPath). @param {string} dir */
const isCompleteBuild = (dir) =>
  ["Release/llama-addon.node", "Release/_nlcBuildMetadata.json", "buildDone.status"].every((file) =>
    existsSync(path.join(dir, file)),
  );

/** Copies a build's loadable files (not its object files) to `to`, atomically. @param {string} from @param {string} to */
function copyBuild(from, to) {
  const staging = `${to}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(path.join(from, "Release"), path.join(staging, "Release"), { recursive: true });
  cpSync(path.join(from, "buildDone.status"), path.join(staging, "buildDone.status"));
  rmSync(to, { recursive: true, force: true });
  renameSync(staging, to);
}

/** Saves a build for the next install; a cache that cannot be written only costs that. @param {string} localBuild @param {string} cached */
function saveToCache(localBuild, cached) {
  try {
    if (!isCompleteBuild(cached)) copyBuild(localBuild, cached);
    return `cached in ${cached}`;
  } catch (error) {
    return `not cached: ${error instanceof Error ? error.message : error}`;
  }
}

/** @param {string} command */
const onPath = (command) =>
  spawnSync("/bin/sh", ["-c", `command -v "$0"`, command], { stdio: "ignore" }).status === 0;

/** The build tools that are missing (empty when the engine can be compiled here). */
function missingBuildTools() {
  const missing = [];
  if (!onPath("git")) missing.push("git");
  if (!onPath("cmake")) missing.push("cmake");
  if (!onPath("make") && !onPath("ninja")) missing.push("make or ninja");
  const compilers = [process.env.CXX, "c++", "g++", "clang++"].filter((name) => name !== undefined);
  if (!compilers.some(onPath)) missing.push("a C++ compiler");
  return missing;
}

/**
 * Compiles node-llama-cpp's bundled llama.cpp for this CPU (with OpenMP where the compiler has it);
 * its output goes to `logFile`. Resolves true when it built.
 * @param {string} nodeLlamaCpp @param {string} logFile
 */
function buildEngine(nodeLlamaCpp, logFile) {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = openSync(logFile, "w");
  const cli = path.join(nodeLlamaCpp, "dist", "cli", "cli.js");
  const child = spawn(process.execPath, [cli, "source", "download", "--gpu", "false", "--noUsageExample"], {
    stdio: ["ignore", log, log],
  });
  const startedAt = Date.now();
  const minutes = () => Math.round((Date.now() - startedAt) / 60_000);
  const progress = setInterval(() => say(`still building the engine (${minutes()} min)…`), PROGRESS_EVERY_MS);
  return new Promise((resolve) => {
    child.once("error", () => resolve(false));
    child.once("exit", (code) => {
      clearInterval(progress);
      resolve(code === 0);
    });
  });
}

async function main() {
  if (process.env.INFERQL_ENGINE_BUILD === "0")
    return say("INFERQL_ENGINE_BUILD=0: using node-llama-cpp's prebuilt engine");
  if (process.platform !== "linux")
    return say(`using node-llama-cpp's prebuilt engine (the CPU engine is only built on Linux)`);
  const nodeLlamaCpp = findNodeLlamaCpp();
  if (!nodeLlamaCpp) return say("node-llama-cpp is not installed: no engine to prepare");
  const { localBuild, cached, logFile } = engineLocations(nodeLlamaCpp);

  if (isCompleteBuild(localBuild))
    return say(
      `engine: the local llama.cpp build in node_modules is kept (${saveToCache(localBuild, cached)})`,
    );
  if (isCompleteBuild(cached)) {
    copyBuild(cached, localBuild);
    return say(`engine: restored this machine's llama.cpp build from ${cached} (no compiling)`);
  }
  const missing = missingBuildTools();
  if (missing.length)
    return say(
      `engine: no ${missing.join(", ")} found, so node-llama-cpp's prebuilt engine is used ` +
        "(slower on CPU; install them, then `npm run build:engine` in a clone or `npm rebuild inferql`)",
    );

  say(
    "building the llama.cpp engine for this CPU (~7 min on 2 cores; set INFERQL_ENGINE_BUILD=0 to skip)… " +
      `log: ${logFile}`,
  );
  const startedAt = Date.now();
  if ((await buildEngine(nodeLlamaCpp, logFile)) && isCompleteBuild(localBuild)) {
    const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
    return say(`engine built in ${minutes} min and ${saveToCache(localBuild, cached)}`);
  }
  rmSync(localBuild, { recursive: true, force: true });
  say(`engine build failed (log: ${logFile}): node-llama-cpp's prebuilt engine is used`);
}

main().catch((error) => {
  say(`engine step failed (${error instanceof Error ? error.message : error}): the prebuilt engine is used`);
});
