// Soak test (not in CI): mixed load on every transport for a set time, reporting the server's memory
// and the request latencies interval by interval, so leaks and slow drifts show as trends.
//
//   npm run soak -- --duration 600 --concurrency 8            # starts its own server (embedded model)
//   npm run soak -- --url http://127.0.0.1:8080 --api-key k   # or loads a running one
//
// Each worker loops: a streamed chat on a random transport (OpenAI SSE, GraphQL SSE / graphql-ws,
// tRPC SSE / ws) or a plain request (OpenAI completion, GraphQL mutation), with a random length;
// one stream in ten is dropped after its first token, as a vanished client would. Memory is the
// server's resident set from /metrics (inferql_process_resident_memory_bytes).
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { openStream, STREAM_TRANSPORTS } from "../tests/support/streamClients.js";

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    "api-key": { type: "string" },
    "metrics-api-key": { type: "string" },
    duration: { type: "string", default: "60" },
    interval: { type: "string", default: "10" },
    concurrency: { type: "string", default: "8" },
    "max-tokens": { type: "string", default: "128" },
    json: { type: "boolean", default: false },
  },
});

const durationMs = Number(args.duration) * 1000;
const intervalMs = Number(args.interval) * 1000;
const concurrency = Number(args.concurrency);
const maxTokens = Number(args["max-tokens"]);
const apiKey = args["api-key"];
const metricsKey = args["metrics-api-key"] ?? undefined;
const DROP_FRACTION = 0.1;

type Kind = (typeof STREAM_TRANSPORTS)[number] | "openai-rest" | "graphql-http";
const KINDS: Kind[] = [...STREAM_TRANSPORTS, "openai-rest", "graphql-http"];

interface Sample {
  kind: Kind;
  ms: number;
  firstTokenMs?: number;
  ok: boolean;
  dropped: boolean;
}

interface IntervalReport {
  atSeconds: number;
  requests: number;
  errors: number;
  dropped: number;
  p50Ms: number;
  p95Ms: number;
  p50FirstTokenMs: number;
  rssMb: number;
  busySlots: number;
  queued: number;
}

async function main(): Promise<void> {
  const { url, server } = args.url ? { url: args.url, server: undefined } : await startServer();
  const samples: Sample[] = [];
  const reports: IntervalReport[] = [];
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  let lastReportAt = startedAt;

  const reporter = setInterval(async () => {
    const now = performance.now();
    const batch = samples.splice(0);
    const report = summarize((now - startedAt) / 1000, batch, await scrape(url));
    reports.push(report);
    lastReportAt = now;
    if (!args.json) printReport(report, reports.length === 1);
  }, intervalMs);

  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      let round = 0;
      while (performance.now() < deadline) samples.push(await oneRequest(url, worker, round++));
    }),
  );
  clearInterval(reporter);
  if (samples.length > 0 && performance.now() - lastReportAt > intervalMs / 2)
    reports.push(summarize((performance.now() - startedAt) / 1000, samples.splice(0), await scrape(url)));

  const first = reports[0];
  const last = reports.at(-1);
  const summary = {
    url,
    durationSeconds: Number(args.duration),
    concurrency,
    requests: reports.reduce((sum, report) => sum + report.requests, 0),
    errors: reports.reduce((sum, report) => sum + report.errors, 0),
    rssMbFirst: first?.rssMb,
    rssMbLast: last?.rssMb,
    rssMbMax: Math.max(...reports.map((report) => report.rssMb)),
    intervals: reports,
  };
  if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else
    process.stdout.write(
      `\n${summary.requests} requests, ${summary.errors} errors; server RSS ${first?.rssMb} MB → ${last?.rssMb} MB (max ${summary.rssMbMax} MB)\n`,
    );
  await stopServer(server);
}

