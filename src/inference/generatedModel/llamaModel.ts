// Writes a seeded random-weight LLaMA-architecture GGUF model with an SPM vocab and a ChatML chat template, or a
// "chat family" fixture: another architecture, a real model's template and special tokens, and scripted answers.

import {
  GGUF_ALIGNMENT,
  type GgmlTensorType,
  type GgufMetadataEntry,
  type GgufTensorSpec,
  tensorElementCount,
  writeGguf,
} from "../gguf/ggufWriter.js";
import { fillUniform } from "../gguf/seededRandom.js";
import { missingScriptTokens, planScriptedWeights, type ScriptedAnswers } from "./scriptedAnswers.js";
import {
  BYTE_TOKEN_OFFSET,
  buildSpmVocab,
  type ExtraVocabToken,
  SpecialTokenId,
  TokenType,
} from "./vocab.js";

/** ChatML, the template llama.cpp and node-llama-cpp recognise; stored in `tokenizer.chat_template`. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/**
 * llama.cpp architectures the generator writes: qwen2 adds q/k/v biases and qwen3 per-head q/k norms (what llama.cpp
 * loads for them); node-llama-cpp keys some chat wrappers on the architecture.
 */
export type GeneratedModelArchitecture = "llama" | "qwen2" | "qwen3";
const ARCHITECTURES: readonly GeneratedModelArchitecture[] = ["llama", "qwen2", "qwen3"];

export interface GeneratedModelOptions {
  /** `general.architecture`, and the prefix of the hyperparameter keys. Default "llama". */
  architecture: GeneratedModelArchitecture;
  /** Embedding width. Default 64. */
  nEmbd: number;
  /** Transformer blocks. Default 2. */
  nLayer: number;
  /** Attention heads; must divide nEmbd. Default 4. */
  nHead: number;
  /** Key/value heads (GQA); must divide nHead. Default 4. */
  nHeadKv: number;
  /** Feed-forward width. Default 256. */
  nFf: number;
  /** Trained context length written to the metadata. Default 2048. */
  contextLength: number;
  /** Minimum vocab size: filler pieces pad the vocab up to it; 0 keeps the natural size (~900). Default 0. */
  nVocab: number;
  /** Weight matrix type (norms stay f32; a q8_0 matrix whose rows are not a multiple of 32 falls back to f16). Default "f32". */
  tensorType: GgmlTensorType;
  /** Weight seed. Default 42. */
  seed: number;
  /** Standard deviation of the uniform random weights. Default 0.02. */
  std: number;
  /** Standard deviation of output.weight; defaults to `std`. */
  outStd?: number;
  /**
   * Approximate logit offset of the end-of-generation tokens (</s>, <|im_end|>). Default 0 (no offset).
   * Negative (e.g. -30): the model almost never ends; positive (e.g. +6): it ends almost at once.
   * Any non-zero value also keeps the output readable: byte tokens >= 0x80 and < 0x20, <unk>, <s> and
   * <|im_start|> get a -30 offset, so the model emits valid UTF-8 word salad without control characters.
   */
  eogBias: number;
  /** `general.name`. Default "tiny-random-llama". */
  name: string;
  /** `general.basename` (written only when set), e.g. "Qwen2.5" as in the real model's file. */
  basename?: string;
  /** `tokenizer.chat_template`. Default ChatML (`CHATML_TEMPLATE`). */
  chatTemplate?: string;
  /** Control tokens appended to the vocab: single tokens where special text is parsed. Default none. */
  controlTokens: readonly string[];
  /** User-defined tokens appended to the vocab: single tokens in any text. Default none. */
  userDefinedTokens: readonly string[];
  /** BOS token by its text (added as a control token when missing). Default `<s>`. */
  bosToken?: string;
  /** EOS token by its text (added as a control token when missing). Default `</s>`. */
  eosToken?: string;
  /** EOT token by its text (added as a control token when missing); written only when set. */
  eotToken?: string;
  /**
   * More special-token ids, each `tokenizer.ggml.<key>` → the token's text (which must be in the vocab), e.g.
   * `{ fim_pre_token_id: "<|fim_prefix|>" }` for a fill-in-the-middle model. Written only when set. Default none.
   */
  specialTokenIds?: Readonly<Record<string, string>>;
  /** `tokenizer.ggml.add_bos_token`. Default true. */
  addBosToken: boolean;
  /**
   * `tokenizer.ggml.add_space_prefix` (written only when set). llama.cpp's SPM tokenizer defaults to true: a space
   * before the text and after every special token, as Llama 2. False tokenizes like the BPE families (Qwen, Llama 3).
   */
  addSpacePrefix?: boolean;
  /**
   * Scripted answers instead of random weights (see `ScriptedAnswers`); their missing tokens are appended to the
   * vocab as user-defined tokens. Needs nHeadKv = nHead, eogBias 0, and nEmbd/nFf as large as the plan says.
   */
  script?: ScriptedAnswers;
  /**
   * A Qwen3-Reranker-like ranking head (qwen3 only): `cls.output.weight` with one row per classifier label
   * ("yes", "no", as llama.cpp's converter writes them), `qwen3.classifier.output_labels` and `qwen3.pooling_type`
   * RANK. llama.cpp softmaxes the head's output for qwen3, so a single label would always score 1; with two, the
   * score is P("yes"). Default none.
   */
  rankingHead?: boolean;
  /** RoPE frequency base. Default 10000. */
  ropeFreqBase: number;
  /** RMSNorm epsilon. Default 1e-5. */
  rmsNormEps: number;
}

