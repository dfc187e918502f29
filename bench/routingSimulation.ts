// Routing simulation (issue #16, "Measured"): no model, no network. A discrete-event simulation of
// one inferql node in front of R replicas of S slots each, fed multi-turn chats that share system
// prompts, comparing round-robin, least-loaded and inferql's prefix affinity on prefix-cache hit rate,
// queueing delay, TTFT and load imbalance. The replica choice is inferql's own code (ReplicaRouter,
// the policy RemoteModel.pickSlot uses, with the real prefix hashes and affinity table); the engines,
// their KV caches and the clients are modelled. Seeded: the same settings give the same numbers.
//
//   npm run bench:routing                      # 8, 64 and 512 replicas; writes bench/results and the README
//   npm run bench:routing -- --replicas 8 --no-write
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { mulberry32 } from "../src/inference/gguf/seededRandom.js";
import { nextChatPrefixHash } from "../src/inference/remote/prefixAffinity.js";
import { ReplicaRouter } from "../src/inference/remote/replicaRouter.js";
import type { ChatPromptMessage } from "../src/inference/types.js";
import { COLORS, escapeXml, PANEL, panel, type Series } from "./chart.js";
import { EventQueue } from "./eventQueue.js";
import { PrefixBlockCache } from "./prefixBlockCache.js";
import { ReplicaMap } from "./replicaMap.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const START = "<!-- routing:results:start -->";
const END = "<!-- routing:results:end -->";

export const POLICIES = [
  "round-robin",
  "least-loaded",
  "prefix-affinity",
  "prefix-affinity-balanced",
  "prefix-affinity-fixed-table",
] as const;
export type Policy = (typeof POLICIES)[number];

export interface SimulationSettings {
  seed: number;
  replicaCounts: number[];
  policies: Policy[];
  /** Requests one replica runs at once (`slots=`). */
  slotsPerReplica: number;
  /** KV cache per replica, in tokens, kept least recently used first out (prefix blocks). */
  cacheTokensPerReplica: number;
  /** Prefill time per uncached prompt token; one replica prefills one request at a time. */
  prefillMsPerToken: number;
  /** Decode time per output token of a sequence running alone… */
  decodeMsPerToken: number;
  /** …grown by this fraction for each other sequence running on the replica when it starts. */
  decodeSlowdownPerSequence: number;
  /** Shared system prompts, chosen by a Zipf law. */
  systemPrompts: number;
  systemPromptTokens: [number, number];
  zipfExponent: number;
  /** Share of arrivals (new sessions) that are one request, not a chat. */
  oneShotShare: number;
  /** Share of one-shot requests with no shared system prompt (a prompt of their own). */
  oneShotUniqueShare: number;
  /** Turns of a chat (uniform), fewer when its context would pass maxContextTokens. */
  chatTurns: [number, number];
  maxContextTokens: number;
  /** Lognormal lengths: median and sigma. */
  userTokens: [number, number];
  oneShotTokens: [number, number];
  outputTokens: [number, number];
  /** Mean pause between a reply and the user's next message (exponential). */
  thinkSeconds: number;
  /** Arrivals are set so that this share of all slots would be busy (estimated; measured below). */
  targetOccupancy: number;
  warmupSeconds: number;
  /** The measured window lasts long enough for about this many requests (at least minMeasureSeconds). */
  measuredRequests: number;
  minMeasureSeconds: number;
  /** Prefix-affinity-balanced: affinity only while its replica runs ≤ this many more than the least loaded. */
  balanceThreshold: number;
  /** Prefix hashes inferql's affinity table remembers; unset: its own default (affinityCapacityFor). */
  affinityCapacity?: number;
  /** Prefix-affinity-fixed-table (inferql's table before it grew with the fleet): this many hashes. */
  fixedAffinityCapacity: number;
}

