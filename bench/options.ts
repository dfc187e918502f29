// The harness's command line: `npm run bench -- [--quick] [--models bench,tiny] [--target openai=URL] …`.
import os from "node:os";
import { parseArgs } from "node:util";
import { otherCpus, parseCpuList } from "./cpuPinning.js";

export type BenchModelPreset = "bench" | "tiny";

export interface ExternalTarget {
  name: string;
  url: string;
  model?: string;
}

export interface BenchOptions {
  quick: boolean;
  models: BenchModelPreset[];
  concurrencies: number[];
  slots: number;
  /** llama.cpp threads per context, for every engine. */
  threads: number;
  /** llama-server thread counts to measure (its best is reported too). */
  llamaServerThreads: number[];
  ctxSize: number;
  batchSize: number;
  /** Rounds per concurrency level: each round runs every target once, back to back. */
  rounds: number;
  /** inferql's --stream-interval (tokens per streamed event after the first); 1 = every token. */
  streamInterval: number;
  /** Only these built-in targets (direct, graphql-ws, graphql-sse, trpc-sse, openai-sse, llama-server). */
  only?: Set<string>;
  external: ExternalTarget[];
  llamaServer?: string;
  skipPrefix: boolean;
  skipCeiling: boolean;
  /** Only the transport ceiling (no model is prepared or measured). */
  ceilingOnly: boolean;
  /** More fake-engine servers for the ceiling, from other checkouts (A/B in the same rounds). */
  ceilingServers: CeilingServer[];
  /**
   * The gateway overhead instead (issue #16): an upstream inferql (and llama-server) directly and
   * through a gateway inferql with --upstream, at c = 1 and c = slots by default; no prefix or ceiling run.
   */
  gateway: boolean;
  /** Unqueued TTFT pairs per gateway target (--gateway): each pair's difference is a few ms in ~100. */
  ttftPairs: number;
  /**
   * With --pin-upstreams (--gateway only): the CPUs (taskset lists) the upstreams run on, and the
   * others, for the load generator, the gateway and the proxy floor (cpuPinning.ts). Absent: every
   * process on every CPU.
   */
  pinning?: { upstreams: string; others: string };
}

/** `base=/tmp/base/bench/serveInferql.ts`: another tree's bench entry, started in fake mode. */
export interface CeilingServer {
  name: string;
  entry: string;
}

const USAGE = `npm run bench -- [--quick] [--models bench,tiny] [--concurrency 1,4,8,16] [--slots 4]
  [--threads N] [--llama-threads 1,2] [--ctx-size 2048] [--batch-size 512] [--stream-interval 1] [--rounds 3] [--only direct,openai-sse]
  [--target NAME=URL[#model]]... [--skip-prefix] [--skip-ceiling]
  [--ceiling-only] [--ceiling-server NAME=PATH/bench/serveInferql.ts]...
  [--gateway]   the gateway overhead: upstream directly vs through inferql --upstream (c = 1 and slots)
  [--ttft-pairs 200]   with --gateway: unqueued TTFT pairs (direct, through the gateway) per target
  [--pin-upstreams 0]  with --gateway: the upstreams on these CPUs, the client, gateway and proxy on the others
Env: LLAMA_SERVER=<path to llama-server> adds llama-server on the same GGUF (bench/build-llama-server.sh builds it).`;

const list = (text: string) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
const integers = (text: string) =>
  list(text)
    .map(Number)
    .filter((value) => Number.isInteger(value) && value > 0);

