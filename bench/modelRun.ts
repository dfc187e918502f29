// Everything measured on one model. Every target is opened and warmed up first; then each
// concurrency level runs in rounds, each round on all targets back to back (in a new order each
// round: roundOrder.ts), so that a change in the machine's load (other work on a shared machine, its
// own drift) falls on all targets alike instead of on the last ones, and ratios between targets can
// be taken round by round.
import path from "node:path";
import { createGatewayTargets, GATEWAY_PAIRS, measureTtftPairs } from "./gatewayTargets.js";
import type { BenchModel } from "./models.js";
import type { BenchOptions } from "./options.js";
import { measurePrefixCache } from "./prefixCacheRun.js";
import type { ModelResults } from "./resultTypes.js";
import { roundOrder } from "./roundOrder.js";
import { directTarget } from "./targets/direct.js";
import { INFERQL_INTERFACES, inferqlInterfaceTarget } from "./targets/inferqlInterfaces.js";
import { type RunningServer, servedBy, startServerProcess } from "./targets/inferqlServer.js";
import { startLlamaServer } from "./targets/llamaServer.js";
import { openAiSseTarget } from "./targets/openaiSse.js";
import type { Target, TargetSession } from "./targets/target.js";
import { describeRun, type LevelRound, pooledRun, runLevelRound, warmUp } from "./throughputRun.js";

/** A target whose single-stream rate is under this share of the anchor's is not run at higher levels. */
const COLLAPSE_SHARE = 0.3;

interface OpenTarget {
  target: Target;
  session: TargetSession;
  collapsed: boolean;
}

export async function measureModel(
  model: BenchModel,
  options: BenchOptions,
  root: string,
  notes: string[],
  log: (line: string) => void,
  withExternal: boolean,
): Promise<ModelResults> {
  const results: ModelResults = {
    id: model.id,
    path: path.relative(root, model.path),
    sizeBytes: model.sizeBytes,
    maxTokens: model.maxTokens,
    promptWords: model.promptWords,
    targets: [],
    runs: [],
    prefixCache: [],
  };
  const fail = (name: string, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    notes.push(`ERROR ${model.id}/${name}: ${message}`);
    log(`  ${name}: ERROR ${message}`);
  };
  const servers: RunningServer[] = [];
  const open: OpenTarget[] = [];
  try {
    const targets = options.gateway
      ? await createGatewayTargets(model, options, root, inferqlFlags(model, options), servers, notes, fail)
      : await createTargets(model, options, root, servers, withExternal, fail);
    for (const target of targets) {
      try {
        const session = await target.open();
        open.push({ target, session, collapsed: false });
        results.targets.push({ name: target.name, description: target.description });
        await warmUp(session, model, target.name, options.slots, options.quick);
      } catch (error) {
        fail(target.name, error);
      }
    }
    for (const concurrency of options.concurrencies) {
      const rounds = new Map<OpenTarget, LevelRound[]>();
      for (let round = 0; round < options.rounds; round++)
        for (const entry of roundOrder(open, round)) {
          if (entry.collapsed) continue;
          try {
            const done = await runLevelRound(entry, model, concurrency, round, options.quick);
            rounds.set(entry, [...(rounds.get(entry) ?? []), done]);
          } catch (error) {
            fail(entry.target.name, error);
            entry.collapsed = true;
          }
        }
      for (const entry of open) {
        const done = rounds.get(entry);
        if (entry.collapsed || !done) continue;
        const run = pooledRun(entry.target.name, concurrency, done);
        results.runs.push(run);
        log(describeRun(run));
      }
      // A smoke run runs everything: it checks that each target works, not how fast.
      if (concurrency === options.concurrencies[0] && !options.quick)
        markCollapsed(open, results, model, notes, log);
    }
    if (options.gateway) {
      results.ttftPairs = [];
      const session = (name: string) => open.find((entry) => entry.target.name === name)?.session;
      for (const { gateway, upstream } of GATEWAY_PAIRS) {
        const ours = session(gateway);
        const theirs = session(upstream);
        if (!ours || !theirs) continue;
        try {
          const pairs = await measureTtftPairs(model, gateway, ours, upstream, theirs, options.ttftPairs);
          results.ttftPairs.push(pairs);
          log(
            `  ${gateway.padEnd(18)} TTFT one at a time: ${pairs.gatewayP50Ms.toFixed(1)} ms against ${upstream} ${pairs.upstreamP50Ms.toFixed(1)} ms, median difference ${pairs.medianDifferenceMs.toFixed(1)} ms (quartiles ${pairs.differenceQuartilesMs?.map((ms) => ms.toFixed(1)).join(" to ")})`,
          );
        } catch (error) {
          fail(gateway, error);
        }
      }
    }
    if (!options.skipPrefix)
      for (const { target, session } of open) {
        try {
          const prefix = await measurePrefixCache(session, model, target.name, options.quick ? 1 : 3);
          results.prefixCache.push(prefix);
          log(
            `  ${target.name.padEnd(18)} prefix cache: cold TTFT ${prefix.coldTtftMs.toFixed(0)} ms, warm ${prefix.warmTtftMs.toFixed(0)} ms (×${prefix.ratio.toFixed(2)})`,
          );
        } catch (error) {
          fail(target.name, error);
        }
      }
  } finally {
    for (const { session } of open) await session.close().catch(() => undefined);
    for (const server of servers) await server.stop();
  }
  return results;
}

