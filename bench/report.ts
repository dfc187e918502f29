// The Markdown report: tokens/s per target and level as ratios to the direct anchor, the full vLLM
// metrics, the prompt-cache and transport-ceiling runs, and the issue's targets checked one by one.
import { readFileSync, writeFileSync } from "node:fs";
import { describeColdPath } from "./coldPath.js";
import { GATEWAY_PAIRS } from "./gatewayTargets.js";
import { percentile, type RunMetrics } from "./metrics.js";
import type { BenchResults, CeilingRun, ModelResults, ThroughputRun } from "./resultTypes.js";
import { isInferqlInterface } from "./targets/inferqlInterfaces.js";

const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";

const f0 = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : "–");
const f1 = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "–");
const f2 = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "–");
const mark = (ok: boolean) => (ok ? "✅" : "❌");
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function find(model: ModelResults, target: string, concurrency: number): ThroughputRun | undefined {
  return model.runs.find((run) => run.target === target && run.concurrency === concurrency);
}

/**
 * `run`'s output tokens/s relative to `anchor`'s at the same level: the median of the round-by-round
 * ratios when both ran the same rounds (each pair ran back to back, so the machine's drift cancels),
 * else the ratio of the pooled rates. `low`/`high`: the range of the round ratios.
 */
export function pairedRatio(
  run: ThroughputRun,
  anchor: ThroughputRun,
): { ratio: number; low: number; high: number } {
  const ours = run.rounds ?? [];
  const theirs = anchor.rounds ?? [];
  if (ours.length < 2 || ours.length !== theirs.length) {
    const ratio = run.metrics.outputThroughput / anchor.metrics.outputThroughput;
    return { ratio, low: ratio, high: ratio };
  }
  const ratios = ours.map((rate, round) => rate / theirs[round]).sort((a, b) => a - b);
  return { ratio: percentile(ratios, 50), low: ratios[0], high: ratios[ratios.length - 1] };
}

function targetNames(model: ModelResults): string[] {
  return [...new Set(model.runs.map((run) => run.target))];
}

export function renderReport(results: BenchResults, chartPath: string): string {
  const { machine, settings } = results;
  const lines = [
    `Run ${results.date} on \`${results.host}\`${results.quick ? " (**quick smoke run**)" : ""}: ${machine.cpus} × ${machine.cpuModel}, ` +
      `${machine.memoryGiB} GiB, Node ${machine.node}, node-llama-cpp ${machine.nodeLlamaCpp} (llama.cpp release ${machine.llamaCppRelease}` +
      `${machine.engineBuild ? `, ${machine.engineBuild}` : ""}). ` +
      `Load average at start ${machine.loadAverageAtStart.map(f2).join(" / ")}, at end ${machine.loadAverageAtEnd.map(f2).join(" / ")} ` +
      "(other work was running on the machine; every run's own load is in the JSON)." +
      (machine.coldPath ? ` ${capitalized(describeColdPath(machine.coldPath))}.` : ""),
    "",
    `Settings: ${settings.slots} slots, ${settings.threads} thread(s) per context, ${settings.ctxSize} tokens per slot, ` +
      `batch ${settings.batchSize}, temperature ${settings.temperature}, inferql --stream-interval ${settings.streamInterval ?? 1}; ` +
      `${settings.rounds ?? 1} round(s) per level (ratios: median of the round-by-round ratios); ` +
      `concurrency ${settings.concurrencies.join(", ")}` +
      (settings.llamaServerThreads.length
        ? `; llama-server with -t ${settings.llamaServerThreads.join(" and ")}`
        : "") +
      ".",
    "",
    `![output tokens/s and TTFT p50 against concurrency](${chartPath})`,
    "",
  ];
  for (const model of results.models) lines.push(...modelSection(model, settings.concurrencies));
  if (results.models.some((model) => model.prefixCache.length)) lines.push(...prefixSection(results));
  if (results.transportCeiling.length) lines.push(...ceilingSection(results));
  lines.push(...targetsSection(results));
  if (results.notes.length) lines.push("### Notes", "", ...results.notes.map((note) => `- ${note}`), "");
  return lines.join("\n");
}

