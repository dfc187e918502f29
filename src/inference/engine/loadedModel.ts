// One GGUF model in memory: its contexts (one per LoRA configuration), prompt rendering,
// grammar compilation, tokenization, embeddings and reranking.
import path from "node:path";
import {
  GgufFileType,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  type LlamaModel,
  type LlamaRankingContext,
  type Token,
} from "node-llama-cpp";
import { InvalidInputError } from "../../errors.js";
import { ChatFormat, type ChatFormatInfo } from "../chat/chatFormat.js";
import { jsonSchemaGrammar } from "../grammar/index.js";
import type { PreparedRequest, ScheduledModel } from "../scheduler/scheduledModel.js";
import type { GenerationRequest, LoraSelection, OutputConstraint } from "../types.js";
import { ContextDecoder } from "./contextDecoder.js";
import { ContextStepGate } from "./contextStepGate.js";
import { prepareRequest } from "./prepareRequest.js";
import { addBos, addEos } from "./specialTokens.js";
import { tokenPieceBytes } from "./tokenPieceBytes.js";

export interface ModelSpec {
  id: string;
  path: string;
  /** LoRA adapters that requests may select by name. */
  adapters: ReadonlyMap<string, string>;
  /** Other names requests may select this model by (--model-alias). */
  aliases?: readonly string[];
}

export interface ContextSettings {
  /** Parallel sequences (slots) per model. */
  slots: number;
  /** Tokens per slot. */
  contextSize: number;
  /** llama.cpp threads per context. */
  threads: number;
  batchSize: number;
}

export interface ModelInfo {
  id: string;
  path: string;
  contextSize: number;
  trainContextSize: number;
  chatTemplate: string;
  chatFormat: ChatFormatInfo;
  adapters: string[];
  aliases: string[];
  sizeBytes: number;
  embeddingSize: number;
  /** The GGUF's `general.architecture` (llama, qwen2…); "" when unknown (a remote model). */
  architecture: string;
  /** The weights' parameter count; 0 when unknown. */
  parameterCount: number;
  /** How most weights are stored (Q8_0, Q4_K_M, F16…), from the GGUF's file type; "" when unknown. */
  quantization: string;
}

/** Keeps LoRA contexts for this many distinct adapter configurations before evicting idle ones. */
const MAX_LORA_CONTEXTS = 4;
const BASE_CONTEXT = "";

interface SlotContext {
  context: LlamaContext;
  /** Slot i's sequence. */
  sequences: LlamaContextSequence[];
}

