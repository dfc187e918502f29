// A FAKE engine for tests, never used outside them: models that generate only when the test says
// so. A generation on a slot says "started", then waits for the test to end its prompt evaluation
// (`promptDone`), then for each token (`emit`) until it is told to stop (`finish`), so races between
// grant, abort, timeout and release are tested at exact points instead of at llama.cpp's timing.
// It honours what the real engine does: the signal ends a generation "cancelled" at its next wait
// (prompt evaluation included), a step past the deadline ends it "timeout", maxTokens and the
// context size end it "length", and LoRA contexts are bounded, evicting idle ones only.
import { InvalidInputError, ModelNotFoundError } from "../../src/errors.js";
import { commonPrefixLength } from "../../src/inference/scheduler/pickSlotByCommonPrefix.js";
import type {
  PreparedRequest,
  ScheduledModel,
  ScheduledModels,
  SlotRun,
} from "../../src/inference/scheduler/scheduledModel.js";
import type {
  EngineEvent,
  EngineFinishReason,
  GenerationRequest,
  LoraSelection,
  PromptInput,
} from "../../src/inference/types.js";
import { GenerationScript, type ScriptPhase } from "./generationScript.js";

export interface ScriptedModelOptions {
  slots: number;
  /** Tokens per slot (a prompt token is a UTF-8 byte of its text); default 4096. */
  contextSize?: number;
  /** LoRA adapters requests may name. */
  adapters?: readonly string[];
  /** LoRA contexts kept before idle ones are evicted to make room; default 4, as LoadedModel. */
  maxLoraContexts?: number;
}

/** The fake's vocabulary: one token per byte. */
const VOCABULARY_SIZE = 256;
const BASE_CONTEXT = "";

export class ScriptedEngine implements ScheduledModels {
  private readonly models = new Map<string, ScriptedModel>();
  private readonly scripts = new Map<string, GenerationScript>();
  /** Ids of the generations that reached a slot, in that order. */
  readonly generations: string[] = [];

  addModel(id: string, options: ScriptedModelOptions): ScriptedModel {
    const model = new ScriptedModel(id, options, this);
    this.models.set(id, model);
    return model;
  }

  get(id: string): ScriptedModel {
    const model = this.models.get(id);
    if (!model) throw new ModelNotFoundError(id);
    return model;
  }

  list(): ScriptedModel[] {
    return [...this.models.values()];
  }

  /** Ends the prompt evaluation of generation `id`. */
  promptDone(id: string): void {
    this.script(id).send({ kind: "promptDone" });
  }

  /** Generation `id` generates one token that reads `text`. */
  emit(id: string, text: string): void {
    this.script(id).send({ kind: "emit", text });
  }

  /** Generation `id` generates its end-of-generation token (finish reason "stop"). */
  finish(id: string): void {
    this.script(id).send({ kind: "finish" });
  }

  /** Resolves once generation `id` waits in `phase` for a command, with none sent left to take. */
  waitingIn(id: string, phase: ScriptPhase): Promise<void> {
    return this.script(id).waitingIn(phase);
  }

  /** The commands of generation `id` (sent before it exists, they wait for it). */
  script(id: string): GenerationScript {
    let script = this.scripts.get(id);
    if (!script) {
      script = new GenerationScript();
      this.scripts.set(id, script);
    }
    return script;
  }
}

export class ScriptedModel implements ScheduledModel {
  readonly slots: number;
  readonly contextSize: number;
  /** LoRA context keys evicted, oldest first. */
  readonly evictions: string[] = [];
  private readonly adapters: ReadonlySet<string>;
  private readonly maxLoraContexts: number;
  /** Live contexts, oldest first. */
  private readonly contexts = new Set<string>([BASE_CONTEXT]);
  /** Cached tokens by context key, then slot. */
  private readonly caches = new Map<string, number[][]>();
  /** The generations running in each context, as the fake itself knows them. */
  private readonly running = new Map<string, number>();

  constructor(
    readonly id: string,
    options: ScriptedModelOptions,
    private readonly engine: ScriptedEngine,
  ) {
    this.slots = options.slots;
    this.contextSize = options.contextSize ?? 4096;
    this.adapters = new Set(options.adapters ?? []);
    this.maxLoraContexts = options.maxLoraContexts ?? 4;
  }

  /** The live contexts' keys, oldest first. */
  get contextKeys(): string[] {
    return [...this.contexts];
  }

  isValidToken(token: number): boolean {
    return Number.isInteger(token) && token >= 0 && token < VOCABULARY_SIZE;
  }