async function oneRequest(url: string, worker: number, round: number): Promise<Sample> {
  const kind = KINDS[(worker + round) % KINDS.length];
  const tokens = 1 + Math.floor(Math.random() * maxTokens);
  const content = `soak worker ${worker} round ${round}: tell me something`;
  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  };
  try {
    if (kind === "openai-rest") {
      const response = await fetch(`${url}/v1/completions`, {
        method: "POST",
        headers,
        body: JSON.stringify({ prompt: content, max_tokens: tokens }),
      });
      await response.arrayBuffer();
      return { kind, ms: elapsed(), ok: response.ok, dropped: false };
    }
    if (kind === "graphql-http") {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          query: "mutation($input: CompletionInput!) { createCompletion(input: $input) { text } }",
          variables: { input: { prompt: content, maxTokens: tokens } },
        }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      return { kind, ms: elapsed(), ok: response.ok && !body.errors, dropped: false };
    }
    const stream = openStream(kind, url, { content, maxTokens: tokens, apiKey });
    const drop = Math.random() < DROP_FRACTION;
    let firstTokenMs: number | undefined;
    void stream.firstContent.then(() => {
      firstTokenMs = elapsed();
      if (drop) stream.disconnect();
    });
    const outcome = await stream.outcome;
    const ok = drop || (outcome.ended && outcome.error === undefined);
    return { kind, ms: elapsed(), firstTokenMs, ok, dropped: drop };
  } catch {
    return { kind, ms: elapsed(), ok: false, dropped: false };
  }
}

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]);
}

function summarize(
  atSeconds: number,
  batch: Sample[],
  metrics: { rssMb: number; busySlots: number; queued: number },
): IntervalReport {
  const completed = batch.filter((sample) => sample.ok && !sample.dropped);
  return {
    atSeconds: Math.round(atSeconds),
    requests: batch.length,
    errors: batch.filter((sample) => !sample.ok).length,
    dropped: batch.filter((sample) => sample.dropped).length,
    p50Ms: percentile(
      completed.map((sample) => sample.ms),
      0.5,
    ),
    p95Ms: percentile(
      completed.map((sample) => sample.ms),
      0.95,
    ),
    p50FirstTokenMs: percentile(
      batch.flatMap((sample) => (sample.firstTokenMs === undefined ? [] : [sample.firstTokenMs])),
      0.5,
    ),
    ...metrics,
  };
}

function printReport(report: IntervalReport, header: boolean): void {
  const columns: (keyof IntervalReport)[] = [
    "atSeconds",
    "requests",
    "errors",
    "dropped",
    "p50Ms",
    "p95Ms",
    "p50FirstTokenMs",
    "rssMb",
    "busySlots",
    "queued",
  ];
  const width = (column: string) => column.length + 2;
  if (header) process.stdout.write(`${columns.map((column) => column.padStart(width(column))).join("")}\n`);
  process.stdout.write(
    `${columns.map((column) => String(report[column]).padStart(width(column))).join("")}\n`,
  );
}

/** The server's resident memory and scheduler gauges, from its Prometheus metrics. */
async function scrape(url: string): Promise<{ rssMb: number; busySlots: number; queued: number }> {
  try {
    const response = await fetch(`${url}/metrics`, {
      headers: metricsKey ? { authorization: `Bearer ${metricsKey}` } : {},
    });
    const text = await response.text();
    const sum = (name: string) =>
      [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, "gm"))].reduce(
        (total, match) => total + Number(match[1]),
        0,
      );
    return {
      rssMb: Math.round(sum("inferql_process_resident_memory_bytes") / 1024 / 1024),
      busySlots: sum("inferql_busy_slots"),
      queued: sum("inferql_queue_depth"),
    };
  } catch {
    return { rssMb: Number.NaN, busySlots: Number.NaN, queued: Number.NaN };
  }
}

/** `inferql serve` as a child process (so its memory is its own), on a free port with the embedded model. */
async function startServer(): Promise<{ url: string; server: ChildProcess }> {
  const root = path.resolve(import.meta.dirname, "..");
  const server = spawn(
    process.execPath,
    ["--import", "tsx", "src/main.ts", "serve", "--port", "0", "--queue", "1024"],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let pending = "";
    server.stdout?.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "listening" && entry.url) resolve(entry.url);
      }
    });
    server.on("exit", () => reject(new Error("the server exited before listening")));
  });
  while ((await fetch(`${url}/health`)).status !== 200)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return { url, server };
}

async function stopServer(server: ChildProcess | undefined): Promise<void> {
  if (!server) return;
  const exited = new Promise((resolve) => server.on("exit", resolve));
  server.kill("SIGTERM");
  await exited;
}

await main();