function modelSection(model: ModelResults, concurrencies: readonly number[]): string[] {
  const lines = [
    `### \`${model.id}\` model (${f1(model.sizeBytes / 1e6)} MB): output tokens/s (× direct)`,
    "",
    `${model.promptWords}-word prompts, ${model.maxTokens} output tokens per request.`,
    "",
    `| target | ${concurrencies.map((c) => `c=${c}`).join(" | ")} | TTFT p50 c=1 | TTFT p99 c=${concurrencies.at(-1)} | failed |`,
    `|---|${concurrencies.map(() => "---:").join("|")}|---:|---:|---:|`,
  ];
  for (const target of targetNames(model)) {
    const cells = concurrencies.map((concurrency) => {
      const run = find(model, target, concurrency);
      const anchor = find(model, "direct", concurrency);
      if (!run) return "–";
      const ratio = anchor ? ` (${f2(pairedRatio(run, anchor).ratio)}×)` : "";
      return `${f0(run.metrics.outputThroughput)}${target === "direct" ? "" : ratio}`;
    });
    const single = find(model, target, concurrencies[0]);
    const most = find(model, target, concurrencies.at(-1) ?? 1);
    const failed = model.runs
      .filter((run) => run.target === target)
      .reduce((sum, run) => sum + run.metrics.failed, 0);
    lines.push(
      `| ${target} | ${cells.join(" | ")} | ${single ? f0(single.metrics.ttftMs.p50) : "–"} ms | ${most ? f0(most.metrics.ttftMs.p99) : "–"} ms | ${failed} |`,
    );
  }
  lines.push(
    "",
    "<details><summary>All metrics (ms; mean / p50 / p99)</summary>",
    "",
    "| target | c | done/failed | out tok/s | req/s | TTFT | TPOT | ITL | E2EL | load | client CPU µs/token | server main thread CPU µs/token |",
    "|---|---:|---:|---:|---:|---|---|---|---|---:|---:|---:|",
  );
  const triple = (d: RunMetrics["ttftMs"]) => `${f1(d.mean)} / ${f1(d.p50)} / ${f1(d.p99)}`;
  for (const run of model.runs) {
    const m = run.metrics;
    lines.push(
      `| ${run.target} | ${run.concurrency} | ${m.completed}/${m.failed} | ${f0(m.outputThroughput)} | ${f2(m.requestThroughput)} | ` +
        `${triple(m.ttftMs)} | ${triple(m.tpotMs)} | ${triple(m.itlMs)} | ${triple(m.e2elMs)} | ${f2(run.loadAverage)} | ` +
        `${f0(run.loadGeneratorCpuUsPerToken ?? Number.NaN)} | ${f0(run.serverMainThreadCpuUsPerToken ?? Number.NaN)} |`,
    );
  }
  lines.push("", "</details>", "");
  return lines;
}

