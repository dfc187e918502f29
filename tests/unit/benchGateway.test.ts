// The bench's --gateway mode (issue #16): its defaults, and its report's ratios and TTFT differences.
import { describe, expect, it } from "vitest";
import { onCpus, otherCpus, parseCpuList } from "../../bench/cpuPinning.js";
import { parseBenchOptions } from "../../bench/options.js";
import { renderGatewayReport } from "../../bench/report.js";
import type { BenchResults, ThroughputRun } from "../../bench/resultTypes.js";

describe("bench --gateway", () => {
  it("runs c = 1 and c = slots on the bench model, with no prefix-cache or ceiling run", () => {
    const options = parseBenchOptions(["--gateway", "--slots", "6"], {}, 2);
    if (options === "help") throw new Error("help");
    expect(options).toMatchObject({
      gateway: true,
      models: ["bench"],
      concurrencies: [1, 6],
      skipPrefix: true,
      skipCeiling: true,
      ttftPairs: 200,
    });
    const plain = parseBenchOptions([], {}, 2);
    if (plain === "help") throw new Error("help");
    expect(plain).toMatchObject({ gateway: false, concurrencies: [1, 4, 8, 16], skipPrefix: false });
  });

  it("pins the upstreams to the CPUs --pin-upstreams names, and only in a gateway run", () => {
    const options = parseBenchOptions(["--gateway", "--pin-upstreams", "0"], {}, 2);
    if (options === "help") throw new Error("help");
    expect(options.pinning?.upstreams).toBe("0");
    expect(() => parseBenchOptions(["--pin-upstreams", "0"], {}, 2)).toThrow(/applies to a --gateway run/);
    expect(parseCpuList("0-1,3", 8)).toEqual([0, 1, 3]);
    expect(otherCpus([0, 1, 3], 6)).toBe("2,4,5");
    // Every CPU, none, or one the machine does not have would leave nothing to compare.
    expect(() => parseCpuList("0-1", 2)).toThrow(/must leave one/);
    expect(() => parseCpuList("4", 2)).toThrow(/must leave one/);
    expect(() => parseCpuList("first", 2)).toThrow(/expects CPUs such as 0/);
    expect(onCpus("0", "node", ["serve"])).toEqual(["taskset", ["-c", "0", "node", "serve"]]);
    expect(onCpus(undefined, "node", ["serve"])).toEqual(["node", ["serve"]]);
  });

  const run = (target: string, rounds: number[], ttftP50: number): ThroughputRun =>
    ({
      target,
      concurrency: 1,
      requests: 8,
      loadAverage: 0,
      rounds,
      metrics: { outputThroughput: rounds[0], ttftMs: { p50: ttftP50 } },
    }) as unknown as ThroughputRun;
  const results = {
    date: "2026-12-01T00:00:00.000Z",
    host: "test",
    quick: false,
    machine: {
      cpus: 2,
      cpuModel: "cpu",
      node: "v20",
      nodeLlamaCpp: "3",
      loadAverageAtStart: [0],
      loadAverageAtEnd: [0],
      coldPath: { backToBackUs: 4, afterIdleUs: 88, idleMs: 10 },
    },
    settings: { slots: 4, threads: 1, concurrencies: [1], rounds: 3 },
    models: [
      {
        id: "bench",
        maxTokens: 128,
        runs: [
          run("upstream/openai-sse", [100, 100, 100], 50),
          run("gateway/openai-sse", [90, 100, 96], 51.5),
          run("proxy-floor", [99, 100, 100], 50.5),
        ],
        ttftPairs: [
          {
            gateway: "gateway/openai-sse",
            upstream: "upstream/openai-sse",
            pairs: 40,
            gatewayP50Ms: 7,
            upstreamP50Ms: 4,
            medianDifferenceMs: 3,
            differenceQuartilesMs: [1.25, 4.5],
          },
          {
            gateway: "proxy-floor",
            upstream: "upstream/openai-sse",
            pairs: 40,
            gatewayP50Ms: 5,
            upstreamP50Ms: 4,
            medianDifferenceMs: 1,
            differenceQuartilesMs: [0.5, 1.5],
          },
        ],
      },
    ],
    notes: [],
  } as unknown as BenchResults;

  it("reports each gateway target against its upstream: round-ratio median and TTFT p50 difference", () => {
    const report = renderGatewayReport(results);
    expect(report).toContain(
      "| gateway/openai-sse | upstream/openai-sse | 1 | 90 / 100 | 0.96× (0.90–1.00) | ✅ |",
    );
    expect(report).toContain("+1.5 ms | ✅ |");
    expect(report).toContain(
      "| gateway/openai-sse | upstream/openai-sse | 40 | 7.0 / 4.0 ms | +3.0 ms (1.3 to 4.5) | ❌ |",
    );
  });

  it("shows the proxy floor as a reference, not against the targets, and the machine's cold-path factor", () => {
    const report = renderGatewayReport(results);
    expect(report).toContain(
      "| proxy-floor | upstream/openai-sse | 1 | 99 / 100 | 1.00× (0.99–1.00) | reference | 50.5 / 50.0 ms | +0.5 ms | reference |",
    );
    expect(report).toContain(
      "| proxy-floor | upstream/openai-sse | 40 | 5.0 / 4.0 ms | +1.0 ms (0.5 to 1.5) | reference |",
    );
    expect(report).toContain("`proxy-floor` is not inferql");
    expect(report).not.toContain("pinned");
    const pinned = renderGatewayReport({
      ...results,
      settings: { ...results.settings, pinning: { upstreams: "0", others: "1" } },
    });
    expect(pinned).toContain(
      "Upstreams pinned to CPU 0; the load generator, the gateway and the proxy floor to CPU 1.",
    );
    expect(report).toContain(
      "Cold-path probe: validating a chat request took 4.0 µs back to back and 88.0 µs after 10 ms idle (×22.0).",
    );
  });
});
