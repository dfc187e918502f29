// `--gateway`: the overhead of inferql as a gateway (issue #16). The same client and load against an
// upstream directly and through a gateway inferql started with `--upstream` in front of it, in the
// same rounds: the upstream inferql and the gateway, each over OpenAI SSE and graphql-ws; and, where
// LLAMA_SERVER is set, llama-server directly and through the gateway. Beside them, the proxy floor
// (proxyFloor.ts): a bare node:http proxy in front of the same upstream, the part of the overhead any
// Node gateway pays. Each process is its own (the upstream, the gateway, the proxy, the load
// generator), as in production. With --pin-upstreams the upstreams have CPUs of their own
// (cpuPinning.ts), and the gateway, the proxy and the load generator share the others.
import path from "node:path";
import { runRequest } from "./loadGenerator.js";
import { percentile } from "./metrics.js";
import type { BenchModel } from "./models.js";
import type { BenchOptions } from "./options.js";
import { graphqlWsTarget } from "./targets/graphqlWs.js";
import { type RunningServer, servedBy, startServerProcess } from "./targets/inferqlServer.js";
import { startLlamaServer } from "./targets/llamaServer.js";
import { openAiSseTarget } from "./targets/openaiSse.js";
import type { Target, TargetSession } from "./targets/target.js";
import { benchRequests } from "./throughputRun.js";

/**
 * Each gateway target and the direct target it is compared with (same client, same load); a
 * `reference` is measured the same way but is not inferql (the issue's targets do not apply to it).
 */
export const GATEWAY_PAIRS: readonly { gateway: string; upstream: string; reference?: true }[] = [
  { gateway: "gateway/openai-sse", upstream: "upstream/openai-sse" },
  { gateway: "proxy-floor", upstream: "upstream/openai-sse", reference: true },
  { gateway: "gateway/graphql-ws", upstream: "upstream/graphql-ws" },
  { gateway: "gateway/llama-server", upstream: "llama-server" },
];

/** The gateway's `--upstream` for one replica: as many slots as the replica runs, kind=llama. */
function upstreamFlag(id: string, url: string, model: string | undefined, slots: number): string {
  return `${id}=${url}${model ? `,model=${model}` : ""},kind=llama,slots=${slots},timeout=120,health=5`;
}

export async function createGatewayTargets(
  model: BenchModel,
  options: BenchOptions,
  root: string,
  inferqlFlags: string[],
  servers: RunningServer[],
  notes: string[],
  fail: (name: string, error: unknown) => void,
): Promise<Target[]> {
  const cpus = options.pinning?.upstreams;
  const upstream = await startServerProcess({ mode: "inferql", flags: inferqlFlags }, { cpus });
  servers.push(upstream);
  const upstreamFlags = ["--upstream", upstreamFlag(model.id, upstream.url, model.id, options.slots)];

  let llamaServer: RunningServer | undefined;
  if (options.llamaServer)
    try {
      llamaServer = await startLlamaServer({
        binary: options.llamaServer,
        modelPath: model.path,
        slots: options.slots,
        threads: options.threads,
        ctxSize: options.ctxSize,
        batchSize: options.batchSize,
        logDir: path.join(root, ".cache/bench"),
        cpus,
      });
      servers.push(llamaServer);
      // llama-server serves one model whatever the name; the gateway sends its id as `model`.
      upstreamFlags.push("--upstream", upstreamFlag("llama", llamaServer.url, undefined, options.slots));
    } catch (error) {
      fail("llama-server", error);
    }
  else {
    const note =
      "LLAMA_SERVER not set: the gateway in front of llama-server was not measured (bench/build-llama-server.sh builds it)";
    if (!notes.includes(note)) notes.push(note);
  }

  // The gateway runs no model of its own: nothing but the upstreams.
  const gateway = await startServerProcess({ mode: "inferql", flags: upstreamFlags });
  servers.push(gateway);
  const proxyFloor = await startServerProcess({ mode: "proxy-floor", upstream: upstream.url });
  servers.push(proxyFloor);

  const targets: Target[] = [
    servedBy(
      openAiSseTarget({
        name: "upstream/openai-sse",
        description:
          "the upstream inferql directly: /v1/chat/completions, stream: true, official openai client",
        baseUrl: upstream.url,
        model: model.id,
      }),
      upstream,
    ),
    servedBy(
      openAiSseTarget({
        name: "gateway/openai-sse",
        description: "a gateway inferql (--upstream, kind=llama) in front of that upstream: the same client",
        baseUrl: gateway.url,
        model: model.id,
      }),
      gateway,
    ),
    servedBy(
      openAiSseTarget({
        name: "proxy-floor",
        description:
          "a bare node:http proxy forwarding bytes to that upstream, nothing of inferql (the floor of any Node gateway): the same client",
        baseUrl: proxyFloor.url,
        model: model.id,
      }),
      proxyFloor,
    ),
    servedBy(
      {
        ...graphqlWsTarget(upstream.url),
        name: "upstream/graphql-ws",
        description: "the upstream inferql's GraphQL chatCompletion subscription over graphql-ws, directly",
      },
      upstream,
    ),
    servedBy(
      {
        ...graphqlWsTarget(gateway.url),
        name: "gateway/graphql-ws",
        description:
          "the gateway's GraphQL chatCompletion subscription over graphql-ws (its default model: the upstream)",
      },
      gateway,
    ),
  ];
  if (llamaServer)
    targets.push(
      openAiSseTarget({
        name: "llama-server",
        description: `llama-server directly (-np ${options.slots} -t ${options.threads}), official openai client`,
        baseUrl: llamaServer.url,
      }),
      servedBy(
        openAiSseTarget({
          name: "gateway/llama-server",
          description: "the gateway in front of that llama-server (--upstream llama=…): the same client",
          baseUrl: gateway.url,
          model: "llama",
        }),
        gateway,
      ),
    );
  return targets.filter((target) => !options.only || options.only.has(target.name));
}