/** Targets far below the anchor at the first level are not run further (a 2-core machine can collapse). */
function markCollapsed(
  open: OpenTarget[],
  results: ModelResults,
  model: BenchModel,
  notes: string[],
  log: (line: string) => void,
): void {
  const first = (name: string) => results.runs.find((run) => run.target === name);
  const anchor = first("direct")?.metrics.outputThroughput;
  if (!anchor) return;
  for (const entry of open) {
    const rate = first(entry.target.name)?.metrics.outputThroughput ?? 0;
    if (entry.target.name === "direct" || rate >= COLLAPSE_SHARE * anchor) continue;
    entry.collapsed = true;
    const note = `${model.id}/${entry.target.name}: ${rate.toFixed(0)} tok/s at the first level, under ${COLLAPSE_SHARE}× direct (${anchor.toFixed(0)}); higher levels skipped`;
    notes.push(note);
    log(`  ${note}`);
  }
}

async function createTargets(
  model: BenchModel,
  options: BenchOptions,
  root: string,
  servers: RunningServer[],
  withExternal: boolean,
  fail: (name: string, error: unknown) => void,
): Promise<Target[]> {
  const selected = (name: string) => !options.only || options.only.has(name);
  const engine = {
    slots: options.slots,
    threads: options.threads,
    ctxSize: options.ctxSize,
    batchSize: options.batchSize,
  };
  const targets: Target[] = [];
  if (selected("direct")) targets.push(directTarget({ modelPath: model.path, ...engine }));

  const interfaces = INFERQL_INTERFACES.filter(selected);
  if (interfaces.length) {
    const server = await startServerProcess({ mode: "inferql", flags: inferqlFlags(model, options) });
    servers.push(server);
    targets.push(
      ...interfaces.map((name) => servedBy(inferqlInterfaceTarget(name, server.url, model.id), server)),
    );
  }

  if (options.llamaServer && selected("llama-server"))
    for (const threads of options.llamaServerThreads) {
      const name = `llama-server-t${threads}`;
      try {
        const server = await startLlamaServer({
          binary: options.llamaServer,
          modelPath: model.path,
          ...engine,
          threads,
          logDir: path.join(root, ".cache/bench"),
        });
        servers.push(server);
        targets.push(
          openAiSseTarget({
            name,
            description: `llama-server (same llama.cpp) -np ${options.slots} -t ${threads} -c ${options.slots * options.ctxSize} --cont-batching, official openai client`,
            baseUrl: server.url,
          }),
        );
      } catch (error) {
        fail(name, error);
      }
    }

  if (withExternal)
    for (const external of options.external)
      targets.push(
        openAiSseTarget({
          name: external.name,
          description: `external OpenAI-compatible server ${external.url} (its own model)`,
          baseUrl: external.url,
          model: external.model,
        }),
      );
  return targets;
}

function inferqlFlags(model: BenchModel, options: BenchOptions): string[] {
  return [
    ["--model", `${model.id}=${model.path}`],
    ["--slots", String(options.slots)],
    ["--threads", String(options.threads)],
    ["--ctx-size", String(options.ctxSize)],
    ["--batch-size", String(options.batchSize)],
    ["--stream-interval", String(options.streamInterval)],
  ].flat();
}
