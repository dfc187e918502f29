// SIGTERM with streams in flight, on a real `inferql serve` process: it stops accepting, gives the
// streams --drain-timeout to finish, then ends each one cleanly (finish reason cancelled and the
// transport's own end: [DONE], complete, return/stopped) and exits 0.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import path from "node:path";
import { expect, inject, it } from "vitest";
import { listeningUrl } from "../support/processLog.js";
import { openStream, STREAM_TRANSPORTS } from "../support/streamClients.js";

const projectRoot = path.resolve(import.meta.dirname, "../..");
const DRAIN_SECONDS = 1;

function serve(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  url: Promise<string>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ["dist/server/main.js", "serve", ...args], {
    cwd: projectRoot,
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, url: listeningUrl(child).then(({ url }) => url), exit };
}

it("SIGTERM during 8 streams over every transport: each ends cleanly as cancelled, and the process exits 0", async () => {
  const server = serve([
    "--port",
    "0",
    "--threads",
    "1",
    "--slots",
    "8",
    "--ctx-size",
    "4096",
    "--model",
    `tiny=${inject("tinyModelPath")}`,
    "--drain-timeout",
    String(DRAIN_SECONDS),
  ]);
  const url = await server.url;
  while ((await fetch(`${url}/health`)).status !== 200)
    await new Promise((resolve) => setTimeout(resolve, 50));

  // Each would run for many seconds more: the drain cannot wait for them.
  const transports = Array.from(
    { length: 8 },
    (_, index) => STREAM_TRANSPORTS[index % STREAM_TRANSPORTS.length],
  );
  const streams = transports.map((transport, index) =>
    openStream(transport, url, { content: `stream ${index}`, maxTokens: 3500 }),
  );
  await Promise.all(streams.map((stream) => stream.firstContent));

  const signalledAt = performance.now();
  server.child.kill("SIGTERM");
  const outcomes = await Promise.all(streams.map((stream) => stream.outcome));
  expect(await server.exit).toBe(0);
  const seconds = (performance.now() - signalledAt) / 1000;

  for (const [index, outcome] of outcomes.entries())
    expect(outcome).toMatchObject({
      // OpenAI's wire name for it is vLLM's "abort".
      finishReason: transports[index] === "openai-sse" ? "abort" : "cancelled",
      ended: true,
    });
  expect(outcomes.every((outcome) => outcome.contentEvents > 0)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(DRAIN_SECONDS * 0.9);
  expect(seconds).toBeLessThan(DRAIN_SECONDS + 5);
}, 60_000);