export const DEFAULT_SETTINGS: SimulationSettings = {
  seed: 16,
  replicaCounts: [8, 64, 512],
  policies: [...POLICIES],
  slotsPerReplica: 8,
  cacheTokensPerReplica: 200_000,
  prefillMsPerToken: 0.2,
  decodeMsPerToken: 20,
  decodeSlowdownPerSequence: 0.04,
  systemPrompts: 16,
  systemPromptTokens: [300, 3000],
  zipfExponent: 1,
  oneShotShare: 0.3,
  oneShotUniqueShare: 0.3,
  chatTurns: [2, 10],
  maxContextTokens: 16_384,
  userTokens: [120, 0.8],
  oneShotTokens: [400, 0.8],
  outputTokens: [200, 0.6],
  thinkSeconds: 20,
  targetOccupancy: 0.8,
  warmupSeconds: 300,
  measuredRequests: 10_000,
  minMeasureSeconds: 60,
  balanceThreshold: 2,
  fixedAffinityCapacity: 50_000,
};

export interface Quantiles {
  mean: number;
  p50: number;
  p99: number;
}

export interface RoutingRun {
  replicas: number;
  policy: Policy;
  /** Requests that arrived in the measured window. */
  requests: number;
  measuredSeconds: number;
  arrivalsPerSecond: number;
  /** Mean share of all slots busy over the measured window. */
  occupancy: number;
  /** Cached prompt tokens / prompt tokens. */
  hitRate: number;
  /** Time in inferql's queue (arrival → slot). */
  queueMs: Quantiles;
  /** Arrival → first token: queue, the replica's prefill queue, prefill, one decode step. */
  ttftMs: Quantiles;
  /** Waiting for the replica to finish other requests' prefill. */
  prefillWaitMs: Quantiles;
  /** Busiest replica's mean busy slots / the mean over replicas. */
  imbalance: number;
  /** Chat follow-ups that ran on the replica their previous turn ran on. */
  followUpsOnSameReplica: number;
  wallMs: number;
}

export interface RoutingResults {
  date: string;
  host: string;
  machine: { cpus: number; cpuModel: string; node: string };
  settings: SimulationSettings;
  runs: RoutingRun[];
  wallSeconds: number;
}

class Random {
  private readonly next: () => number;
  /** The second of the last pair of normal draws, NaN once used (always a number: kept unboxed). */
  private spare = Number.NaN;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(): number {
    return this.next();
  }
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const value = this.spare;
      this.spare = Number.NaN;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
  lognormal([median, sigma]: [number, number], min: number, max: number): number {
    return Math.round(Math.min(max, Math.max(min, median * Math.exp(sigma * this.normal()))));
  }
  /** 1 + a geometric number of extra trials, with this mean. */
  integer([min, max]: [number, number]): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick(cumulative: readonly number[]): number {
    const u = this.next() * cumulative[cumulative.length - 1];
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] > u) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}

const reply = (conversation: Conversation, turn: number): ChatPromptMessage => ({
  role: "assistant",
  content: `c${conversation.id}.${turn}r`,
  toolCalls: [],
});

const lognormalMean = ([median, sigma]: [number, number]) => median * Math.exp((sigma * sigma) / 2);

interface Conversation {
  id: number;
  /** Its own stream, so that every policy sees the same sessions. */
  random: Random;
  /** Prefix hashes of its messages (promptPrefixHashes of the chat so far). */
  hashes: number[];
  /** Tokens of each message. */
  blockTokens: number[];
  tokens: number;
  turnsLeft: number;
  turn: number;
  lastReplica: number;
}

interface Request {
  conversation: Conversation;
  /** The prefix hash of its prompt with its reply (the reply's block in a KV cache). */
  replyHash: number;
  promptTokens: number;
  outputTokens: number;
  arrival: number;
  followUp: boolean;
  measured: boolean;
  /** Where it runs, -1 until it has a slot. */
  replica: number;
}

/**
 * An event: a session starts, or a request arrives at inferql (it has no replica yet) or ends its
 * generation (it has one).
 */
type SimEvent = "session" | Request;

interface Replica {
  running: number;
  prefillFreeAt: number;
  cache: PrefixBlockCache;
  busyArea: number;
  lastChange: number;
}

