// The generation loop of a context's sequences, run on node-llama-cpp's native context directly
// instead of through LlamaContextSequence.evaluate: one decode carries the next token of every
// generation running here, then each samples its token from its own sampler.
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
// Every generation runs here but those that ask for token probabilities (logprobs) and those on a
// sequence that needs checkpoints (SWA, hybrid and recurrent models) or would outgrow its context
// (a context shift): those keep evaluate. A sampling that changes with the output (a grammar, repeat
// penalties, a token bias that depends on the output so far) is configured before each token, as
// evaluate does; one that does not, once per generation.
import { withLock } from "lifecycle-utils";
import type {
  Llama,
  LlamaContext,
  LlamaContextSequence,
  SequenceEvaluateOptions,
  Token,
} from "node-llama-cpp";

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
  _resolveSamplerConfig(options: SequenceEvaluateOptions): object;
}

interface Step {
  sequence: LlamaContextSequence;
  tokens: Token[];
  sampler: NativeSampler;
  /** Sets the sampler up for this token, after the decode (a sampling that changes with the output). */
  configure?: () => void;
  resolve(token: Token): void;
  reject(error: unknown): void;
}

export class ContextDecoder {
  private queue: Step[] = [];
  private dispatchScheduled = false;

  constructor(
    private readonly llama: Llama,
    private readonly context: LlamaContext,
  ) {}

  /** The context's native object, read where node-llama-cpp reads it. */
  private get native(): NativeContext {
    return (this.context as unknown as { _ctx: NativeContext })._ctx;
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
    options: SequenceEvaluateOptions,
  ): AsyncGenerator<Token> {
    const { AddonSampler } = (this.llama as unknown as { _bindings: NativeBindings })._bindings;
    const sampler = new AddonSampler((this.context.model as unknown as { _model: unknown })._model);
    const configure = () => sampler.applyConfig(internals(sequence)._resolveSamplerConfig(options));
    const changesWithOutput =
      typeof options.grammarEvaluationState === "function" ||
      typeof options.tokenBias === "function" ||
      options.repeatPenalty !== undefined;
    try {
      if (!changesWithOutput) configure();
      let tokens = prompt;
      for (;;) {
        const token = await this.next(sequence, tokens, sampler, changesWithOutput ? configure : undefined);
        yield token;
        tokens = [token];
      }
    } finally {
      sampler.dispose();
    }
  }

  private next(
    sequence: LlamaContextSequence,
    tokens: Token[],
    sampler: NativeSampler,
    configure: (() => void) | undefined,
  ): Promise<Token> {
    return new Promise<Token>((resolve, reject) => {
      this.queue.push({ sequence, tokens, sampler, configure, resolve, reject });
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
      await Promise.all(steps.map(({ step, logitIndex }) => this.sample(step, logitIndex)));
    } catch (error) {
      for (const step of queued) step.reject(error);
    }
  }

  /** Samples one step's token from the decode's logits; its failure (a grammar with no way on) is its own. */
  private async sample(step: Step, logitIndex: number): Promise<void> {
    try {
      step.configure?.();
      const token = await this.native.sampleToken(logitIndex, step.sampler);
      if (token === -1) step.reject(new Error("Failed to sample the next token"));
      else step.resolve(token as Token);
    } catch (error) {
      step.reject(error);
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
