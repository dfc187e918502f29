// The anchor: node-llama-cpp alone, no server and none of inferql's code (only its default
// sampling values, llama-server's, so that every target samples alike). One context with
// the same slots, threads and batch size as the server under test; a
// request takes the free sequence sharing the longest prefix with its prompt, as llama-server does.
// While a request erases its sequence's stale tokens (under the context lock), the other
// sequences pause between two tokens: node-llama-cpp's decode loop holds that lock as long as
// decodes keep coming, and without the pause the erase can wait for the others to finish.
import { spawn } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  getLlama,
  type LlamaContextSequence,
  LlamaLogLevel,
  type LlamaModel,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { LLAMA_SERVER_SAMPLING } from "../../src/inference/types.js";
import { stopChild } from "./inferqlServer.js";
import type { BenchRequest, MeasuredRequests, StreamEvent, Target, TargetSession } from "./target.js";

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

/**
 * node-llama-cpp with no server, measured in a process of its own (directProcess.ts): the clients of
 * the other targets run in the load generator's process, which the engine's threads, memory and
 * garbage would otherwise share (with it there, graphql-sse's client fell 0.7–4.8 % further behind
 * OpenAI SSE's in three runs of three; bench/README.md).
 */
export function directTarget(options: DirectOptions): Target {
  return {
    name: "direct",
    description: `node-llama-cpp in a process of its own: one context, ${options.slots} sequences, ${options.threads} thread(s); no server`,
    open: () => openDirectProcess(options),
  };
}

/** What the bench and the direct target's process (directProcess.ts) say to each other. */
export type DirectProcessMessage =
  | { type: "ready" }
  | { type: "measure"; id: number; requests: readonly BenchRequest[]; concurrency: number }
  | { type: "measured"; id: number; result: MeasuredRequests }
  | { type: "failed"; id: number; error: string }
  | { type: "close" };

const DIRECT_PROCESS_ENTRY = fileURLToPath(new URL("./directProcess.ts", import.meta.url));

async function openDirectProcess(options: DirectOptions): Promise<TargetSession> {
  const child = spawn(process.execPath, ["--import", "tsx", DIRECT_PROCESS_ENTRY, JSON.stringify(options)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve(result: MeasuredRequests): void; reject(error: Error): void }>();
  let exited: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`the direct engine's process exited with code ${code}`)));
  });
  child.on("message", (message: DirectProcessMessage) => {
    if (message.type !== "measured" && message.type !== "failed") return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === "measured") waiter?.resolve(message.result);
    else waiter?.reject(new Error(message.error));
  });
  child.once("exit", (code) => {
    exited = new Error(`the direct engine's process exited with code ${code}`);
    for (const waiter of pending.values()) waiter.reject(exited);
    pending.clear();
  });
  let nextId = 0;
  return {
    measure(requests, concurrency) {
      if (exited) return Promise.reject(exited);
      const id = nextId++;
      return new Promise<MeasuredRequests>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ type: "measure", id, requests, concurrency } satisfies DirectProcessMessage);
      });
    },
    async close() {
      if (!exited) {
        // The process closes its engine, then leaves; stopChild ends it if it has not within its grace.
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.send({ type: "close" } satisfies DirectProcessMessage);
        await Promise.race([gone, delay(10_000, undefined, { ref: false })]);
      }
      await stopChild(child);
    },
  };
}

/** The direct engine in this process, streaming as a client would see it (directProcess.ts runs it). */
export async function openDirect(options: DirectOptions): Promise<TargetSession> {
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