function prefixSection(results: BenchResults): string[] {
  const lines = [
    "### Prompt cache: TTFT with a ~1,000-token shared prefix (median of the pairs)",
    "",
    "| model | target | prompt tokens | reused | cold TTFT | warm TTFT | warm / cold |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const model of results.models)
    for (const run of model.prefixCache)
      lines.push(
        `| ${model.id} | ${run.target} | ${run.promptTokens} | ${run.cachedPromptTokens ?? "n/a"} | ${f1(run.coldTtftMs)} ms | ${f1(run.warmTtftMs)} ms | ${f2(run.ratio)} |`,
      );
  lines.push("");
  return lines;
}

function ceilingSection(results: BenchResults): string[] {
  const ceiling = results.transportCeiling;
  const rounds = Math.max(1, ...ceiling.map((run) => (run.round ?? 0) + 1));
  // Each transport's rate over OpenAI SSE's on the same server, and (--ceiling-server) this
  // checkout's over each other server's: medians of the round-by-round ratios.
  const others = [...new Set(ceiling.flatMap((run) => (run.server ? [run.server] : [])))];
  const lines = [
    "### Transport ceiling: the real transports over a fake instant engine (bench/fakeEngine.ts)",
    "",
    ...(rounds > 1 ? [`Median events/s of ${rounds} rounds, and the rounds' range.`, ""] : []),
    `| transport | c | deltas per stream | events/s | × openai-sse |${others.map((name) => ` × ${name} |`).join("")}`,
    `|---|---:|---:|---:|---:|${others.map(() => "---:|").join("")}`,
  ];
  const groups = new Map<string, CeilingRun[]>();
  for (const run of ceiling) {
    const key = `${run.server ? `${run.server}:` : ""}${run.transport}|${run.concurrency}|${run.deltasPerStream}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  for (const [key, runs] of groups) {
    const [name, concurrency, deltas] = key.split("|");
    const rates = runs.map((run) => run.eventsPerSecond).sort((a, b) => a - b);
    const range = rates.length > 1 ? ` (${f0(rates[0])}–${f0(rates[rates.length - 1])})` : "";
    /** Median (and range) of this group's round-by-round ratios to another group's. */
    const pairedWith = (theirs: readonly CeilingRun[]) => {
      const paired = runs.flatMap((run) => {
        const match = theirs.find((their) => their.round === run.round);
        return match ? [run.eventsPerSecond / match.eventsPerSecond] : [];
      });
      if (!paired.length) return " – |";
      paired.sort((a, b) => a - b);
      return ` ${f2(percentile(paired, 50))} (${f2(paired[0])}–${f2(paired[paired.length - 1])}) |`;
    };
    const server = runs[0].server ? `${runs[0].server}:` : "";
    const openAi =
      runs[0].transport === "openai-sse"
        ? " |"
        : pairedWith(groups.get(`${server}openai-sse|${concurrency}|${deltas}`) ?? []);
    const ratios = others.map((other) => (server ? " |" : pairedWith(groups.get(`${other}:${key}`) ?? [])));
    lines.push(
      `| ${name} | ${concurrency} | ${deltas} | ${f0(percentile(rates, 50))}${range} |${openAi}${ratios.join("")}`,
    );
  }
  lines.push("");
  return lines;
}

/** The issue's targets, each checked against this run. */
function targetsSection(results: BenchResults): string[] {
  const { slots, concurrencies } = results.settings;
  const lines = ["### The issue's targets, checked against this run", ""];
  for (const model of results.models) {
    const names = targetNames(model);
    const interfaces = names.filter(isInferqlInterface);
    const llamaServers = names.filter((name) => name.startsWith("llama-server"));
    // Servers given with --target (an out-of-the-box inferql, another engine): neither an anchor nor
    // one of the tuned interfaces.
    const others = names.filter(
      (name) => name !== "direct" && !llamaServers.includes(name) && !isInferqlInterface(name),
    );
    for (const concurrency of [1, slots].filter((c) => concurrencies.includes(c))) {
      const anchor = find(model, "direct", concurrency);
      if (!anchor) continue;
      const parts = interfaces.map((name) => {
        const run = find(model, name, concurrency);
        if (!run) return `${name} not run ❌`;
        const { ratio, low, high } = pairedRatio(run, anchor);
        const range = high > low ? ` (rounds ${f2(low)}–${f2(high)})` : "";
        return `${name} ${f2(ratio)}×${range} ${mark(ratio >= 0.95)}`;
      });
      lines.push(
        `- ${model.id}, c=${concurrency}: every interface ≥ 0.95× direct tokens/s — ${parts.join(", ")}`,
      );
    }
    if (model.id === "bench" && concurrencies.includes(1) && concurrencies.includes(slots)) {
      const parts = targetNames(model).map((name) => {
        const single = find(model, name, 1)?.metrics.outputThroughput ?? 0;
        const aggregate = find(model, name, slots)?.metrics.outputThroughput ?? 0;
        return `${name} ${f2(aggregate / single)}× ${mark(aggregate > single)}`;
      });
      lines.push(
        `- ${model.id}: aggregate tokens/s at c=${slots} > single stream (continuous batching) — ${parts.join(", ")}`,
      );
    }
    if (model.id === "bench")
      for (const concurrency of [1, slots].filter((c) => concurrencies.includes(c))) {
        const best = llamaServers
          .map((name) => find(model, name, concurrency))
          .filter((run) => run !== undefined)
          .sort((a, b) => b.metrics.outputThroughput - a.metrics.outputThroughput)[0];
        if (!best) continue;
        const against = (names: string[], bar: number) =>
          names.map((name) => {
            const ours = find(model, name, concurrency);
            if (!ours) return `${name} not run ❌`;
            const { ratio, low, high } = pairedRatio(ours, best);
            const range = high > low ? `, rounds ${f2(low)}–${f2(high)}` : "";
            return `${name} ${f0(ours.metrics.outputThroughput)} (${f2(ratio)}×${range}) ${mark(ratio >= bar)}`;
          });
        const bestLabel = `llama-server's best (${best.target}, ${f0(best.metrics.outputThroughput)} tok/s)`;
        lines.push(
          `- ${model.id}, c=${concurrency}: every interface ≥ ${bestLabel} — ${against(interfaces, 1).join(", ")}`,
        );
        // Not a target: tokens/s over whole requests mixes the prompt (TTFT) with the output (TPOT);
        // this line tells apart which of the two a ratio comes from.
        const latencies = (run: ThroughputRun) =>
          `${f2(run.metrics.tpotMs.p50)} / ${f0(run.metrics.ttftMs.p50)} ms`;
        const interfaceLatencies = interfaces.flatMap((name) => {
          const ours = find(model, name, concurrency);
          return ours ? [`${name} ${latencies(ours)}`] : [];
        });
        lines.push(
          `- ${model.id}, c=${concurrency}: TPOT p50 / TTFT p50 (not a target; what the ratios above are made of) — ${best.target} ${latencies(best)}; ${interfaceLatencies.join(", ")}`,
        );
        if (others.length)
          lines.push(
            `- ${model.id}, c=${concurrency}: each --target server ≥ 0.9× ${bestLabel}, the bar for inferql out of the box — ${against(others, 0.9).join(", ")}`,
          );
      }
    for (const run of model.prefixCache)
      lines.push(
        `- ${model.id}, ${run.target}: prompt-cache TTFT ≤ 0.3× cold — ${f2(run.ratio)}× ${mark(run.ratio <= 0.3)}`,
      );
    const most = concurrencies.at(-1) ?? 1;
    if (most > slots && concurrencies.includes(slots))
      for (const name of targetNames(model)) {
        const loaded = find(model, name, most);
        const full = find(model, name, slots);
        if (!loaded || !full) continue;
        // FIFO queueing in a closed loop of `most` clients on `slots` slots: a request waits for
        // about (most − slots + 1) / slots services, which ⌈most / slots⌉ services bounds. A
        // service is measured in the same run (same machine load): the prompt's TTFT on a free
        // slot (c = slots) plus the output at this run's TPOT. Starvation would exceed the bound.
        const service = full.metrics.ttftMs.p50 + loaded.metrics.tpotMs.p50 * (model.maxTokens - 1);
        const bound = Math.ceil(most / slots) * service;
        const ok = loaded.metrics.ttftMs.p99 <= bound;
        lines.push(
          `- ${model.id}, ${name}: TTFT p99 at c=${most} (${f0(loaded.metrics.ttftMs.p99)} ms) within the queueing bound ` +
            `⌈${most}/${slots}⌉ × (TTFT p50 at c=${slots} + ${model.maxTokens - 1} × TPOT p50 at c=${most}) = ${f0(bound)} ms ${mark(ok)}`,
        );
      }
  }
  // Issue #17 item 3: every other transport's ceiling at least OpenAI SSE's (median of the round ratios).
  const own = results.transportCeiling.filter((run) => !run.server);
  for (const concurrency of [...new Set(own.map((run) => run.concurrency))]) {
    const openAi = own.filter((run) => run.transport === "openai-sse" && run.concurrency === concurrency);
    if (!openAi.length) continue;
    const parts = [...new Set(own.map((run) => run.transport))]
      .filter((name) => name !== "openai-sse")
      .map((name) => {
        const ratios = own
          .filter((run) => run.transport === name && run.concurrency === concurrency)
          .flatMap((run) => {
            const match = openAi.find((their) => their.round === run.round);
            return match ? [run.eventsPerSecond / match.eventsPerSecond] : [];
          })
          .sort((a, b) => a - b);
        const ratio = percentile(ratios, 50);
        return `${name} ${f2(ratio)}× (rounds ${f2(ratios[0])}–${f2(ratios[ratios.length - 1])}) ${mark(ratio >= 1)}`;
      });
    lines.push(`- transport ceiling, c=${concurrency}: ≥ OpenAI SSE's events/s — ${parts.join(", ")}`);
  }
  lines.push("");
  return lines;
}

