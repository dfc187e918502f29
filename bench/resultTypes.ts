// The shape of bench/results/<date>-<host>.json.
import type { ColdPathProbe } from "./coldPath.js";
import type { TtftPairs } from "./gatewayTargets.js";
import type { RunMetrics } from "./metrics.js";

export interface ThroughputRun {
  target: string;
  concurrency: number;
  requests: number;
  /** 1-minute load average when the run ended (other processes on the machine). */
  loadAverage: number;
  metrics: RunMetrics;
  /**
   * Output tokens/s of each round, in order. Round r of every target at a level ran back to back,
   * so ratios between targets are taken round by round. Absent in runs from before rounds existed.
   */
  rounds?: number[];
  /**
   * The load generator's CPU (its process, all rounds) per output token: what the target's client
   * costs. For `direct` it includes the engine, which runs in that process. Absent before 2026-12-03.
   */
  loadGeneratorCpuUsPerToken?: number;
  /**
   * The serving Node process's main thread's CPU (all rounds) per output token: inferql's per-token
   * work beside the decode (or a gateway's, or the proxy floor's). Absent for `direct`, llama-server
   * and runs from before 2026-12-03 14:23.
   */
  serverMainThreadCpuUsPerToken?: number;
}

export interface PrefixCacheRun {
  target: string;
  /** Prompt tokens of the requests (shared prefix + a short question). */
  promptTokens: number;
  /** Prompt tokens the server reported as reused on the warm requests (when it reports them). */
  cachedPromptTokens?: number;
  /** Median TTFT of requests whose prefix no slot holds. */
  coldTtftMs: number;
  /** Median TTFT of the same prefix right after (a different question). */
  warmTtftMs: number;
  /** warm / cold: the target is ≤ 0.3. */
  ratio: number;
  failed: number;
}

export interface ModelResults {
  id: string;
  path: string;
  sizeBytes: number;
  maxTokens: number;
  promptWords: number;
  targets: { name: string; description: string }[];
  runs: ThroughputRun[];
  prefixCache: PrefixCacheRun[];
  /** A --gateway run's TTFT pairs (gateway and upstream, one request at a time). */
  ttftPairs?: TtftPairs[];
}

export interface CeilingRun {
  transport: string;
  /** The --ceiling-server it ran on; absent for this checkout's own. */
  server?: string;
  /** 0-based round (runs before rounds have none). */
  round?: number;
  concurrency: number;
  /** Deltas per stream. */
  deltasPerStream: number;
  eventsPerSecond: number;
  failed: number;
}

export interface BenchResults {
  date: string;
  host: string;
  quick: boolean;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    /** The node-llama-cpp binaries used: "prebuilt", or "local build" (npm run build:engine), and whether with OpenMP. */
    engineBuild?: string;
    nodeLlamaCpp: string;
    llamaCppRelease: string;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
    /** How much slower code runs after a pause on this machine (coldPath.ts); absent before 2026-12-02. */
    coldPath?: ColdPathProbe;
  };
  settings: {
    slots: number;
    threads: number;
    llamaServerThreads: number[];
    ctxSize: number;
    batchSize: number;
    /** inferql's --stream-interval; absent in runs from before it existed (= 1). */
    streamInterval?: number;
    concurrencies: number[];
    /** Rounds per concurrency level (absent in runs from before rounds existed = 1). */
    rounds?: number;
    temperature: number;
    /** A --gateway run (the upstream directly and through a gateway inferql); absent otherwise. */
    gateway?: boolean;
    /**
     * `--pin-upstreams`: the CPUs the upstreams ran on and those the load generator, the gateway and
     * the proxy floor ran on; absent when every process ran on every CPU.
     */
    pinning?: { upstreams: string; others: string };
  };
  models: ModelResults[];
  transportCeiling: CeilingRun[];
  /** Whatever could not be measured, and why. */
  notes: string[];
}