function quantiles(values: number[]): Quantiles {
  if (values.length === 0) return { mean: Number.NaN, p50: Number.NaN, p99: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { mean: values.reduce((sum, value) => sum + value, 0) / values.length, p50: at(0.5), p99: at(0.99) };
}

/** Requests per second that would keep `targetOccupancy` of the slots busy (an estimate). */
function arrivalRate(settings: SimulationSettings, replicas: number): number {
  const busyPerReplica = settings.slotsPerReplica * settings.targetOccupancy;
  const tpot = settings.decodeMsPerToken * (1 + settings.decodeSlowdownPerSequence * (busyPerReplica - 1));
  // Service time: the reply's decode and about half the prompt's prefill (the rest cached).
  const chatPrompt =
    (settings.systemPromptTokens[0] + settings.systemPromptTokens[1]) / 2 +
    ((settings.chatTurns[0] + settings.chatTurns[1]) / 4) *
      (lognormalMean(settings.userTokens) + lognormalMean(settings.outputTokens));
  const serviceMs =
    lognormalMean(settings.outputTokens) * tpot + 0.5 * chatPrompt * settings.prefillMsPerToken;
  return (replicas * busyPerReplica) / (serviceMs / 1000);
}

export function simulate(settings: SimulationSettings, replicaCount: number, policy: Policy): RoutingRun {
  const started = performance.now();
  const random = new Random(settings.seed * 1_000_003 + replicaCount);
  const slots = settings.slotsPerReplica;
  const requestsPerSecond = arrivalRate(settings, replicaCount);
  const meanTurns = (settings.chatTurns[0] + settings.chatTurns[1]) / 2;
  const requestsPerSession = settings.oneShotShare + (1 - settings.oneShotShare) * meanTurns;
  const sessionsPerSecond = requestsPerSecond / requestsPerSession;
  const measureSeconds = Math.max(settings.minMeasureSeconds, settings.measuredRequests / requestsPerSecond);
  const windowStart = settings.warmupSeconds * 1000;
  const windowEnd = windowStart + measureSeconds * 1000;

  // Shared system prompts: their lengths, and a Zipf law over them.
  const systemTokens = Array.from({ length: settings.systemPrompts }, () =>
    Math.round(
      settings.systemPromptTokens[0] +
        random.uniform() * (settings.systemPromptTokens[1] - settings.systemPromptTokens[0]),
    ),
  );
  const zipf: number[] = [];
  for (let rank = 1; rank <= settings.systemPrompts; rank++)
    zipf.push((zipf.at(-1) ?? 0) + 1 / rank ** settings.zipfExponent);

  const replicas: Replica[] = Array.from({ length: replicaCount }, () => ({
    running: 0,
    prefillFreeAt: 0,
    cache: new PrefixBlockCache(settings.cacheTokensPerReplica),
    busyArea: 0,
    lastChange: windowStart,
  }));
  const freeCount = new Array<number>(replicaCount).fill(slots);
  /** Replicas with a free slot → how many: what the scheduler hands RemoteModel.pickSlot. */
  const free = new ReplicaMap(replicaCount);
  for (let replica = 0; replica < replicaCount; replica++) free.set(replica, slots);
  const router =
    policy === "round-robin"
      ? undefined
      : new ReplicaRouter({
          slotsPerReplica: slots,
          replicas: replicaCount,
          ...(policy === "prefix-affinity-balanced" ? { balanceThreshold: settings.balanceThreshold } : {}),
          ...(settings.affinityCapacity ? { affinityCapacity: settings.affinityCapacity } : {}),
          ...(policy === "prefix-affinity-fixed-table"
            ? { affinityCapacity: settings.fixedAffinityCapacity }
            : {}),
        });
  let roundRobin = 0;

  const events = new EventQueue<SimEvent>();
  const queue: Request[] = [];
  let queueHead = 0;
  let conversations = 0;

  const stats = {
    promptTokens: 0,
    cachedTokens: 0,
    queueMs: [] as number[],
    ttftMs: [] as number[],
    prefillWaitMs: [] as number[],
    followUps: 0,
    followUpsSame: 0,
    requests: 0,
  };

  const clip = (time: number) => Math.min(windowEnd, Math.max(windowStart, time));
  const setRunning = (replica: Replica, time: number, delta: number) => {
    replica.busyArea += replica.running * (clip(time) - clip(replica.lastChange));
    replica.lastChange = time;
    replica.running += delta;
  };

  const newTurn = (conversation: Conversation, time: number, userTokens: number, followUp: boolean) => {
    const turn = conversation.turn++;
    const message: ChatPromptMessage = { role: "user", content: `c${conversation.id}.${turn}` };
    conversation.blockTokens.push(userTokens);
    conversation.tokens += userTokens;
    conversation.turnsLeft--;
    const outputTokens = conversation.random.lognormal(settings.outputTokens, 8, 2048);
    // Only what this turn adds is hashed: the user's message, then the reply that will follow it.
    conversation.hashes.push(nextChatPrefixHash(conversation.hashes.at(-1), message));
    const request: Request = {
      conversation,
      replyHash: nextChatPrefixHash(conversation.hashes.at(-1), reply(conversation, turn)),
      promptTokens: conversation.tokens,
      outputTokens,
      arrival: time,
      followUp,
      measured: time >= windowStart && time < windowEnd,
      replica: -1,
    };
    events.push(time, request);
  };

  const startSession = (time: number) => {
    const id = conversations++;
    const own = new Random(settings.seed * 7919 + id * 104_729 + 1);
    const oneShot = own.uniform() < settings.oneShotShare;
    const conversation: Conversation = {
      id,
      random: own,
      hashes: [],
      blockTokens: [],
      tokens: 0,
      turnsLeft: oneShot ? 1 : own.integer(settings.chatTurns),
      turn: 0,
      lastReplica: -1,
    };
    if (!oneShot || own.uniform() >= settings.oneShotUniqueShare) {
      const system = own.pick(zipf);
      conversation.hashes.push(
        nextChatPrefixHash(undefined, { role: "system", content: `system prompt ${system}` }),
      );
      conversation.blockTokens.push(systemTokens[system]);
      conversation.tokens += systemTokens[system];
    }
    const userTokens = oneShot
      ? own.lognormal(settings.oneShotTokens, 8, 8192)
      : own.lognormal(settings.userTokens, 4, 4096);
    newTurn(conversation, time, userTokens, false);
  };

  const choose = (request: Request): number => {
    if (router) {
      const prefix = policy === "least-loaded" ? undefined : request.conversation.hashes;
      const chosen = router.pick(free, prefix);
      if (chosen === undefined) throw new Error("no replica for a request while one has a free slot");
      return chosen;
    }
    for (let step = 0; step < replicaCount; step++) {
      const replica = (roundRobin + step) % replicaCount;
      if (freeCount[replica] > 0) {
        roundRobin = replica + 1;
        return replica;
      }
    }
    throw new Error("no replica for a request while one has a free slot");
  };

  const assign = (request: Request, index: number, now: number) => {
    const replica = replicas[index];
    request.replica = index;
    if (--freeCount[index] === 0) free.delete(index);
    else free.set(index, freeCount[index]);
    setRunning(replica, now, 1);
    const { hashes, blockTokens } = request.conversation;
    const cached = replica.cache.serve(hashes, blockTokens, request.replyHash, request.outputTokens);
    const prefillStart = Math.max(now, replica.prefillFreeAt);
    const prefillEnd = prefillStart + Math.max(1, request.promptTokens - cached) * settings.prefillMsPerToken;
    replica.prefillFreeAt = prefillEnd;
    const tpot = settings.decodeMsPerToken * (1 + settings.decodeSlowdownPerSequence * (replica.running - 1));
    if (request.measured) {
      stats.requests++;
      stats.promptTokens += request.promptTokens;
      stats.cachedTokens += cached;
      stats.queueMs.push(now - request.arrival);
      stats.prefillWaitMs.push(prefillStart - now);
      stats.ttftMs.push(prefillEnd + tpot - request.arrival);
      if (request.followUp) {
        stats.followUps++;
        if (request.conversation.lastReplica === index) stats.followUpsSame++;
      }
    }
    request.conversation.lastReplica = index;
    events.push(prefillEnd + request.outputTokens * tpot, request);
  };

  const dispatch = (now: number) => {
    while (queueHead < queue.length && free.size > 0)
      assign(queue[queueHead++], choose(queue[queueHead - 1]), now);
    if (queueHead > 4096 && queueHead * 2 > queue.length) {
      queue.splice(0, queueHead);
      queueHead = 0;
    }
  };

  const finish = (request: Request, now: number) => {
    const index = request.replica;
    const replica = replicas[index];
    const conversation = request.conversation;
    setRunning(replica, now, -1);
    freeCount[index]++;
    free.set(index, freeCount[index]);
    conversation.hashes.push(request.replyHash);
    conversation.blockTokens.push(request.outputTokens);
    conversation.tokens += request.outputTokens;
    if (conversation.turnsLeft > 0) {
      const userTokens = conversation.random.lognormal(settings.userTokens, 4, 4096);
      const next = now + conversation.random.exponential(settings.thinkSeconds * 1000);
      if (next < windowEnd && conversation.tokens + userTokens + 2048 <= settings.maxContextTokens)
        newTurn(conversation, next, userTokens, true);
    }
    dispatch(now);
  };

  events.push(0, "session");
  while (events.size > 0) {
    const event = events.pop();
    const now = events.now;
    if (event === "session") {
      startSession(now);
      const next = now + random.exponential(1000 / sessionsPerSecond);
      if (next < windowEnd) events.push(next, "session");
    } else if (event.replica < 0) {
      queue.push(event);
      dispatch(now);
    } else finish(event, now);
  }

  for (const replica of replicas) setRunning(replica, windowEnd, 0);
  const busy = replicas.map((replica) => replica.busyArea / (windowEnd - windowStart));
  const meanBusy = busy.reduce((sum, value) => sum + value, 0) / replicaCount;
  return {
    replicas: replicaCount,
    policy,
    requests: stats.requests,
    measuredSeconds: measureSeconds,
    arrivalsPerSecond: stats.requests / measureSeconds,
    occupancy: meanBusy / slots,
    hitRate: stats.cachedTokens / stats.promptTokens,
    queueMs: quantiles(stats.queueMs),
    ttftMs: quantiles(stats.ttftMs),
    prefillWaitMs: quantiles(stats.prefillWaitMs),
    imbalance: Math.max(...busy) / meanBusy,
    followUpsOnSameReplica: stats.followUps ? stats.followUpsSame / stats.followUps : Number.NaN,
    wallMs: performance.now() - started,
  };
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "–");

export function renderTable(results: RoutingResults): string {
  const rows = results.runs.map(
    (run) =>
      `| ${run.replicas} | ${run.policy} | ${run.requests} | ${fixed(run.arrivalsPerSecond, 1)} | ${fixed(100 * run.occupancy)} % | **${fixed(100 * run.hitRate, 1)} %** | ${fixed(100 * run.followUpsOnSameReplica)} % | ${fixed(run.queueMs.p50)} / ${fixed(run.queueMs.p99)} | ${fixed(run.prefillWaitMs.p50)} / ${fixed(run.prefillWaitMs.p99)} | ${fixed(run.ttftMs.p50)} / ${fixed(run.ttftMs.p99)} | ${fixed(run.imbalance, 2)} |`,
  );
  return [
    "| replicas | policy | requests | req/s | busy slots | prefix-cache hit rate | follow-ups on the same replica | queue p50 / p99 (ms) | prefill wait p50 / p99 (ms) | TTFT p50 / p99 (ms) | imbalance (max / mean busy) |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n");
}

export function renderChart(results: RoutingResults): string {
  const xs = results.settings.replicaCounts;
  const policies = results.settings.policies;
  const series = (metric: (run: RoutingRun) => number): Series[] =>
    policies.map((policy, index) => ({
      name: policy,
      color: COLORS[(index + 1) % COLORS.length],
      points: results.runs
        .filter((run) => run.policy === policy)
        .map((run) => ({ x: run.replicas, y: metric(run) })),
    }));
  const panels: [string, (run: RoutingRun) => number, string][] = [
    ["prefix-cache hit rate", (run) => 100 * run.hitRate, "%"],
    ["TTFT p50", (run) => run.ttftMs.p50, "ms"],
    ["TTFT p99", (run) => run.ttftMs.p99, "ms"],
    ["queueing delay p99", (run) => run.queueMs.p99, "ms"],
    ["prefill wait p99", (run) => run.prefillWaitMs.p99, "ms"],
    ["imbalance (max / mean busy)", (run) => run.imbalance, "×"],
  ];
  const columns = 3;
  const width = columns * PANEL.width + 200;
  const height = Math.ceil(panels.length / columns) * PANEL.height;
  const parts = panels.map(([title, metric, unit], index) =>
    panel(
      (index % columns) * PANEL.width,
      Math.floor(index / columns) * PANEL.height,
      title,
      xs,
      series(metric),
      unit,
      "replicas",
    ),
  );
  const legend = policies.map(
    (policy, index) =>
      `<rect x="${columns * PANEL.width + 10}" y="${PANEL.top + index * 18}" width="12" height="12" fill="${COLORS[(index + 1) % COLORS.length]}"/>` +
      `<text x="${columns * PANEL.width + 28}" y="${PANEL.top + index * 18 + 10}" font-size="11">${escapeXml(policy)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    ...legend,
    "</svg>",
    "",
  ].join("\n");
}

function renderReport(results: RoutingResults, chartPath: string, jsonPath: string): string {
  const s = results.settings;
  return [
    `Run \`${jsonPath}\` (${results.wallSeconds.toFixed(1)} s on ${results.machine.cpuModel}; seed ${s.seed}):`,
    `${s.slotsPerReplica} slots and a ${s.cacheTokensPerReplica.toLocaleString("en")}-token KV cache per replica,`,
    `prefill ${s.prefillMsPerToken} ms per uncached token (one request at a time per replica), decode`,
    `${s.decodeMsPerToken} ms per token +${100 * s.decodeSlowdownPerSequence} % per other running sequence;`,
    `${s.systemPrompts} system prompts of ${s.systemPromptTokens[0]}–${s.systemPromptTokens[1]} tokens (Zipf ${s.zipfExponent}),`,
    `${100 * s.oneShotShare} % one-shot sessions (${100 * s.oneShotUniqueShare} % of them without a shared system prompt), chats of`,
    `${s.chatTurns[0]}–${s.chatTurns[1]} turns (user messages ~${s.userTokens[0]} tokens, replies ~${s.outputTokens[0]}, ${s.thinkSeconds} s to think,`,
    `at most ${s.maxContextTokens.toLocaleString("en")} tokens); sessions arrive as a Poisson process sized for ~${100 * s.targetOccupancy} % busy slots;`,
    `${s.warmupSeconds} s of warm-up, then the measured window. The balanced variant follows affinity only while its`,
    `replica runs at most ${s.balanceThreshold} more requests than the least loaded candidate; the fixed-table one is`,
    `inferql's routing with the table it had before it grew with the fleet: ${s.fixedAffinityCapacity.toLocaleString("en")} prefix hashes`,
    "whatever the replica count (now 1,000 a replica, at least 50,000: affinityCapacityFor).",
    "",
    renderTable(results),
    "",
    `![routing simulation](${chartPath})`,
  ].join("\n");
}

function parseArgs(argv: string[]): { settings: SimulationSettings; write: boolean } {
  const settings = structuredClone(DEFAULT_SETTINGS);
  let write = true;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--replicas") settings.replicaCounts = value().split(",").map(Number);
    else if (arg === "--seed") settings.seed = Number(value());
    else if (arg === "--policies") settings.policies = value().split(",") as Policy[];
    else if (arg === "--occupancy") settings.targetOccupancy = Number(value());
    else if (arg === "--affinity-capacity") settings.affinityCapacity = Number(value());
    else if (arg === "--no-write") write = false;
    else if (arg === "--help") {
      console.log(
        "npm run bench:routing -- [--replicas 8,64,512] [--seed N] [--policies a,b] [--occupancy 0.8] [--affinity-capacity N] [--no-write]",
      );
      process.exit(0);
    } else throw new Error(`unknown option ${arg}`);
  }
  for (const policy of settings.policies)
    if (!POLICIES.includes(policy)) throw new Error(`unknown policy ${policy} (${POLICIES.join(", ")})`);
  return { settings, write };
}