/** The TTFT a gateway adds, measured apart from the throughput rounds' queueing. */
export interface TtftPairs {
  gateway: string;
  upstream: string;
  pairs: number;
  gatewayP50Ms: number;
  upstreamP50Ms: number;
  /** The median of the pairs' differences (gateway − upstream), each pair run back to back. */
  medianDifferenceMs: number;
  /** The pairs' differences at the 25th and 75th percentiles (absent from results before 2026-12-02). */
  differenceQuartilesMs?: [number, number];
}

/**
 * One request at a time, alternating: an upstream request, then the same-sized one through the
 * gateway (distinct prompts, 4 output tokens), `pairs` times after a few unmeasured ones. With
 * nothing queued, the difference in time to the first token is what the gateway adds.
 */
export async function measureTtftPairs(
  model: BenchModel,
  gatewayName: string,
  gateway: TargetSession,
  upstreamName: string,
  upstream: TargetSession,
  pairs: number,
): Promise<TtftPairs> {
  const warmUp = 5;
  const ours = benchRequests(model, `${gatewayName}/ttft`, pairs + warmUp);
  const theirs = benchRequests(model, `${upstreamName}/ttft/${gatewayName}`, pairs + warmUp);
  const ttft = async (session: TargetSession, request: (typeof ours)[number]) => {
    const record = await runRequest(session, { ...request, maxTokens: 4 });
    if (!record.ok || record.deltaTimes.length === 0) throw new Error(`TTFT request failed: ${record.error}`);
    return record.deltaTimes[0] - record.startedAt;
  };
  const gatewayMs: number[] = [];
  const upstreamMs: number[] = [];
  for (let index = 0; index < pairs + warmUp; index++) {
    // Alternate which goes first, so neither always follows the other.
    let direct = Number.NaN;
    if (index % 2 === 0) direct = await ttft(upstream, theirs[index]);
    const through = await ttft(gateway, ours[index]);
    if (index % 2 === 1) direct = await ttft(upstream, theirs[index]);
    if (index < warmUp) continue;
    upstreamMs.push(direct);
    gatewayMs.push(through);
  }
  const differences = gatewayMs.map((ms, index) => ms - upstreamMs[index]).sort((x, y) => x - y);
  const sorted = (values: number[]) => [...values].sort((x, y) => x - y);
  return {
    gateway: gatewayName,
    upstream: upstreamName,
    pairs,
    gatewayP50Ms: percentile(sorted(gatewayMs), 50),
    upstreamP50Ms: percentile(sorted(upstreamMs), 50),
    medianDifferenceMs: percentile(differences, 50),
    differenceQuartilesMs: [percentile(differences, 25), percentile(differences, 75)],
  };
}
