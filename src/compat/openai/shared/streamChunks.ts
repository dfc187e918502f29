// What chat and completion streams share: the fields every chunk repeats, and the closing
// messages (the finish chunk with timings, then a usage chunk with no choices when asked).
import type { Logger } from "pino";
import type { FinishReason, Timings, Usage } from "../../../resolvers/index.js";
import { generationFailed } from "../errors/generationFailed.js";
import {
  systemFingerprint,
  toWireFinishReason,
  toWireTimings,
  toWireUsage,
  type WireFinishReason,
} from "./responseFields.js";

export interface ChunkHeader<Object extends string> {
  id: string;
  object: Object;
  created: number;
  model: string;
  system_fingerprint: string;
}

export function chunkHeader<Object extends string>(
  started: { id: string; created: number; model: string },
  object: Object,
): ChunkHeader<Object> {
  const { id, created, model } = started;
  return { id, object, created, model, system_fingerprint: systemFingerprint(model) };
}

export interface StreamEnd {
  header: ChunkHeader<string>;
  /** The endpoint's choice carrying only the finish reason. */
  finishChoice: (reason: WireFinishReason) => object;
  includeUsage: boolean;
  logger: Logger;
}

/** The messages that close a stream; a generation that failed after it started closes with an error event. */
export function streamEndMessages(
  finished: { id: string; finishReason: FinishReason; usage: Usage; timings: Timings },
  { header, finishChoice, includeUsage, logger }: StreamEnd,
): unknown[] {
  if (finished.finishReason === "error") return [generationFailed(logger, finished.id).body()];
  const finish = {
    ...header,
    choices: [finishChoice(toWireFinishReason(finished.finishReason))],
    timings: toWireTimings(finished.timings, finished.usage),
  };
  if (!includeUsage) return [finish];
  return [finish, { ...header, choices: [], usage: toWireUsage(finished.usage) }];
}
