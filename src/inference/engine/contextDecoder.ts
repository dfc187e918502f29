// The generation loop of a context's plainly sampled sequences, run on node-llama-cpp's native
// context directly instead of through LlamaContextSequence.evaluate: one decode carries the next
// token of every such sequence, then each sequence samples its token from its own sampler.
//
// Why: evaluate spends JavaScript on every token that a server running many tokens a second feels —
// a batch queue with a prioritization pass, a sampler configuration rebuilt and two locks taken per
// token, and a copy of the sequence's whole token list per token. On the bench model (2 threads, this
// project's 2-core VM) node-llama-cpp alone generated 1.2–1.3× the tokens/s through these calls
// that it did through evaluate with one sequence, and 1.39× with four (bench/README.md, "The
// engine").
//
// What it relies on, all of node-llama-cpp 3.21.1 (pinned): the context's native object (`_ctx`:
// initBatch, addToBatch, decodeBatch, sampleToken), the native sampler class, the sequence's token
// bookkeeping (`_nextTokenIndex`, `_contextTokens`, kept exactly as evaluate keeps it, so that the
// library's own operations on the sequence afterwards — prefix comparison, erase, evaluate — see
// the tokens decoded here) and the context lock its own decodes and erases take (lifecycle-utils'
// `withLock([context, "context"])`: the same module instance, so the package is external to the
// server bundle and a dependency of the same version).
//
// Used only where evaluate would do nothing more per token (plainSamplingOf, `decodesDirectly`): no
// grammar, repeat penalties, probabilities or token bias that changes with the output, and a sequence
// that needs no checkpoints (SWA, hybrid and recurrent models) and whose tokens fit its context
// without a context shift.
import { withLock } from "lifecycle-utils";
import type { Llama, LlamaContext, LlamaContextSequence, Token, TokenBias } from "node-llama-cpp";

/** The sampling evaluate would configure per token; here once per generation. */
export interface PlainSampling {
  temperature?: number;
  minP?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  /** A fixed bias (logit_bias, ignore_eos); not one that changes with the output. */
  tokenBias?: TokenBias;
}

interface NativeContext {
  initBatch(size: number): void;
  addToBatch(
    sequenceId: number,
    firstTokenIndex: number,
    tokens: Uint32Array,
    logitIndexes: Uint32Array,
  ): Uint32Array;
  decodeBatch(): Promise<void>;
  sampleToken(batchLogitIndex: number, sampler: NativeSampler): Promise<number>;
}

interface NativeBindings {
  AddonSampler: new (nativeModel: unknown) => NativeSampler;
}

interface NativeSampler {
  applyConfig(config: object): void;
  dispose(): void;
}

/** The fields of node-llama-cpp's sequence that its own evaluate keeps (see the file's comment). */
interface SequenceInternals {
  _sequenceId: number;
  _nextTokenIndex: number;
  _contextTokens: Token[];
  _resolveSamplerConfig(sampling: PlainSampling): object;
}

interface Step {
  sequence: LlamaContextSequence;
  tokens: Token[];
  sampler: NativeSampler;
  resolve(token: Token): void;
  reject(error: unknown): void;
}

export class ContextDecoder {
  private readonly native: NativeContext;
  private queue: Step[] = [];
  private dispatchScheduled = false;

  constructor(
    private readonly llama: Llama,
    private readonly context: LlamaContext,
  ) {
    this.native = (context as unknown as { _ctx: NativeContext })._ctx;
  }

  /**
   * Whether `tokenCount` more decoded tokens (the prompt's and the output's) can run here on
   * `sequence`: they fit its context without a shift, and its model needs no checkpoints.
   */
  static decodesDirectly(sequence: LlamaContextSequence, tokenCount: number): boolean {
    return !sequence.needsCheckpoints && sequence.nextTokenIndex + tokenCount < sequence.contextSize;
  }

  /** The tokens of one generation: `prompt` (after the sequence's cached tokens), then one per call. */
  async *generate(
    sequence: LlamaContextSequence,
    prompt: Token[],
    sampling: PlainSampling,
  ): AsyncGenerator<Token> {
    const { AddonSampler } = (this.llama as unknown as { _bindings: NativeBindings })._bindings;
    const sampler = new AddonSampler((this.context.model as unknown as { _model: unknown })._model);
    try {
      sampler.applyConfig(internals(sequence)._resolveSamplerConfig(sampling));
      let tokens = prompt;
      for (;;) {
        const token = await this.next(sequence, tokens, sampler);
        yield token;
        tokens = [token];
      }
    } finally {
      sampler.dispose();
    }
  }

  private next(sequence: LlamaContextSequence, tokens: Token[], sampler: NativeSampler): Promise<Token> {
    return new Promise<Token>((resolve, reject) => {
      this.queue.push({ sequence, tokens, sampler, resolve, reject });
      this.scheduleDispatch();
    });
  }

  /**
   * After the current microtasks and I/O callbacks, as node-llama-cpp schedules its decodes: every
   * generation released by the step barrier has queued its token by then.
   */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      void withLock([this.context, "context"], () => this.decodeStep());
    });
  }

  /**
   * One decode of the queued steps that fit a batch, then their sampling; the rest wait for the
   * next. Never throws: a failure rejects the steps it touched (a promise settles once, so the
   * steps already answered keep their answer).
   */
  private async decodeStep(): Promise<void> {
    const queued = this.takeBatch();
    if (queued.length === 0) return;
    if (this.queue.length > 0) this.scheduleDispatch();
    try {
      this.native.initBatch(queued.reduce((sum, step) => sum + step.tokens.length, 0));
      // A step the context refuses fails alone, as in node-llama-cpp's own batching.
      const steps: { step: Step; logitIndex: number }[] = [];
      for (const step of queued) {
        try {
          const { _sequenceId, _nextTokenIndex } = internals(step.sequence);
          const tokens = Uint32Array.from(step.tokens);
          const logitIndexes = Uint32Array.of(tokens.length - 1);
          const [logitIndex] = this.native.addToBatch(_sequenceId, _nextTokenIndex, tokens, logitIndexes);
          steps.push({ step, logitIndex });
        } catch (error) {
          step.reject(error);
        }
      }
      if (steps.length === 0) return;
      await this.native.decodeBatch();
      for (const { step } of steps) {
        const state = internals(step.sequence);
        state._nextTokenIndex += step.tokens.length;
        state._contextTokens = state._contextTokens.concat(step.tokens);
      }
      const sampled = await Promise.all(
        steps.map(({ step, logitIndex }) => this.native.sampleToken(logitIndex, step.sampler)),
      );
      steps.forEach(({ step }, index) => {
        const token = sampled[index];
        if (token === -1) step.reject(new Error("Failed to sample the next token"));
        else step.resolve(token as Token);
      });
    } catch (error) {
      for (const step of queued) step.reject(error);
    }
  }

  private takeBatch(): Step[] {
    const live = this.queue.filter((step) => {
      if (!step.sequence.disposed) return true;
      step.reject(new Error("The generation's sequence was disposed"));
      return false;
    });
    let room = this.context.batchSize;
    const taken: Step[] = [];
    while (live.length > 0 && (taken.length === 0 || live[0].tokens.length <= room)) {
      const step = live.shift() as Step;
      room -= step.tokens.length;
      taken.push(step);
    }
    this.queue = live;
    return taken;
  }
}

function internals(sequence: LlamaContextSequence): SequenceInternals {
  return sequence as unknown as SequenceInternals;
}