/** `defaultThreads`: what inferql would choose for the engine installed (defaultThreadsFor). */
export function parseBenchOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultThreads: number,
): BenchOptions | "help" {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      help: { type: "boolean" },
      quick: { type: "boolean", default: false },
      models: { type: "string" },
      concurrency: { type: "string" },
      slots: { type: "string", default: "4" },
      threads: { type: "string" },
      "llama-threads": { type: "string" },
      "ctx-size": { type: "string", default: "2048" },
      "batch-size": { type: "string", default: "512" },
      "stream-interval": { type: "string", default: "1" },
      rounds: { type: "string" },
      only: { type: "string" },
      target: { type: "string", multiple: true, default: [] },
      "skip-prefix": { type: "boolean", default: false },
      "skip-ceiling": { type: "boolean", default: false },
      "ceiling-only": { type: "boolean", default: false },
      "ceiling-server": { type: "string", multiple: true, default: [] },
      gateway: { type: "boolean", default: false },
      "ttft-pairs": { type: "string" },
      "pin-upstreams": { type: "string" },
    },
  });
  if (values.help) return "help";
  const quick = values.quick ?? false;
  const threads = values.threads ? Number(values.threads) : defaultThreads;
  const ceilingOnly = values["ceiling-only"] ?? false;
  const gateway = values.gateway ?? false;
  const slots = Number(values.slots);
  const pinUpstreams = values["pin-upstreams"];
  if (pinUpstreams !== undefined && !gateway) throw new Error("--pin-upstreams applies to a --gateway run");
  const models = (
    ceilingOnly
      ? []
      : values.models
        ? list(values.models)
        : quick
          ? ["tiny"]
          : gateway
            ? ["bench"]
            : ["bench", "tiny"]
  ).map((model) => {
    if (model !== "bench" && model !== "tiny") throw new Error(`unknown model '${model}' (bench or tiny)`);
    return model as BenchModelPreset;
  });
  const llamaServerThreads = values["llama-threads"]
    ? integers(values["llama-threads"])
    : [...new Set([threads, os.availableParallelism()])];
  return {
    quick,
    models,
    concurrencies: values.concurrency
      ? integers(values.concurrency)
      : gateway
        ? [...new Set([1, slots])]
        : quick
          ? [1, 4]
          : [1, 4, 8, 16],
    slots,
    threads,
    llamaServerThreads: quick ? [threads] : llamaServerThreads,
    ctxSize: Number(values["ctx-size"]),
    batchSize: Number(values["batch-size"]),
    streamInterval: Number(values["stream-interval"]),
    rounds: values.rounds ? positiveInteger("--rounds", values.rounds) : quick ? 1 : 3,
    only: values.only ? new Set(list(values.only)) : undefined,
    external: (values.target ?? []).map(parseExternalTarget),
    llamaServer: env.LLAMA_SERVER || undefined,
    skipPrefix: (values["skip-prefix"] ?? false) || gateway,
    skipCeiling: ((values["skip-ceiling"] ?? false) || gateway) && !ceilingOnly,
    ceilingOnly,
    ceilingServers: (values["ceiling-server"] ?? []).map(parseCeilingServer),
    gateway,
    ttftPairs: values["ttft-pairs"] ? positiveInteger("--ttft-pairs", values["ttft-pairs"]) : quick ? 5 : 200,
    ...(pinUpstreams === undefined
      ? {}
      : { pinning: { upstreams: pinUpstreams, others: otherCpus(parseCpuList(pinUpstreams)) } }),
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${flag} expects a positive integer, got '${text}'`);
  return value;
}

function parseCeilingServer(text: string): CeilingServer {
  const match = /^([\w.-]+)=(.+)$/.exec(text);
  if (!match) throw new Error(`--ceiling-server expects NAME=PATH, got '${text}'`);
  return { name: match[1], entry: match[2] };
}

/** `openai=http://host:port` or `vllm=http://host:8000#my-model`. */
function parseExternalTarget(text: string): ExternalTarget {
  const match = /^([\w.-]+)=(https?:\/\/[^#]+)(?:#(.+))?$/.exec(text);
  if (!match) throw new Error(`--target expects NAME=URL[#model], got '${text}'`);
  const [, name, url, model] = match;
  return { name: name === "openai" ? `openai@${new URL(url).host}` : name, url, model };
}

export { USAGE };
