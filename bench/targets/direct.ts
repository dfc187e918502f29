// The anchor: node-llama-cpp in-process, no server and none of inferql's code (only its default
// sampling values, llama-server's, so that every target samples alike). One context with
// the same slots, threads and batch size as the server under test; a
// request takes the free sequence sharing the longest prefix with its prompt, as llama-server does.
// While a request erases its sequence's stale tokens (under the context lock), the other
// sequences pause between two tokens: node-llama-cpp's decode loop holds that lock as long as
// decodes keep coming, and without the pause the erase can wait for the others to finish.
import {
  getLlama,
  type LlamaContextSequence,
  LlamaLogLevel,
  type LlamaModel,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { LLAMA_SERVER_SAMPLING } from "../../src/inference/types.js";
import type { BenchRequest, StreamEvent, Target, TargetSession } from "./target.js";

export interface DirectOptions {
  modelPath: string;
  slots: number;
  threads: number;
  /** Tokens per slot. */
  ctxSize: number;
  batchSize: number;
}

interface Slot {
  sequence: LlamaContextSequence;
  busy: boolean;
}

/** Pauses token requests on a context while erases on it are pending. */
class ErasePause {
  private pending = 0;
  private resumed: Promise<void> | undefined;
  private resume: (() => void) | undefined;

  async erase(sequence: LlamaContextSequence, from: number): Promise<void> {
    if (this.pending++ === 0) this.resumed = new Promise((resolve) => (this.resume = resolve));
    try {
      await sequence.eraseContextTokenRanges([{ start: from, end: sequence.nextTokenIndex }]);
    } finally {
      if (--this.pending === 0) {
        this.resumed = undefined;
        this.resume?.();
      }
    }
  }

  async *tokens(tokens: AsyncIterable<Token>): AsyncGenerator<Token> {
    const iterator = tokens[Symbol.asyncIterator]();
    try {
      for (;;) {
        while (this.resumed) await this.resumed;
        const result = await iterator.next();
        if (result.done) return;
        yield result.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
}

export function directTarget(options: DirectOptions): Target {
  return {
    name: "direct",
    description: `node-llama-cpp in-process: one context, ${options.slots} sequences, ${options.threads} thread(s); no server`,
    open: () => openDirect(options),
  };
}

async function openDirect(options: DirectOptions): Promise<TargetSession> {
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: options.modelPath });
  const context = await model.createContext({
    sequences: options.slots,
    contextSize: options.ctxSize,
    threads: options.threads,
    batchSize: options.batchSize,
  });
  const slots: Slot[] = Array.from({ length: options.slots }, () => ({
    sequence: context.getSequence(),
    busy: false,
  }));
  const pause = new ErasePause();
  const waiting: (() => void)[] = [];
  const render = promptRenderer(model);

  async function acquire(prompt: readonly Token[]): Promise<Slot> {
    for (;;) {
      const free = slots.filter((slot) => !slot.busy);
      if (free.length > 0) {
        const slot = pickSlot(free, prompt);
        slot.busy = true;
        return slot;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }
  function release(slot: Slot): void {
    slot.busy = false;
    waiting.shift()?.();
  }

  return {
    async *stream(request: BenchRequest): AsyncGenerator<StreamEvent> {
      const prompt = render(request.prompt);
      const slot = await acquire(prompt);
      try {
        const { sequence } = slot;
        const common = sequence.compareContextTokens(prompt).firstDifferentIndex;
        const reused = Math.max(0, Math.min(common, prompt.length - 1));
        if (sequence.nextTokenIndex > reused) await pause.erase(sequence, reused);
        let generated = 0;
        if (request.maxTokens > 0) {
          // The sampling chain inferql and llama-server use by default (min_p 0.05 is not node-llama-cpp's).
          const tokens = sequence.evaluate(prompt.slice(reused), {
            ...LLAMA_SERVER_SAMPLING,
            temperature: request.temperature,
            seed: request.seed,
          });
          for await (const token of pause.tokens(tokens)) {
            generated++;
            yield { type: "delta", text: model.detokenize([token]) };
            if (generated >= request.maxTokens) break;
          }
        }
        yield {
          type: "usage",
          promptTokens: prompt.length,
          completionTokens: generated,
          cachedPromptTokens: reused,
        };
      } finally {
        release(slot);
      }
    },
    async close() {
      await context.dispose();
      await model.dispose();
    },
  };
}

/** The chat prompt as inferql renders it: the model's own template, with the generation prompt. */
function promptRenderer(model: LlamaModel): (text: string) => Token[] {
  const chatWrapper = resolveChatWrapper(model);
  return (text) =>
    chatWrapper
      .generateContextState({
        chatHistory: [
          { type: "user", text },
          { type: "model", response: [] },
        ],
      })
      .contextText.tokenize(model.tokenizer);
}

/** The free slot sharing the longest prefix with the prompt; on a tie, the one with the emptiest cache. */
function pickSlot(free: readonly Slot[], prompt: readonly Token[]): Slot {
  const score = (slot: Slot) => ({
    shared: slot.sequence.compareContextTokens(prompt as Token[]).firstDifferentIndex,
    cached: slot.sequence.nextTokenIndex,
  });
  let best = free[0];
  let bestScore = score(best);
  for (const slot of free.slice(1)) {
    const candidate = score(slot);
    if (
      candidate.shared > bestScore.shared ||
      (candidate.shared === bestScore.shared && candidate.cached < bestScore.cached)
    ) {
      best = slot;
      bestScore = candidate;
    }
  }
  return best;
}