interface Job {
  settings: SimulationSettings;
  replicas: number;
  policy: Policy;
}

/** Every run, in one worker thread per core (runs are independent, each seeded on its own). */
async function simulateAll(settings: SimulationSettings): Promise<RoutingRun[]> {
  const jobs: Job[] = settings.replicaCounts.flatMap((replicas) =>
    settings.policies.map((policy) => ({ settings, replicas, policy })),
  );
  // The largest first, so that the last to finish are short.
  const order = [...jobs.keys()].sort((a, b) => jobs[b].replicas - jobs[a].replicas);
  const runs: RoutingRun[] = new Array(jobs.length);
  const work = async () => {
    // The worker loads this TypeScript file through tsx's API (tsx's loader does not reach workers).
    const worker = new Worker(
      `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`,
      { eval: true, workerData: { routingWorker: true } },
    );
    try {
      for (let next = order.shift(); next !== undefined; next = order.shift()) {
        worker.postMessage(jobs[next]);
        const run = await new Promise<RoutingRun>((resolve, reject) => {
          const fail = (error: Error) => reject(error);
          worker.once("error", fail);
          worker.once("message", (message: RoutingRun) => {
            worker.off("error", fail);
            resolve(message);
          });
        });
        runs[next] = run;
        console.log(
          `${String(run.replicas).padStart(4)} ${run.policy.padEnd(25)} hit ${fixed(100 * run.hitRate, 1).padStart(5)} %  queue p99 ${fixed(run.queueMs.p99).padStart(6)} ms  TTFT p50/p99 ${fixed(run.ttftMs.p50)}/${fixed(run.ttftMs.p99)} ms  busy ${fixed(100 * run.occupancy)} %  imbalance ${fixed(run.imbalance, 2)}  (${run.requests} requests, ${fixed(run.wallMs)} ms)`,
        );
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs.length, os.availableParallelism()) }, work));
  return runs;
}

