// Prompt-cache run: TTFT of a request sharing a ~1,000-token prefix with the one before it, against
// the TTFT of that one (whose prefix no slot held). Sequential, one stream.
import { runRequest } from "./loadGenerator.js";
import { percentile } from "./metrics.js";
import type { BenchModel } from "./models.js";
import { seededWords, seedFromKey } from "./prompts.js";
import type { PrefixCacheRun } from "./resultTypes.js";
import type { BenchRequest, TargetSession } from "./targets/target.js";
import { TEMPERATURE } from "./throughputRun.js";

const PREFIX_WORDS = 1000;
const QUESTION_WORDS = 12;
const OUTPUT_TOKENS = 8;

export async function measurePrefixCache(
  session: TargetSession,
  model: BenchModel,
  targetName: string,
  pairs: number,
): Promise<PrefixCacheRun> {
  const cold: number[] = [];
  const warm: number[] = [];
  let failed = 0;
  let promptTokens = 0;
  let cachedPromptTokens: number | undefined;
  for (let pair = 0; pair < pairs; pair++) {
    const key = `${model.id}/${targetName}/prefix/${pair}`;
    const prefix = seededWords(key, PREFIX_WORDS);
    const request = (question: string): BenchRequest => ({
      prompt: `${prefix} ${seededWords(`${key}/${question}`, QUESTION_WORDS)}`,
      maxTokens: OUTPUT_TOKENS,
      seed: seedFromKey(key) % 1_000_000,
      temperature: TEMPERATURE,
    });
    const first = await runRequest(session, request("first"));
    const second = await runRequest(session, request("second"));
    for (const [record, into] of [
      [first, cold],
      [second, warm],
    ] as const) {
      if (!record.ok || record.deltaTimes.length === 0) failed++;
      else into.push(record.deltaTimes[0] - record.startedAt);
    }
    promptTokens = Math.max(promptTokens, second.promptTokens);
    if (second.cachedPromptTokens !== undefined) cachedPromptTokens = second.cachedPromptTokens;
  }
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  const coldTtftMs = median(cold);
  const warmTtftMs = median(warm);
  return {
    target: targetName,
    promptTokens,
    cachedPromptTokens,
    coldTtftMs,
    warmTtftMs,
    ratio: warmTtftMs / coldTtftMs,
    failed,
  };
}
