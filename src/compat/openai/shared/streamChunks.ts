// What chat and completion streams share: the fields every chunk repeats, and the closing
// messages (a finish chunk with timings per choice, then a usage chunk with no choices when asked).
import type { Logger } from "pino";
import type { FinishReason, Timings, Usage } from "../../../resolvers/index.js";
import { generationFailed } from "../errors/generationFailed.js";
import {
  finishReasonDetail,
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
  /**
   * The usage chunk's counts when this finish ends the stream (default: the finished generation's);
   * null when other choices are still running, so that the usage chunk waits for the last one.
   */
  streamUsage?: Usage | null;
}

/**
 * The messages that close a choice (its finish chunk with its timings) and, after the last, the
 * usage chunk; a generation that failed after it started closes with an error event.
 */
export function streamEndMessages(
  finished: { id: string; finishReason: FinishReason; usage: Usage; timings: Timings },
  { header, finishChoice, includeUsage, logger, streamUsage = finished.usage }: StreamEnd,
): unknown[] {
  if (finished.finishReason === "error") return [generationFailed(logger, finished.id).body()];
  const finish = {
    ...header,
    choices: [
      {
        ...finishChoice(toWireFinishReason(finished.finishReason)),
        ...finishReasonDetail(finished.finishReason),
      },
    ],
    timings: toWireTimings(finished.timings, finished.usage),
  };
  if (!includeUsage || streamUsage === null) return [finish];
  return [finish, { ...header, choices: [], usage: toWireUsage(streamUsage) }];
}
