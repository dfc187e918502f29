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
// A generation whose sampling is fixed decodes each token as it goes to its consumer (one token
// ahead, see decodesAhead): the consumer's work on a token then runs beside the next decode.
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

/** What a step gave one generation: its next token, or why there is none. */
type Outcome = { token: Token } | { error: unknown };

/** One generation on the decoder: its sampler, its queued or decoding step, and the token it has not taken yet. */
class Generation {
  /** Whether one of its steps is queued or decoding. */
  busy = false;
  /** Whether its consumer has stopped reading (see ContextDecoder.close). */
  closed = false;
  private outcome: Outcome | undefined;
  private waiter: ((outcome: Outcome) => void) | undefined;
  private stepEnded: (() => void) | undefined;

  constructor(
    readonly sequence: LlamaContextSequence,
    readonly sampler: NativeSampler,
    /** Sets the sampler up for each token, after its decode (a sampling that changes with the output). */
    readonly configure: (() => void) | undefined,
    /** Tokens it may still decode ahead of its consumer (the prompt's and all outputs but the last). */
    public decodable: number,
  ) {}

  /** Whether its consumer is waiting for the token its step will sample. */
  get waiting(): boolean {
    return this.waiter !== undefined;
  }

  /** The next token, once a step has sampled it. */
  async take(): Promise<Token> {
    const kept = this.outcome;
    this.outcome = undefined;
    const outcome =
      kept ??
      (await new Promise<Outcome>((resolve) => {
        this.waiter = resolve;
      }));
    if ("error" in outcome) throw outcome.error;
    return outcome.token;
  }

