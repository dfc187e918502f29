// `npm run bench`: every interface against the engine itself (direct) and against llama-server.
// Writes bench/results/<date>-<host>.json, an SVG chart and the tables in bench/README.md
// (a --quick smoke run writes under .cache/bench/ instead and leaves the committed results alone).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { defaultThreadsFor } from "../src/inference/engine/loadLlama.js";
import { renderChartSvg } from "./chart.js";
import { describeColdPath, probeColdPath } from "./coldPath.js";
import { pinThisProcess } from "./cpuPinning.js";
import { measureModel } from "./modelRun.js";
import { prepareModel } from "./models.js";
import { type BenchOptions, parseBenchOptions, USAGE } from "./options.js";
import { renderGatewayReport, renderReport, updateReadme } from "./report.js";
import type { BenchResults } from "./resultTypes.js";
import { TEMPERATURE } from "./throughputRun.js";
import { measureTransportCeiling } from "./transportCeiling.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const log = (line: string) => console.log(line);

async function main(): Promise<number> {
  const engine = await describeEngine();
  const options = parseBenchOptions(process.argv.slice(2), process.env, engine.defaultThreads);
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  const results = newResults(options);
  // Before any server starts: the ones started later run where this process does, unless told otherwise.
  if (options.pinning) pinThisProcess(options.pinning.others);
  results.machine.engineBuild = engine.build;
  results.machine.coldPath = await probeColdPath();
  if (process.env.UV_THREADPOOL_SIZE !== "1")
    results.notes.push(
      `UV_THREADPOOL_SIZE is ${process.env.UV_THREADPOOL_SIZE ?? "unset (4)"}, not 1 as inferql runs: run through npm run bench`,
    );
  log(
    `inferql bench${options.quick ? " (quick)" : ""}: ${options.models.join(", ")}; slots ${options.slots}, threads ${options.threads}; load ${os.loadavg()[0].toFixed(2)}; ${describeColdPath(results.machine.coldPath)}`,
  );
  for (const [index, preset] of options.models.entries()) {
    const model = await prepareModel(preset, options.quick);
    log(
      `model ${model.id}: ${(model.sizeBytes / 1e6).toFixed(1)} MB, ${model.maxTokens} output tokens per request`,
    );
    results.models.push(await measureModel(model, options, ROOT, results.notes, log, index === 0));
  }
  if (!options.skipCeiling) {
    log("transport ceiling (fake instant engine):");
    results.transportCeiling = await measureTransportCeiling(
      {
        deltasPerStream: options.quick ? 300 : 3000,
        concurrencies: options.quick ? [1] : [1, 8],
        rounds: options.rounds,
        otherServers: options.ceilingServers,
        only: options.only,
      },
      log,
    );
  }
  results.machine.loadAverageAtEnd = os.loadavg();
  if (!options.llamaServer && !options.gateway)
    results.notes.push(
      "LLAMA_SERVER not set: llama-server not measured (bench/build-llama-server.sh builds it)",
    );
  writeOutputs(results, options);
  const failed =
    results.models.flatMap((model) => model.runs).some((run) => run.metrics.failed > 0) ||
    results.models.flatMap((model) => model.prefixCache).some((run) => run.failed > 0) ||
    results.transportCeiling.some((run) => run.failed > 0) ||
    results.notes.some((note) => note.startsWith("ERROR"));
  return failed ? 1 : 0;
}

/** The engine build installed, and the threads inferql would choose for it. */
async function describeEngine(): Promise<{ build: string; defaultThreads: number }> {
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const openMp = llama.systemInfo.includes("OPENMP = 1");
  const build = `${llama.buildType === "localBuild" ? "local build" : "prebuilt"}${openMp ? " with OpenMP" : ", no OpenMP"}`;
  const defaultThreads = defaultThreadsFor(llama);
  await llama.dispose();
  return { build, defaultThreads };
}

function newResults(options: BenchOptions): BenchResults {
  const nodeLlamaCpp = readJson(path.join(ROOT, "node_modules/node-llama-cpp/package.json")).version;
  const llamaCpp = readJson(path.join(ROOT, "node_modules/node-llama-cpp/llama/llama.cpp.info.json")).tag;
  return {
    date: new Date().toISOString(),
    host: os.hostname(),
    quick: options.quick,
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      nodeLlamaCpp: String(nodeLlamaCpp),
      llamaCppRelease: String(llamaCpp),
      loadAverageAtStart: os.loadavg(),
      loadAverageAtEnd: [],
    },
    settings: {
      slots: options.slots,
      threads: options.threads,
      llamaServerThreads: options.llamaServer ? options.llamaServerThreads : [],
      ctxSize: options.ctxSize,
      batchSize: options.batchSize,
      streamInterval: options.streamInterval,
      concurrencies: options.concurrencies,
      ...(options.gateway ? { gateway: true } : {}),
      ...(options.pinning ? { pinning: options.pinning } : {}),
      rounds: options.rounds,
      temperature: TEMPERATURE,
    },
    models: [],
    transportCeiling: [],
    notes: [],
  };
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

function writeOutputs(results: BenchResults, options: BenchOptions): void {
  // <date>-<host>, the date with its UTC hour and minute so that runs of one day do not overwrite.
  // A --ceiling-only run is `<date>-<host>-ceiling.json`, with no chart, and leaves the README's
  // results (the last full run) alone.
  // A --gateway run is `<date>-<host>-gateway.json` with its own report (printed, not written into
  // the README's generated section). A partial run (--only some targets, or --skip-prefix or
  // --skip-ceiling) writes its JSON and chart, and the README keeps the last full run.
  const suffix = options.ceilingOnly ? "-ceiling" : options.gateway ? "-gateway" : "";
  const base = `${results.date.slice(0, 10)}-${results.date.slice(11, 16).replace(":", "")}-${results.host}${suffix}`;
  const dir = options.quick ? path.join(ROOT, ".cache/bench") : path.join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const jsonPath = path.join(dir, `${base}.json`);
  const svgPath = path.join(dir, `${base}.svg`);
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  const chart = !options.ceilingOnly && !options.gateway;
  if (chart) writeFileSync(svgPath, renderChartSvg(results));
  const report = options.gateway
    ? renderGatewayReport(results)
    : renderReport(results, `results/${base}.svg`);
  const partial = options.only !== undefined || options.skipPrefix || options.skipCeiling;
  if (!options.quick && chart && !partial) updateReadme(path.join(ROOT, "bench/README.md"), report);
  log(`\n${report}`);
  log(`results: ${path.relative(ROOT, jsonPath)}${chart ? `, chart: ${path.relative(ROOT, svgPath)}` : ""}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
