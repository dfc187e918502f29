import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { RunMetrics } from "../../bench/metrics.js";
import { pairedRatio, renderReport } from "../../bench/report.js";
import type { BenchResults, ThroughputRun } from "../../bench/resultTypes.js";
import { mainThreadCpuSeconds } from "../../bench/serverCpu.js";
import { type LevelRound, pooledRun } from "../../bench/throughputRun.js";

function run(outputThroughput: number, rounds?: number[]): ThroughputRun {
  return {
    target: "t",
    concurrency: 1,
    requests: 8,
    loadAverage: 0,
    metrics: { outputThroughput } as RunMetrics,
    ...(rounds ? { rounds } : {}),
  };
}

describe("the bench's ratio to an anchor", () => {
  it("is the median of the round-by-round ratios, so a slow round on both sides cancels", () => {
    // Round 2 ran while the machine was busy: both targets were slow in it.
    const ours = run(200, [250, 125, 240]);
    const anchor = run(220, [260, 130, 300]);
    const { ratio, low, high } = pairedRatio(ours, anchor);
    expect(ratio).toBeCloseTo(250 / 260, 6);
    expect(low).toBeCloseTo(240 / 300, 6);
    expect(high).toBeCloseTo(250 / 260, 6);
  });

  it("falls back to the pooled rates when the runs have no paired rounds", () => {
    expect(pairedRatio(run(90), run(100))).toEqual({ ratio: 0.9, low: 0.9, high: 0.9 });
    expect(pairedRatio(run(90, [90]), run(100, [100])).ratio).toBe(0.9);
    expect(pairedRatio(run(90, [80, 100]), run(100, [100, 100, 100])).ratio).toBe(0.9);
  });
});

describe("a level's rounds pooled", () => {
  const round = (outputTokens: number[], durationS: number, cpuS: number): LevelRound => ({
    records: outputTokens.map((tokens) => ({
      ok: true,
      startedAt: 0,
      deltaTimes: [10, 20],
      endedAt: 30,
      outputTokens: tokens,
      promptTokens: 5,
    })),
    durationS,
    cpuS,
  });

  it("gives the load generator's CPU per output token over all its rounds, beside each round's rate", () => {
    const run = pooledRun("graphql-sse", 4, [round([100, 100], 1, 0.02), round([100, 100], 2, 0.04)]);
    // 0.06 s of CPU over 400 tokens.
    expect(run.loadGeneratorCpuUsPerToken).toBeCloseTo(150, 6);
    expect(run.rounds).toEqual([200, 100]);
    expect(run.metrics.outputThroughput).toBeCloseTo(400 / 3, 6);
    expect(renderReport(resultsWith(run), "chart.svg")).toContain("| 2.00 | 150 | – |");
  });

  it("gives the server's main-thread CPU per output token when every round measured it", () => {
    const measured = (cpuS: number, serverS: number) => ({
      ...round([100, 100], 1, cpuS),
      serverMainThreadCpuS: serverS,
    });
    const run = pooledRun("openai-sse", 4, [measured(0.02, 0.03), measured(0.02, 0.05)]);
    // 0.08 s of the server's main thread over 400 tokens.
    expect(run.serverMainThreadCpuUsPerToken).toBeCloseTo(200, 6);
    expect(renderReport(resultsWith(run), "chart.svg")).toContain("| 2.00 | 100 | 200 |");
    const partly = pooledRun("openai-sse", 4, [measured(0.02, 0.03), round([100, 100], 1, 0.02)]);
    expect(partly).not.toHaveProperty("serverMainThreadCpuUsPerToken");
  });
});

describe("a server's main-thread CPU", () => {
  it("is read from /proc and grows while the thread works", () => {
    const before = mainThreadCpuSeconds(process.pid) as number;
    // Spins until the process has had 30 ms of CPU, however long a loaded machine takes to give it.
    const processCpuAtStart = process.cpuUsage();
    const processCpuMs = () => {
      const { user, system } = process.cpuUsage(processCpuAtStart);
      return (user + system) / 1000;
    };
    while (processCpuMs() < 30);
    const after = mainThreadCpuSeconds(process.pid) as number;
    // This thread did the spinning; the process's other threads (GC, V8's helpers) do little meanwhile.
    expect(after - before).toBeGreaterThan(0.015);
    expect(mainThreadCpuSeconds(2 ** 30)).toBeUndefined();
  });
});

/** A committed run with llama-server and every interface (2026-12-02 13:14). */
function committedRun(): BenchResults {
  return JSON.parse(
    readFileSync(new URL("../../bench/results/2026-12-02-1314-vm.json", import.meta.url), "utf8"),
  ) as BenchResults;
}

/** The committed run's bench model with `run` as its only run, as the report reads it. */
function resultsWith(run: ThroughputRun): BenchResults {
  const base = committedRun();
  return { ...base, models: [{ ...base.models[0], runs: [{ ...run, loadAverage: 2 }] }] };
}

describe("the report's check of issue #17 item 1", () => {
  it("puts every interface against llama-server's best at c = 1 and at c = slots, by paired rounds", () => {
    const lines = renderReport(committedRun(), "chart.svg")
      .split("\n")
      .filter((line) => line.includes("≥ llama-server's best"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(
      "bench, c=1: every interface ≥ llama-server's best (llama-server-t2, 335 tok/s)",
    );
    expect(lines[0]).toContain("openai-sse 287 (0.91×, rounds 0.75–0.92) ❌");
    expect(lines[1]).toContain("bench, c=4:");
    expect(lines[1]).toContain("trpc-sse 373 (1.03×, rounds 0.91–1.24) ✅");
  });

  it("tells apart, beside each level's check, the per-token interval and the prompt's time behind the ratios", () => {
    const lines = renderReport(committedRun(), "chart.svg")
      .split("\n")
      .filter((line) => line.includes("TPOT p50 / TTFT p50"));
    expect(lines).toHaveLength(2);
    // In that run llama-server streamed faster per token and answered its prompt later.
    expect(lines[0]).toContain("bench, c=1: TPOT p50 / TTFT p50");
    expect(lines[0]).toContain("— llama-server-t2 2.46 / 59 ms; ");
    expect(lines[0]).toContain("openai-sse 2.96 / 45 ms");
    expect(lines[0]).not.toContain("ootb");
    expect(lines[1]).toContain("bench, c=4:");
  });

  it("holds a --target server (here inferql out of the box) to item 2's 0.9×, on a line of its own", () => {
    const report = renderReport(committedRun(), "chart.svg").split("\n");
    const itemOne = report.filter((line) => line.includes("every interface"));
    expect(itemOne).toHaveLength(4);
    for (const line of itemOne) expect(line).not.toContain("ootb");
    const targets = report.filter((line) => line.includes("each --target server"));
    expect(targets).toEqual([
      "- bench, c=1: each --target server ≥ 0.9× llama-server's best (llama-server-t2, 335 tok/s), the bar for inferql out of the box — ootb 279 (0.86×, rounds 0.76–0.88) ❌",
      "- bench, c=4: each --target server ≥ 0.9× llama-server's best (llama-server-t2, 364 tok/s), the bar for inferql out of the box — ootb 315 (0.83×, rounds 0.81–0.95) ❌",
    ]);
  });
});