  /** Gives a step's outcome to the waiting consumer, or keeps it until the consumer takes it. */
  deliver(outcome: Outcome): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(outcome);
    else this.outcome = outcome;
  }

  /** Its step is over (decoded and sampled, or failed). */
  endStep(): void {
    this.busy = false;
    this.stepEnded?.();
  }

  /** Resolves when no step of it is decoding. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => {
      this.stepEnded = resolve;
    });
  }
}

interface Step {
  generation: Generation;
  tokens: Token[];
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

  /**
   * The tokens of one generation: `prompt` (after the sequence's cached tokens), then one per call.
   * At most `decodedTokens` are decoded ahead of the consumer (see decodesAhead).
   */
  async *generate(
    sequence: LlamaContextSequence,
    prompt: Token[],
    options: SequenceEvaluateOptions,
    decodedTokens: number,
  ): AsyncGenerator<Token> {
    const { AddonSampler } = (this.llama as unknown as { _bindings: NativeBindings })._bindings;
    const sampler = new AddonSampler((this.context.model as unknown as { _model: unknown })._model);
    const configure = () => sampler.applyConfig(internals(sequence)._resolveSamplerConfig(options));
    const changesWithOutput =
      typeof options.grammarEvaluationState === "function" ||
      typeof options.tokenBias === "function" ||
      options.repeatPenalty !== undefined;
    if (!changesWithOutput) configure();
    const generation = new Generation(
      sequence,
      sampler,
      changesWithOutput ? configure : undefined,
      decodedTokens,
    );
    try {
      this.enqueue(generation, prompt);
      for (;;) {
        const token = await generation.take();
        yield token;
        // The consumer asks for the next token; unless the decoder decoded this one ahead.
        if (!generation.busy) this.enqueue(generation, [token]);
      }
    } finally {
      await this.close(generation);
    }
  }

  /** Queues the consumer's ask: the prompt, or the token it has just read (see scheduleDispatch). */
  private enqueue(generation: Generation, tokens: Token[]): void {
    this.queueStep(generation, tokens);
    this.scheduleDispatch();
  }

  private queueStep(generation: Generation, tokens: Token[]): void {
    generation.busy = true;
    generation.decodable -= tokens.length;
    this.queue.push({ generation, tokens });
  }

  /**
   * Whether `token`, just sampled, is decoded (for the token after it) as it goes to the consumer,
   * instead of when the consumer asks for the next one: then the consumer's work on the token (its
   * text, the events, the socket write) runs while the decode runs, as llama-server's HTTP threads
   * do beside its decode loop. Only one token ahead (the consumer waits for this one), only for a
   * sampling fixed for the whole generation (one that reads the output needs the consumer's work
   * done before its next sampling), and never past the generation's last token or an
   * end-of-generation token.
   */
  private decodesAhead(generation: Generation, token: Token): boolean {
    return (
      generation.waiting &&
      generation.configure === undefined &&
      !generation.closed &&
      generation.decodable >= 1 &&
      !this.context.model.isEogToken(token)
    );
  }

  /**
   * The consumer stopped reading: a step still queued is dropped, and one decoding is waited for
   * (it updates the sequence's tokens, which the slot's next request reads), then the sampler goes.
   */
  private async close(generation: Generation): Promise<void> {
    generation.closed = true;
    const queued = this.queue.findIndex((step) => step.generation === generation);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      generation.endStep();
    }
    await generation.idle();
    generation.sampler.dispose();
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
      this.dispatch();
    });
  }

  /**
   * One step under the context lock; then, before its tokens reach their consumers, the next step
   * starts with whatever is queued (the tokens decoded ahead among them), so that the consumers'
   * work overlaps its decode.
   */
  private dispatch(): void {
    void withLock([this.context, "context"], () => this.decodeStep()).then((outcomes) => {
      if (this.queue.length > 0) this.dispatch();
      for (const [generation, outcome] of outcomes) generation.deliver(outcome);
    });
  }

  /**
   * One decode of the queued steps that fit a batch, then their sampling; returns the outcomes for
   * their consumers. Never throws: a failure is the outcome of the steps it touched.
   */
  private async decodeStep(): Promise<Map<Generation, Outcome>> {
    const outcomes = new Map<Generation, Outcome>();
    const queued = this.takeBatch(outcomes);
    if (queued.length === 0) return outcomes;
    const decoded: { step: Step; logitIndex: number }[] = [];
    try {
      this.native.initBatch(queued.reduce((sum, step) => sum + step.tokens.length, 0));
      // A step the context refuses fails alone, as in node-llama-cpp's own batching.
      for (const step of queued) {
        try {
          const { _sequenceId, _nextTokenIndex } = internals(step.generation.sequence);
          const tokens = Uint32Array.from(step.tokens);
          const logitIndexes = Uint32Array.of(tokens.length - 1);
          const [logitIndex] = this.native.addToBatch(_sequenceId, _nextTokenIndex, tokens, logitIndexes);
          decoded.push({ step, logitIndex });
        } catch (error) {
          outcomes.set(step.generation, { error });
        }
      }
      if (decoded.length > 0) {
        await this.native.decodeBatch();
        for (const { step } of decoded) {
          const state = internals(step.generation.sequence);
          state._nextTokenIndex += step.tokens.length;
          // In place: node-llama-cpp's evaluate copies the whole record per decode (concat), which is
          // a copy of the context's length per token. The array is the sequence's own (its getter
          // hands out copies), so appending to it changes nothing else.
          for (const token of step.tokens) state._contextTokens.push(token);
        }
        await Promise.all(decoded.map(({ step, logitIndex }) => this.sample(step, logitIndex, outcomes)));
      }
    } catch (error) {
      for (const step of queued) outcomes.set(step.generation, { error });
    }
    for (const step of queued) {
      const outcome = outcomes.get(step.generation);
      if (outcome && "token" in outcome && this.decodesAhead(step.generation, outcome.token))
        // Decoded ahead: dispatch() starts it before the outcome reaches the consumer.
        this.queueStep(step.generation, [outcome.token]);
      else step.generation.endStep();
    }
    return outcomes;
  }

  /** Samples one step's token from the decode's logits; its failure (a grammar with no way on) is its own. */
  private async sample(step: Step, logitIndex: number, outcomes: Map<Generation, Outcome>): Promise<void> {
    const { generation } = step;
    if (generation.closed) return;
    try {
      generation.configure?.();
      const token = await this.native.sampleToken(logitIndex, generation.sampler);
      outcomes.set(
        generation,
        token === -1 ? { error: new Error("Failed to sample the next token") } : { token: token as Token },
      );
    } catch (error) {
      outcomes.set(generation, { error });
    }
  }

  /**
   * The queued steps that fit one batch, in sequence order (llama.cpp reuses its compute graph for
   * decodes of the same shape; see StepBarrier). A step of a disposed sequence fails.
   */
  private takeBatch(outcomes: Map<Generation, Outcome>): Step[] {
    const live = this.queue.filter((step) => {
      if (!step.generation.sequence.disposed) return true;
      outcomes.set(step.generation, { error: new Error("The generation's sequence was disposed") });
      step.generation.endStep();
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
    return taken.sort(
      (a, b) => internals(a.generation.sequence)._sequenceId - internals(b.generation.sequence)._sequenceId,
    );
  }
}

function internals(sequence: LlamaContextSequence): SequenceInternals {
  return sequence as unknown as SequenceInternals;
}