export const DEFAULT_MODEL_OPTIONS: Readonly<GeneratedModelOptions> = {
  architecture: "llama",
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 4,
  nFf: 256,
  contextLength: 2048,
  nVocab: 0,
  tensorType: "f32",
  seed: 42,
  std: 0.02,
  eogBias: 0,
  name: "tiny-random-llama",
  ropeFreqBase: 10000,
  rmsNormEps: 1e-5,
  controlTokens: [],
  userDefinedTokens: [],
  addBosToken: true,
};

export interface GeneratedModelResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Total number of weights, norms included. */
  params: number;
  nVocab: number;
  tensorCount: number;
  /** For a scripted model: its answers, the dims and FFN units used, and the answer steps checked. */
  script?: { answers: number; dims: number; units: number; stepsChecked: number };
}

/** The logit offset given to tokens that would make the output unreadable. */
const SUPPRESSED_LOGIT = -30;
/** llama.cpp's LLAMA_FTYPE_* for `general.file_type`. */
const FILE_TYPE: Record<GgmlTensorType, number> = { f32: 0, f16: 1, q8_0: 7 };
/** A ranking head's classifier labels; the score is the softmax probability of the first. */
const RANKING_LABELS = ["yes", "no"];
/** llama.cpp's LLAMA_POOLING_TYPE_RANK. */
const POOLING_TYPE_RANK = 4;
/** Spread of the ranking head's weights: wide enough that random documents get visibly different scores. */
const RANKING_HEAD_STD = 0.5;

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${value}`);
}

/** Fills in defaults and checks that the dimensions make a valid LLaMA model. */
export function resolveModelOptions(options: Partial<GeneratedModelOptions> = {}): GeneratedModelOptions {
  const o: GeneratedModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...options };
  for (const key of ["nEmbd", "nLayer", "nHead", "nHeadKv", "nFf", "contextLength"] as const) {
    assertPositiveInteger(key, o[key]);
  }
  if (!Number.isSafeInteger(o.nVocab) || o.nVocab < 0)
    throw new Error(`nVocab must be >= 0, got ${o.nVocab}`);
  if (o.nEmbd % o.nHead !== 0) throw new Error("nEmbd must be divisible by nHead");
  if (o.nHead % o.nHeadKv !== 0) throw new Error("nHead must be divisible by nHeadKv");
  if (!Number.isSafeInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    throw new Error(`seed must be an integer in [0, 2^32), got ${o.seed}`);
  }
  if (!Number.isFinite(o.eogBias)) throw new Error("eogBias must be finite");
  if (!ARCHITECTURES.includes(o.architecture)) throw new Error(`unknown architecture ${o.architecture}`);
  if (o.script && o.eogBias !== 0) throw new Error("a script sets output.weight itself: eogBias must be 0");
  if (o.script && o.nHeadKv !== o.nHead) throw new Error("a script needs nHeadKv equal to nHead");
  if (o.rankingHead && o.architecture !== "qwen3")
    throw new Error("a ranking head needs the qwen3 architecture");
  return o;
}

/**
 * The vocab additions: control tokens, user-defined tokens, and any BOS/EOS/EOT text not listed there (as a control
 * token); then the script's missing selectors and answer texts (as user-defined tokens).
 */
function extraVocabTokens(o: GeneratedModelOptions): ExtraVocabToken[] {
  const extra: ExtraVocabToken[] = [
    ...o.controlTokens.map((text) => ({ text, type: TokenType.control })),
    ...o.userDefinedTokens.map((text) => ({ text, type: TokenType.userDefined })),
  ];
  for (const text of [o.bosToken, o.eosToken, o.eotToken]) {
    if (text !== undefined && !extra.some((t) => t.text === text))
      extra.push({ text, type: TokenType.control });
  }
  if (o.script) {
    const tokens = new Set(buildSpmVocab(o.nVocab, extra).tokens);
    for (const text of missingScriptTokens(o.script, tokens))
      extra.push({ text, type: TokenType.userDefined });
  }
  return extra;
}

/** Writes the model to `outPath` (atomically) and describes it. Same options → byte-identical file. */
export function writeGeneratedModel(
  outPath: string,
  options: Partial<GeneratedModelOptions> = {},
): GeneratedModelResult {
  const o = resolveModelOptions(options);
  const headDim = o.nEmbd / o.nHead;
  const nEmbdKv = headDim * o.nHeadKv;
  const extra = extraVocabTokens(o);
  const vocab = buildSpmVocab(o.nVocab, extra);
  const nVocab = vocab.tokens.length;
  const idOf = (text: string): number => {
    const id = vocab.ids.get(text);
    if (id === undefined) throw new Error(`token ${JSON.stringify(text)} is not in the vocab`);
    return id;
  };
  const bos = o.bosToken === undefined ? SpecialTokenId.bos : idOf(o.bosToken);
  const eos = o.eosToken === undefined ? SpecialTokenId.eos : idOf(o.eosToken);
  const eot = o.eotToken === undefined ? undefined : idOf(o.eotToken);
  const eogTokens = [
    ...new Set([SpecialTokenId.eos, SpecialTokenId.imEnd, eos, ...(eot === undefined ? [] : [eot])]),
  ];
  // With eogBias: the added tokens that do not end a turn, and a BOS named by its text, are never sampled.
  const quietTokens = [...new Set([bos, ...extra.map((t) => idOf(t.text))])].filter(
    (t) => t !== SpecialTokenId.bos && !eogTokens.includes(t),
  );
  const script = o.script && planScriptedWeights(o.script, vocab, o.nEmbd, o.nFf, o.rmsNormEps);

  const tensors: GgufTensorSpec[] = [];
  const matrix = (name: string, shape: number[], std = o.std, post?: (data: Float32Array) => void): void => {
    const type = o.tensorType === "q8_0" && shape[0] % 32 !== 0 ? "f16" : o.tensorType;
    tensors.push({
      name,
      shape,
      type,
      fill: script
        ? script.fillerOf(name)
        : (data) => {
            fillUniform(data, o.seed, name, std);
            post?.(data);
          },
    });
  };
  const norm = (name: string, shape: number[]): void => {
    tensors.push({ name, shape, type: "f32", fill: (data) => data.fill(1) });
  };

  // The bias channel: dimension 0 of every token embedding is 1.0, which dominates RMSNorm and comes out of the
  // final norm as ~sqrt(nEmbd). Row t of output.weight then adds (its dim-0 weight × sqrt(nEmbd)) to token t's logit,
  // so writing offset/sqrt(nEmbd) there shifts that token's logit by ~offset regardless of the input.
  const biasChannel = o.eogBias !== 0;
  const channelWeight = (logitOffset: number): number => logitOffset / Math.sqrt(o.nEmbd);
  const embedBiasChannel = (data: Float32Array): void => {
    for (let t = 0; t < nVocab; t++) data[t * o.nEmbd] = 1;
  };
  const outputBiasChannel = (data: Float32Array): void => {
    const setOffset = (token: number, offset: number): void => {
      data[token * o.nEmbd] = channelWeight(offset);
    };
    for (let t = 0; t < nVocab; t++) setOffset(t, 0);
    for (const t of eogTokens) setOffset(t, o.eogBias);
    // Readability: lone bytes >= 0x80 are invalid UTF-8 and bytes < 0x20 are control characters.
    for (let b = 0x80; b < 0x100; b++) setOffset(BYTE_TOKEN_OFFSET + b, SUPPRESSED_LOGIT);
    for (let b = 0; b < 0x20; b++) setOffset(BYTE_TOKEN_OFFSET + b, SUPPRESSED_LOGIT);
    for (const t of [SpecialTokenId.unk, SpecialTokenId.bos, SpecialTokenId.imStart, ...quietTokens])
      setOffset(t, SUPPRESSED_LOGIT);
  };

  matrix("token_embd.weight", [o.nEmbd, nVocab], o.std, biasChannel ? embedBiasChannel : undefined);
  norm("output_norm.weight", [o.nEmbd]);
  matrix("output.weight", [o.nEmbd, nVocab], o.outStd ?? o.std, biasChannel ? outputBiasChannel : undefined);
  for (let i = 0; i < o.nLayer; i++) {
    norm(`blk.${i}.attn_norm.weight`, [o.nEmbd]);
    matrix(`blk.${i}.attn_q.weight`, [o.nEmbd, o.nEmbd]);
    matrix(`blk.${i}.attn_k.weight`, [o.nEmbd, nEmbdKv]);
    matrix(`blk.${i}.attn_v.weight`, [o.nEmbd, nEmbdKv]);
    if (o.architecture === "qwen2") {
      for (const [projection, width] of [
        ["q", o.nEmbd],
        ["k", nEmbdKv],
        ["v", nEmbdKv],
      ] as const) {
        const name = `blk.${i}.attn_${projection}.bias`;
        // zero in a scripted model, so attention stays uniform
        tensors.push({
          name,
          shape: [width],
          type: "f32",
          fill: script ? () => {} : (data) => fillUniform(data, o.seed, name, o.std),
        });
      }
    }
    if (o.architecture === "qwen3") {
      norm(`blk.${i}.attn_q_norm.weight`, [headDim]);
      norm(`blk.${i}.attn_k_norm.weight`, [headDim]);
    }
    matrix(`blk.${i}.attn_output.weight`, [o.nEmbd, o.nEmbd]);
    norm(`blk.${i}.ffn_norm.weight`, [o.nEmbd]);
    matrix(`blk.${i}.ffn_gate.weight`, [o.nEmbd, o.nFf]);
    matrix(`blk.${i}.ffn_up.weight`, [o.nEmbd, o.nFf]);
    matrix(`blk.${i}.ffn_down.weight`, [o.nFf, o.nEmbd]);
  }
  if (o.rankingHead) matrix("cls.output.weight", [o.nEmbd, RANKING_LABELS.length], RANKING_HEAD_STD);

  const arch = o.architecture; // the key prefix of the hyperparameters
  const optional = (entry: GgufMetadataEntry | undefined): GgufMetadataEntry[] => (entry ? [entry] : []);
  const metadata: GgufMetadataEntry[] = [
    { key: "general.architecture", type: "string", value: arch },
    { key: "general.type", type: "string", value: "model" },
    { key: "general.name", type: "string", value: o.name },
    ...optional(
      o.basename === undefined ? undefined : { key: "general.basename", type: "string", value: o.basename },
    ),
    { key: "general.alignment", type: "u32", value: GGUF_ALIGNMENT },
    { key: "general.file_type", type: "u32", value: FILE_TYPE[o.tensorType] },
    ...(o.tensorType === "q8_0"
      ? [{ key: "general.quantization_version", type: "u32", value: 2 } satisfies GgufMetadataEntry]
      : []),
    { key: `${arch}.vocab_size`, type: "u32", value: nVocab },
    { key: `${arch}.context_length`, type: "u32", value: o.contextLength },
    { key: `${arch}.embedding_length`, type: "u32", value: o.nEmbd },
    { key: `${arch}.block_count`, type: "u32", value: o.nLayer },
    { key: `${arch}.feed_forward_length`, type: "u32", value: o.nFf },
    { key: `${arch}.attention.head_count`, type: "u32", value: o.nHead },
    { key: `${arch}.attention.head_count_kv`, type: "u32", value: o.nHeadKv },
    { key: `${arch}.rope.dimension_count`, type: "u32", value: headDim },
    { key: `${arch}.rope.freq_base`, type: "f32", value: o.ropeFreqBase },
    { key: `${arch}.attention.layer_norm_rms_epsilon`, type: "f32", value: o.rmsNormEps },
    ...(o.rankingHead
      ? ([
          { key: `${arch}.pooling_type`, type: "u32", value: POOLING_TYPE_RANK },
          {
            key: `${arch}.classifier.output_labels`,
            type: "array",
            itemType: "string",
            value: RANKING_LABELS,
          },
        ] satisfies GgufMetadataEntry[])
      : []),
    { key: "tokenizer.ggml.model", type: "string", value: "llama" },
    { key: "tokenizer.ggml.tokens", type: "array", itemType: "string", value: vocab.tokens },
    { key: "tokenizer.ggml.scores", type: "array", itemType: "f32", value: vocab.scores },
    { key: "tokenizer.ggml.token_type", type: "array", itemType: "i32", value: vocab.types },
    { key: "tokenizer.ggml.bos_token_id", type: "u32", value: bos },
    { key: "tokenizer.ggml.eos_token_id", type: "u32", value: eos },
    ...optional(
      eot === undefined ? undefined : { key: "tokenizer.ggml.eot_token_id", type: "u32", value: eot },
    ),
    ...Object.entries(o.specialTokenIds ?? {}).map(
      ([key, text]): GgufMetadataEntry => ({ key: `tokenizer.ggml.${key}`, type: "u32", value: idOf(text) }),
    ),
    { key: "tokenizer.ggml.unknown_token_id", type: "u32", value: SpecialTokenId.unk },
    { key: "tokenizer.ggml.padding_token_id", type: "u32", value: SpecialTokenId.unk },
    { key: "tokenizer.ggml.add_bos_token", type: "bool", value: o.addBosToken },
    { key: "tokenizer.ggml.add_eos_token", type: "bool", value: false },
    ...optional(
      o.addSpacePrefix === undefined
        ? undefined
        : { key: "tokenizer.ggml.add_space_prefix", type: "bool", value: o.addSpacePrefix },
    ),
    { key: "tokenizer.chat_template", type: "string", value: o.chatTemplate ?? CHATML_TEMPLATE },
  ];

  const written = writeGguf(outPath, metadata, tensors);
  return {
    path: outPath,
    bytes: written.bytes,
    sha256: written.sha256,
    params: tensors.reduce((sum, t) => sum + tensorElementCount(t.shape), 0),
    nVocab,
    tensorCount: tensors.length,
    ...(script
      ? {
          script: {
            answers: script.answers,
            dims: script.dims,
            units: script.units,
            stepsChecked: script.stepsChecked,
          },
        }
      : {}),
  };
}