export class LoadedModel implements ScheduledModel {
  /** Context key ("" for the base model, else the active adapters) → the context and its slot sequences. */
  private readonly contexts = new Map<string, Promise<SlotContext>>();
  /** The same contexts once created, for synchronous reads of slot caches. */
  private readonly readyContexts = new Map<string, SlotContext>();
  /**
   * Per context: the gate that decides when its generations ask for their next token (see
   * ContextStepGate) and the decoder they run on (see ContextDecoder).
   */
  private readonly stepping = new WeakMap<LlamaContext, { gate: ContextStepGate; decoder: ContextDecoder }>();
  private embeddingContext?: Promise<LlamaEmbeddingContext>;
  private embeddingQueue: Promise<unknown> = Promise.resolve();
  private rankingContext?: Promise<LlamaRankingContext>;
  private rankingQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly spec: ModelSpec,
    readonly llama: Llama,
    readonly model: LlamaModel,
    readonly chatFormat: ChatFormat,
    private readonly settings: ContextSettings,
  ) {}

  static async load(llama: Llama, spec: ModelSpec, settings: ContextSettings): Promise<LoadedModel> {
    const model = await llama.loadModel({ modelPath: spec.path });
    const loaded = new LoadedModel(spec, llama, model, ChatFormat.resolve(model), settings);
    await loaded.contextFor(BASE_CONTEXT);
    return loaded;
  }

  get id(): string {
    return this.spec.id;
  }

  get slots(): number {
    return this.settings.slots;
  }

  get vocabularySize(): number {
    return this.model.fileInfo.metadata.tokenizer.ggml.tokens.length;
  }

  get contextSize(): number {
    return this.settings.contextSize;
  }

  private eogTokens?: readonly Token[];

  /**
   * The model's end-of-generation tokens: EOS, EOT and the rest llama.cpp counts as EOG. Found on
   * first use by asking of every token (79 ms for a 152k-token vocabulary), then kept.
   */
  endOfGenerationTokens(): readonly Token[] {
    this.eogTokens ??= Array.from({ length: this.vocabularySize }, (_, token) => token as Token).filter(
      (token) => this.model.isEogToken(token),
    );
    return this.eogTokens;
  }

  info(): ModelInfo {
    return {
      id: this.spec.id,
      path: path.resolve(this.spec.path),
      contextSize: this.settings.contextSize,
      trainContextSize: this.model.trainContextSize,
      chatTemplate: this.chatFormat.syntax.wrapperName,
      chatFormat: this.chatFormat.info(),
      adapters: [...this.spec.adapters.keys()],
      aliases: [...(this.spec.aliases ?? [])],
      sizeBytes: this.model.size,
      embeddingSize: this.model.embeddingVectorSize,
      architecture: this.model.fileInfo.metadata.general.architecture,
      parameterCount: this.model.fileInsights.totalParameters,
      quantization: fileTypeName(this.model.fileInfo.metadata.general.file_type),
    };
  }

  /** A text prompt's tokens, BOS first where the model wants one. */
  textPromptTokens(text: string): Token[] {
    return addBos(this.model, this.model.tokenize(text, false));
  }

  /**
   * `addSpecialTokens`: add BOS / EOS where the model's tokenizer says to (llama.cpp's
   * `add_special`), as a prompt is evaluated.
   */
  tokenize(text: string, withSpecialTokens: boolean, addSpecialTokens = false): Token[] {
    const tokens = this.model.tokenize(text, withSpecialTokens);
    return addSpecialTokens ? addEos(this.model, addBos(this.model, tokens)) : tokens;
  }

  detokenize(tokens: readonly Token[], withSpecialTokens: boolean): string {
    return this.model.detokenize(tokens, withSpecialTokens);
  }

  /** A token's text as it reads after `context` (which decides, e.g., whether a leading space shows). */
  tokenText(token: Token, context: readonly Token[] = []): string {
    return this.model.detokenize([token], true, context.length ? [...context] : undefined);
  }

  /** A token's piece as raw bytes, its leading space kept: may be part of a UTF-8 character (byte fallback). */
  tokenBytes(token: Token): Uint8Array {
    return tokenPieceBytes(this.model, token);
  }

  /** Token ids as the model's tokens; an id outside the vocabulary is an InvalidInputError at `field.<index>`. */
  checkedTokens(ids: readonly number[], field: string): Token[] {
    const invalid = ids.findIndex((id) => !this.isValidToken(id));
    if (invalid >= 0)
      throw new InvalidInputError(
        `${field}.${invalid}`,
        `Unknown token id ${ids[invalid]} (the vocabulary has ${this.vocabularySize})`,
      );
    return ids as Token[];
  }

  isValidToken(token: number): boolean {
    return Number.isInteger(token) && token >= 0 && token < this.vocabularySize;
  }

  /**
   * Normalizes a LoRA selection into a context key: unknown names are an input error, and
   * adapters with scale 0 are dropped since they leave the base model unchanged.
   */
  loraContextKey(selection: readonly LoraSelection[]): string {
    const active = new Map<string, number>();
    for (const { name, scale } of selection) {
      if (!this.spec.adapters.has(name)) {
        const known = [...this.spec.adapters.keys()];
        throw new InvalidInputError(
          "lora",
          `Unknown LoRA adapter '${name}' for model '${this.id}'` +
            (known.length ? ` (available: ${known.join(", ")})` : " (it has none)"),
        );
      }
      if (scale !== 0) active.set(name, scale);
    }
    return [...active.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, scale]) => `${name}@${scale}`)
      .join(",");
  }

  /** Renders the prompt, tokenizes it and compiles its grammars (see prepareGeneration). */
  prepare(request: GenerationRequest): Promise<PreparedRequest> {
    return prepareRequest(this, request);
  }

  /** Cached tokens of a slot in a context, without creating the context. */
  cachedTokens(contextKey: string, slot: number): readonly Token[] {
    return this.readyContexts.get(contextKey)?.sequences[slot].contextTokens ?? [];
  }

  /** The sequence of a slot in the context for a LoRA configuration, creating that context on first use. */
  async sequence(
    contextKey: string,
    slot: number,
    busyContextKeys: () => ReadonlySet<string>,
  ): Promise<LlamaContextSequence> {
    if (!this.contexts.has(contextKey)) await this.evictIdleLoraContexts(busyContextKeys());
    return (await this.contextFor(contextKey)).sequences[slot];
  }

  /** The step gate of the context `sequence` belongs to (see ContextStepGate). */
  stepGate(sequence: LlamaContextSequence): ContextStepGate {
    return this.steppingOf(sequence.context).gate;
  }

  /** The decoder of the context `sequence` belongs to (see ContextDecoder). */
  contextDecoder(sequence: LlamaContextSequence): ContextDecoder {
    return this.steppingOf(sequence.context).decoder;
  }

  private steppingOf(context: LlamaContext): { gate: ContextStepGate; decoder: ContextDecoder } {
    let stepping = this.stepping.get(context);
    if (!stepping) {
      stepping = { gate: new ContextStepGate(), decoder: new ContextDecoder(this.llama, context) };
      this.stepping.set(context, stepping);
    }
    return stepping;
  }

  /** Compiles a grammar the server built (not a client's: those go through compileConstraint). */
  compileGrammar(grammar: string): Promise<LlamaGrammar> {
    return this.llama.createGrammar({ grammar });
  }

  async compileConstraint(constraint: OutputConstraint): Promise<LlamaGrammar> {
    try {
      if (constraint.kind === "gbnf") return await this.llama.createGrammar({ grammar: constraint.grammar });
      // Any JSON object is the schema {"type": "object"}: node-llama-cpp's own "json" grammar is a
      // file it finds only beside its prebuilt binaries or a full llama.cpp clone, and a local build
      // restored from inferql's engine cache has neither.
      const schema = constraint.kind === "anyJson" ? { type: "object" } : constraint.schema;
      return await this.llama.createGrammar({ grammar: jsonSchemaGrammar(schema) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const what = constraint.kind === "gbnf" ? "GBNF grammar" : "JSON schema";
      // The message names the problem only; grammar internals stay in the server log.
      throw new InvalidInputError(constraint.field, `Invalid ${what}: ${reason}`);
    }
  }

  /**
   * One vector per input: a text, or token ids the caller has checked with isValidToken. An input
   * longer than the context is refused, or with `truncate` cut to the context's length.
   */
  async embed(
    inputs: readonly (string | readonly Token[])[],
    truncate = false,
  ): Promise<{ vectors: number[][]; promptTokens: number }> {
    const run = this.embeddingQueue.then(async () => {
      const context = await this.embeddingContextOnce();
      const vectors: number[][] = [];
      let promptTokens = 0;
      for (const input of inputs) {
        const whole = typeof input === "string" ? this.model.tokenize(input, false) : [...input];
        const tokens = truncate ? this.fitEmbeddingInput(context, whole) : whole;
        if (tokens.length === 0) throw new InvalidInputError("input", "Embedding input must not be empty");
        if (embeddingInputLength(context, tokens) >= this.settings.contextSize)
          throw new InvalidInputError(
            "input",
            `Embedding input is ${tokens.length} tokens, over what the context of ${this.settings.contextSize} holds with the model's special tokens`,
          );
        promptTokens += tokens.length;
        vectors.push([...(await context.getEmbeddingFor(tokens)).vector]);
      }
      return { vectors, promptTokens };
    });
    this.embeddingQueue = run.catch(() => undefined);
    return run;
  }

  /** The longest start of `tokens` the embedding context takes (see embeddingInputLength). */
  private fitEmbeddingInput(context: LlamaEmbeddingContext, tokens: Token[]): Token[] {
    let fitted = tokens.slice(0, this.settings.contextSize);
    while (fitted.length > 0 && embeddingInputLength(context, fitted) >= this.settings.contextSize)
      fitted = fitted.slice(
        0,
        this.settings.contextSize - 1 - (embeddingInputLength(context, fitted) - fitted.length),
      );
    return fitted;
  }

  /** Whether the model has a ranking head (a reranker such as Qwen3-Reranker or bge-reranker). */
  get canRank(): boolean {
    return this.model.fileInsights.supportsRanking;
  }

  /**
   * Each document's relevance to the query, in [0, 1], in the documents' order; `promptTokens` counts the tokens
   * evaluated (query and document together, once per document). Only for a model that `canRank`.
   */
  async rank(
    query: string,
    documents: readonly string[],
  ): Promise<{ scores: number[]; promptTokens: number }> {
    const run = this.rankingQueue.then(async () => {
      const context = await this.rankingContextOnce();
      let promptTokens = 0;
      for (const [index, document] of documents.entries()) {
        const tokens = context.calculateInputLength(query, document);
        // node-llama-cpp needs one free cell past the input
        if (tokens >= this.settings.contextSize)
          throw new InvalidInputError(
            `documents.${index}`,
            `Query and document are ${tokens} tokens, over the context size of ${this.settings.contextSize}`,
          );
        promptTokens += tokens;
      }
      const scores = await context.rankAll(query, [...documents]);
      return { scores, promptTokens };
    });
    this.rankingQueue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }

  private contextFor(key: string): Promise<SlotContext> {
    let context = this.contexts.get(key);
    if (!context) {
      context = this.createContext(key);
      this.contexts.set(key, context);
      context.catch(() => this.contexts.delete(key));
    }
    return context;
  }

  private async createContext(key: string): Promise<SlotContext> {
    const adapters = key
      ? key.split(",").map((entry) => {
          const [name, scale] = entry.split("@");
          return { filePath: this.spec.adapters.get(name)!, scale: Number(scale) };
        })
      : [];
    const context = await this.model.createContext({
      sequences: this.settings.slots,
      contextSize: this.settings.contextSize,
      threads: this.settings.threads,
      batchSize: this.settings.batchSize,
      ...(adapters.length ? { lora: { adapters } } : {}),
    });
    // Taken once, so a slot index always maps to the same sequence and its KV cache.
    const sequences = Array.from({ length: this.settings.slots }, () => context.getSequence());
    const slotContext = { context, sequences };
    this.readyContexts.set(key, slotContext);
    return slotContext;
  }

  private async evictIdleLoraContexts(busy: ReadonlySet<string>): Promise<void> {
    const loraKeys = [...this.contexts.keys()].filter((key) => key !== BASE_CONTEXT);
    let kept = loraKeys.length;
    // Oldest first (the map keeps creation order); a busy context is never evicted.
    for (const key of loraKeys) {
      if (kept < MAX_LORA_CONTEXTS) return;
      if (busy.has(key)) continue;
      const context = this.contexts.get(key)!;
      this.contexts.delete(key);
      this.readyContexts.delete(key);
      kept--;
      await (await context).context.dispose();
    }
  }

  private embeddingContextOnce(): Promise<LlamaEmbeddingContext> {
    this.embeddingContext ??= this.model.createEmbeddingContext({
      contextSize: this.settings.contextSize,
      threads: this.settings.threads,
    });
    return this.embeddingContext;
  }

  private rankingContextOnce(): Promise<LlamaRankingContext> {
    this.rankingContext ??= this.model.createRankingContext({
      contextSize: this.settings.contextSize,
      threads: this.settings.threads,
    });
    return this.rankingContext;
  }
}

/** A GGUF file type as llama.cpp names quantizations: MOSTLY_Q4_K_M → Q4_K_M, ALL_F32 → F32. */
function fileTypeName(fileType: GgufFileType | undefined): string {
  if (fileType === undefined) return "";
  return (GgufFileType[fileType] ?? "").replace(/^(MOSTLY|ALL)_/, "");
}

/**
 * What node-llama-cpp evaluates for an embedding input: with the model's BOS and EOS added where it
 * adds them; it refuses an input that does not leave one cell of the context free. (It prepends to the
 * array it measures, so it measures a copy.)
 */
function embeddingInputLength(context: LlamaEmbeddingContext, tokens: readonly Token[]): number {
  return context.calculateInputLength([...tokens]);
}
