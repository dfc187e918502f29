// Folds a chat stream into its start, every choice's outcome (with the logprobs its deltas carried)
// and the usage of all choices: how createChatCompletion is built from streamChatCompletion.
import type { TokenLogprob } from "../../inference/types.js";
import type { Usage } from "../generation.js";
import type { ChatChoice, ChatCompletionEvent } from "./chatCompletion.js";

export interface FoldedChatStream {
  started: Extract<ChatCompletionEvent, { type: "started" }>;
  /** By index; at least one. */
  choices: ChatChoice[];
  usage: Usage;
}

export async function foldChatStream(events: AsyncIterable<ChatCompletionEvent>): Promise<FoldedChatStream> {
  let started: FoldedChatStream["started"] | undefined;
  const choices: ChatChoice[] = [];
  const logprobs = new Map<number, TokenLogprob[]>();
  for await (const event of events) {
    if (event.type === "started") started = event;
    else if (event.type === "contentDelta" && event.logprobs) {
      const choiceLogprobs = logprobs.get(event.choiceIndex) ?? [];
      choiceLogprobs.push(...event.logprobs);
      logprobs.set(event.choiceIndex, choiceLogprobs);
    } else if (event.type === "finished" && started) {
      const { type: _type, id: _id, choiceIndex, totalUsage, ...outcome } = event;
      const choiceLogprobs = logprobs.get(choiceIndex);
      choices[choiceIndex] = {
        index: choiceIndex,
        ...outcome,
        ...(choiceLogprobs ? { logprobs: choiceLogprobs } : {}),
      };
      if (totalUsage) return { started, choices, usage: totalUsage };
    }
  }
  throw new Error("The chat stream ended before all its choices finished");
}