async function main(): Promise<void> {
  const { settings, write } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const runs = await simulateAll(settings);
  const date = new Date().toISOString();
  const results: RoutingResults = {
    date,
    host: os.hostname(),
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      node: process.version,
    },
    settings,
    runs,
    wallSeconds: (performance.now() - started) / 1000,
  };
  console.log(`\n${renderTable(results)}\n\n${results.wallSeconds.toFixed(1)} s`);
  if (!write) return;
  const base = `${date.slice(0, 10)}-${date.slice(11, 16).replace(":", "")}-${results.host}-routing`;
  const dir = path.join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(dir, `${base}.svg`), renderChart(results));
  const readmePath = path.join(ROOT, "bench/README.md");
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start >= 0 && end > start) {
    const report = renderReport(results, `results/${base}.svg`, `results/${base}.json`);
    writeFileSync(readmePath, `${readme.slice(0, start + START.length)}\n${report}\n${readme.slice(end)}`);
  }
  console.log(`results: bench/results/${base}.json, chart: bench/results/${base}.svg`);
}

if (!isMainThread && (workerData as { routingWorker?: boolean } | undefined)?.routingWorker) {
  parentPort?.on("message", (job: Job) =>
    parentPort?.postMessage(simulate(job.settings, job.replicas, job.policy)),
  );
} else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]))
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