  loraContextKey(selection: readonly LoraSelection[]): string {
    const active = new Map<string, number>();
    for (const { name, scale } of selection) {
      if (!this.adapters.has(name)) throw new InvalidInputError("lora", `Unknown LoRA adapter '${name}'`);
      if (scale !== 0) active.set(name, scale);
    }
    return [...active.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, scale]) => `${name}@${scale}`)
      .join(",");
  }

  cachedTokens(contextKey: string, slot: number): readonly number[] {
    return this.caches.get(contextKey)?.[slot] ?? [];
  }

  async prepare(request: GenerationRequest): Promise<PreparedRequest> {
    const promptTokens = [...Buffer.from(promptText(request.prompt))];
    return {
      prefix: promptTokens,
      promptTokens: promptTokens.length,
      generate: (run) => this.generate(promptTokens, run),
    };
  }

  private async *generate(promptTokens: readonly number[], run: SlotRun): AsyncGenerator<EngineEvent> {
    const { id } = run.request;
    this.engine.generations.push(id);
    let failure: unknown;
    try {
      this.openContext(run.contextKey, run.busyContextKeys());
      this.running.set(run.contextKey, (this.running.get(run.contextKey) ?? 0) + 1);
      try {
        yield* this.steps(promptTokens, run);
      } finally {
        this.running.set(run.contextKey, (this.running.get(run.contextKey) ?? 1) - 1);
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      this.engine.script(id).end(id, failure);
    }
  }

  private async *steps(promptTokens: readonly number[], run: SlotRun): AsyncGenerator<EngineEvent> {
    const { request, signal, deadline } = run;
    const script = this.engine.script(request.id);
    const cache = this.slotCache(run.contextKey, run.slot);
    // As the real engine: the longest cached prefix is kept, but at least one prompt token is evaluated.
    const shared = request.cachePrompt ? commonPrefixLength(cache, promptTokens) : 0;
    const cachedPromptTokens = Math.max(0, Math.min(shared, promptTokens.length - 1));
    cache.length = cachedPromptTokens;
    yield { type: "started", slot: run.slot, promptTokens: promptTokens.length, cachedPromptTokens };

    const maxTokens = Math.min(
      request.maxTokens ?? Number.POSITIVE_INFINITY,
      this.contextSize - promptTokens.length,
    );
    const interrupted = (): EngineFinishReason | undefined =>
      signal.aborted ? "cancelled" : Date.now() >= deadline ? "timeout" : undefined;
    let completionTokens = 0;
    let reason = interrupted();
    if (!reason) {
      const command = await script.take("prompt", signal);
      reason = interrupted();
      if (!reason) {
        expectCommand(request.id, command, "promptDone");
        cache.push(...promptTokens.slice(cachedPromptTokens));
        if (maxTokens <= 0) reason = "length";
      }
    }
    while (!reason) {
      const command = await script.take("tokens", signal);
      if (command === undefined) reason = "cancelled";
      else if (command.kind === "finish") reason = "stop";
      else {
        expectCommand(request.id, command, "emit");
        completionTokens++;
        cache.push(Buffer.from(command.text)[0] ?? 0);
        yield { type: "text", channel: "content", text: command.text, tokenCount: 1 };
        reason = signal.aborted ? "cancelled" : completionTokens >= maxTokens ? "length" : interrupted();
      }
    }
    yield {
      type: "finished",
      reason,
      toolCalls: [],
      usage: { promptTokens: promptTokens.length, completionTokens, reasoningTokens: 0, cachedPromptTokens },
      timings: {
        queueMs: run.queueMs,
        promptMs: 0,
        generationMs: 0,
        promptTokensPerSecond: 0,
        generatedTokensPerSecond: 0,
      },
    };
  }

  /**
   * Creates the context on first use, evicting idle LoRA contexts (oldest first) while the bound is
   * reached. `busy` is the scheduler's word for which are idle; evicting one the fake knows a
   * generation still runs in fails loudly, since the real engine would break that generation.
   */
  private openContext(key: string, busy: ReadonlySet<string>): void {
    if (this.contexts.has(key)) return;
    for (const candidate of [...this.contexts]) {
      const loraContexts = [...this.contexts].filter((live) => live !== BASE_CONTEXT).length;
      if (loraContexts < this.maxLoraContexts) break;
      if (candidate === BASE_CONTEXT || busy.has(candidate)) continue;
      if ((this.running.get(candidate) ?? 0) > 0)
        throw new Error(
          `scripted engine: asked to evict context '${candidate}' while a generation runs in it`,
        );
      this.contexts.delete(candidate);
      this.caches.delete(candidate);
      this.evictions.push(candidate);
    }
    this.contexts.add(key);
  }

  private slotCache(key: string, slot: number): number[] {
    let slots = this.caches.get(key);
    if (!slots) {
      slots = Array.from({ length: this.slots }, () => []);
      this.caches.set(key, slots);
    }
    return slots[slot];
  }
}

function promptText(prompt: PromptInput): string {
  if (prompt.kind === "text") return prompt.text;
  if (prompt.kind === "infill") return `${prompt.prefix}${prompt.prompt}${prompt.suffix}`;
  if (prompt.kind === "tokens") return prompt.tokens.join(" ");
  return prompt.messages.map((message) => message.content).join("\n");
}

function expectCommand<Kind extends string>(
  id: string,
  command: { kind: string } | undefined,
  kind: Kind,
): asserts command is { kind: Kind } {
  if (command?.kind !== kind)
    throw new Error(`scripted engine: generation '${id}' expected '${kind}', got '${command?.kind}'`);
}