/**
 * A `--gateway` run: each gateway target against the upstream it fronts, at each level — output
 * tokens/s (median of the round-by-round ratios, their range) and TTFT p50 (pooled over the rounds),
 * with the issue's targets: ≥ 0.95× tokens/s, TTFT p50 overhead ≤ 2 ms.
 */
export function renderGatewayReport(results: BenchResults): string {
  const { machine, settings } = results;
  const lines = [
    `Gateway run ${results.date} on \`${results.host}\`${results.quick ? " (**quick smoke run**)" : ""}: ${machine.cpus} × ${machine.cpuModel}, ` +
      `Node ${machine.node}, node-llama-cpp ${machine.nodeLlamaCpp}${machine.engineBuild ? ` (${machine.engineBuild})` : ""}; ` +
      `load average at start ${machine.loadAverageAtStart.map(f2).join(" / ")}, at end ${machine.loadAverageAtEnd.map(f2).join(" / ")}. ` +
      `${settings.slots} slots, ${settings.threads} thread(s), ${settings.rounds ?? 1} round(s) per level, concurrency ${settings.concurrencies.join(", ")}.` +
      (settings.pinning
        ? ` Upstreams pinned to CPU ${settings.pinning.upstreams}; the load generator, the gateway and the proxy floor to CPU ${settings.pinning.others}.`
        : "") +
      (machine.coldPath ? ` ${capitalized(describeColdPath(machine.coldPath))}.` : ""),
    "",
  ];
  for (const model of results.models) {
    lines.push(
      `#### ${model.id} (${model.maxTokens} output tokens per request)`,
      "",
      "| through the gateway | against | c | tokens/s (gateway / direct) | ratio (round range) | ≥ 0.95× | TTFT p50 gateway / direct | overhead | ≤ 2 ms |",
      "|---|---|---|---|---|---|---|---|---|",
    );
    for (const { gateway, upstream, reference } of GATEWAY_PAIRS)
      for (const concurrency of settings.concurrencies) {
        const ours = find(model, gateway, concurrency);
        const theirs = find(model, upstream, concurrency);
        if (!ours || !theirs) continue;
        const { ratio, low, high } = pairedRatio(ours, theirs);
        const overhead = ours.metrics.ttftMs.p50 - theirs.metrics.ttftMs.p50;
        lines.push(
          `| ${gateway} | ${upstream} | ${concurrency} | ${f0(ours.metrics.outputThroughput)} / ${f0(theirs.metrics.outputThroughput)} | ` +
            `${f2(ratio)}×${low !== high ? ` (${f2(low)}–${f2(high)})` : ""} | ${reference ? "reference" : mark(ratio >= 0.95)} | ` +
            `${f1(ours.metrics.ttftMs.p50)} / ${f1(theirs.metrics.ttftMs.p50)} ms | ${overhead >= 0 ? "+" : ""}${f1(overhead)} ms | ${reference ? "reference" : mark(overhead <= 2)} |`,
        );
      }
    lines.push("");
    if (model.ttftPairs?.length) {
      lines.push(
        "TTFT one request at a time, gateway and upstream alternating (nothing queued; 4 output tokens):",
        "",
        "| through the gateway | against | pairs | TTFT p50 gateway / direct | median of the pairs' differences (quartiles) | ≤ 2 ms |",
        "|---|---|---|---|---|---|",
        ...model.ttftPairs.map(
          (pair) =>
            `| ${pair.gateway} | ${pair.upstream} | ${pair.pairs} | ${f1(pair.gatewayP50Ms)} / ${f1(pair.upstreamP50Ms)} ms | ` +
            `${pair.medianDifferenceMs >= 0 ? "+" : ""}${f1(pair.medianDifferenceMs)} ms` +
            `${pair.differenceQuartilesMs ? ` (${f1(pair.differenceQuartilesMs[0])} to ${f1(pair.differenceQuartilesMs[1])})` : ""} | ${isReference(pair.gateway) ? "reference" : mark(pair.medianDifferenceMs <= 2)} |`,
        ),
        "",
      );
    }
  }
  const measuredReference = results.models.some((model) => model.runs.some((run) => isReference(run.target)));
  if (measuredReference)
    lines.push(
      "`proxy-floor` is not inferql: a bare node:http proxy forwarding the same requests' bytes to the same upstream (bench/proxyFloor.ts), " +
        "the part of a gateway's overhead that any gateway written on Node pays on this machine. The gateway's overhead above it is inferql's own.",
      "",
    );
  if (results.notes.length) lines.push("Notes:", "", ...results.notes.map((note) => `- ${note}`), "");
  return lines.join("\n");
}

const isReference = (target: string) =>
  GATEWAY_PAIRS.some((pair) => pair.gateway === target && pair.reference);

/** Replaces the generated section of bench/README.md (between its markers) with the report. */
export function updateReadme(readmePath: string, report: string): void {
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${readmePath} lacks the ${START} … ${END} markers`);
  writeFileSync(readmePath, `${readme.slice(0, start + START.length)}\n${report}\n${readme.slice(end)}`);
}
