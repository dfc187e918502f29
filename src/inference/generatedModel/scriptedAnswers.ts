// Designed weights that make a generated model answer fixed token sequences at temperature 0 (test fixtures).
//
// One layer does it. Token embeddings are one-hot: an "id" dim for each token an answer can follow, and a "seen" dim
// for selectors and markers. Attention is uniform (q = k = 0) and its v/o copy only the seen dims, so the last
// position holds its own token plus the seen flags of the whole context (diluted by 1/N, scaled back by the gain).
// output.weight scores a token bigram·[it follows the last token] + answer·[it belongs to the selected answer].
// A token t that repeats within an answer with another successor: the first successor gets a little more, and each
// later one is picked by an FFN unit silu(unitGain·[last is t])·[marker seen] (zero unless both), weighted ±marker.
// A token that follows t in another answer and also belongs to this one would tie the same way: t's successor in
// this answer gets the little more.
import type { SpmVocab } from "./vocab.js";

/** What a scripted model answers; every text is a token text of the vocab (missing ones become user-defined). */
export interface ScriptedAnswers {
  /** Tokens a generation prompt ends with: the first answer token follows any of them. */
  startTokens: readonly string[];
  /**
   * Selector → the answer's tokens, the last of which should end the turn. When the prompt contains the selector
   * (as a token: selectors become user-defined tokens) and ends with a start token, the model emits the answer.
   * A token followed by different tokens within one answer needs a marker token between its occurrences.
   */
  answers: Readonly<Record<string, readonly string[]>>;
  /**
   * The tokens allowed as markers: answer tokens that occur once in their answer and never in prompts (a marker in
   * the prompt changes the answer). Default: any token that occurs once in its answer.
   */
  markers?: readonly string[];
}

export interface ScriptedWeights {
  /** The filler of a tensor by name (a no-op for tensors the script leaves zero). */
  fillerOf(tensorName: string): (data: Float32Array) => void;
  /** Embedding dims used (nEmbd must be at least this). */
  dims: number;
  /** FFN units used (nFf must be at least this). */
  units: number;
  answers: number;
  /** Answer steps checked on the simulated forward pass. */
  stepsChecked: number;
}

const WEIGHT = {
  /** Logit weight of "follows the last token". */
  bigram: 8,
  /** Logit weight of "belongs to the selected answer". */
  answer: 8,
  /** Logit weight of a marker unit's choice. */
  marker: 8,
  /** Fraction of `bigram` that makes the first successor of a repeated token win the tie. */
  firstWins: 0.01,
  /** attn_output gain that undoes the 1/N dilution of uniform attention. */
  attentionGain: 50,
  /** ffn_gate weight on the "last is t" dim. */
  unitGain: 4,
} as const;
/** Extra context lengths the check runs every answer at (uniform attention dilutes the seen flags with length). */
const CHECK_FILLER_LENGTHS = [0, 8, 100, 1000, 16000];

/** The selectors and answer texts missing from `tokens`, in order: the vocab adds them as user-defined tokens. */
export function missingScriptTokens(script: ScriptedAnswers, tokens: ReadonlySet<string>): string[] {
  const missing: string[] = [];
  for (const [selector, answer] of Object.entries(script.answers)) {
    for (const text of [selector, ...answer]) {
      if (!tokens.has(text) && !missing.includes(text)) missing.push(text);
    }
  }
  return missing;
}

/** Sparse rows of a matrix: row → (column → weight). */
type SparseRows = Map<number, Map<number, number>>;

interface MarkerUnit {
  /** The repeated token (the unit fires when it is last). */
  token: number;
  /** The marker whose presence in the context selects the later successor. */
  marker: number;
  /** The embedding dim the unit writes to. */
  dim: number;
}

/**
 * Plans the weights of `script` over `vocab` and checks, on a simulated forward pass (the f32 computation llama.cpp
 * does), that every answer comes out at every step after every start token on contexts of 2 to ~16k tokens.
 * Throws when the dimensions are too small or an answer would not come out.
 */
export function planScriptedWeights(
  script: ScriptedAnswers,
  vocab: SpmVocab,
  nEmbd: number,
  nFf: number,
  rmsNormEps: number,
): ScriptedWeights {
  const idOf = (text: string, what: string): number => {
    const id = vocab.ids.get(text);
    if (id === undefined) throw new Error(`script: ${what} ${JSON.stringify(text)} is not in the vocab`);
    return id;
  };
  const nameOf = (token: number): string => JSON.stringify(vocab.tokens[token]);
  const starts = script.startTokens.map((text) => idOf(text, "start token"));
  if (starts.length === 0) throw new Error("script: no start tokens");
  const answers = Object.entries(script.answers).map(([selector, answer]) => ({
    selector: idOf(selector, "selector"),
    tokens: answer.map((text) => idOf(text, "answer token")),
  }));
  const allowedMarkers = script.markers && new Set(script.markers.map((text) => idOf(text, "marker")));

  let nextDim = 1; // dim 0 stays unused
  const idDims = new Map<number, number>();
  const seenDims = new Map<number, number>();
  const units: MarkerUnit[] = [];
  const idDimOf = (token: number): number => {
    const dim = idDims.get(token) ?? nextDim++;
    idDims.set(token, dim);
    return dim;
  };
  const seenDimOf = (token: number): number => {
    const dim = seenDims.get(token) ?? nextDim++;
    seenDims.set(token, dim);
    return dim;
  };
  const unitDimOf = (token: number, marker: number): number => {
    let unit = units.find((u) => u.token === token && u.marker === marker);
    if (!unit) {
      unit = { token, marker, dim: nextDim++ };
      units.push(unit);
    }
    return unit.dim;
  };
  const output: SparseRows = new Map(); // token → its output.weight row
  const addOutput = (token: number, dim: number, weight: number): void => {
    const row = output.get(token) ?? new Map<number, number>();
    output.set(token, row);
    row.set(dim, (row.get(dim) ?? 0) + weight);
  };
  const bigrams = new Set<string>();
  const addBigram = (last: number, next: number): void => {
    if (bigrams.has(`${last}>${next}`)) return;
    bigrams.add(`${last}>${next}`);
    addOutput(next, idDimOf(last), WEIGHT.bigram);
  };

  const successors = new Map<number, Set<number>>(); // token → what follows it in any answer
  const tieBreaks = new Set<string>();
  const addTieBreak = (last: number, next: number): void => {
    if (tieBreaks.has(`${last}>${next}`)) return;
    tieBreaks.add(`${last}>${next}`);
    addOutput(next, idDimOf(last), WEIGHT.bigram * WEIGHT.firstWins);
  };
  // Step k follows tokens[k - 1]; step 0 follows any start token (a start token inside the answer counts as one).
  const predecessorsIn =
    (tokens: readonly number[]) =>
    (k: number): number[] =>
      k === 0 ? starts : [tokens[k - 1]];

  for (const token of starts) idDimOf(token);
  for (const { tokens } of answers) {
    const predecessors = predecessorsIn(tokens);
    for (let k = 0; k < tokens.length; k++) {
      for (const last of predecessors(k)) {
        addBigram(last, tokens[k]);
        successors.set(last, (successors.get(last) ?? new Set()).add(tokens[k]));
      }
    }
  }
  for (const { selector, tokens } of answers) {
    const selectorDim = seenDimOf(selector);
    const inAnswer = new Set(tokens);
    for (const token of inAnswer) addOutput(token, selectorDim, WEIGHT.answer);
    const predecessors = predecessorsIn(tokens);
    const stepsAfter = new Map<number, number[]>(); // token → the steps it is followed at
    for (let k = 0; k < tokens.length; k++) {
      for (const last of predecessors(k)) stepsAfter.set(last, [...(stepsAfter.get(last) ?? []), k]);
    }
    // Another answer's successor of the same token that also belongs to this answer would tie: this one wins.
    for (const [last, steps] of stepsAfter) {
      const next = tokens[steps[0]];
      const rivals = [...(successors.get(last) ?? [])].filter((u) => u !== next && inAnswer.has(u));
      if (rivals.length > 0 && steps.every((k) => tokens[k] === next)) addTieBreak(last, next);
    }
    const occurrences = (token: number): number =>
      tokens.filter((t) => t === token).length + (starts.includes(token) ? 1 : 0);
    for (const [token, steps] of stepsAfter) {
      if (new Set(steps.map((k) => tokens[k])).size === 1) continue;
      addTieBreak(token, tokens[steps[0]]);
      for (let r = 1; r < steps.length; r++) {
        // emitted after occurrence r - 1 of the token and before occurrence r
        const between = tokens.slice(steps[r - 1], steps[r] - 1);
        const marker = between.find((t) => occurrences(t) === 1 && (allowedMarkers?.has(t) ?? true));
        if (marker === undefined) {
          throw new Error(
            `script: answer ${nameOf(selector)} repeats ${nameOf(token)} with no marker between its occurrences`,
          );
        }
        seenDimOf(marker);
        const dim = unitDimOf(token, marker);
        addOutput(tokens[steps[r]], dim, WEIGHT.marker);
        addOutput(tokens[steps[r - 1]], dim, -WEIGHT.marker);
      }
    }
    for (const token of tokens) idDimOf(token);
  }
  if (nextDim > nEmbd) throw new Error(`script: needs nEmbd >= ${nextDim}`);
  if (units.length > nFf) throw new Error(`script: needs nFf >= ${units.length}`);

  // The forward pass at the last position, for the check below.
  const embedding = (token: number): Float64Array => {
    const e = new Float64Array(nEmbd);
    const idDim = idDims.get(token);
    const seenDim = seenDims.get(token);
    if (idDim !== undefined) e[idDim] = 1;
    if (seenDim !== undefined) e[seenDim] = 1;
    return e;
  };
  const rmsNorm = (x: Float64Array): Float64Array => {
    let meanSquare = 0;
    for (const v of x) meanSquare += v * v;
    const scale = 1 / Math.sqrt(meanSquare / x.length + rmsNormEps);
    return x.map((v) => v * scale);
  };
  const silu = (v: number): number => v / (1 + Math.exp(-v));
  const dimOf = (dims: Map<number, number>, token: number): number => dims.get(token) ?? 0;
  /** seenCounts: seen-flagged token → its occurrences in a context of `length` tokens that ends with `last`. */
  const logits = (last: number, seenCounts: Map<number, number>, length: number): Map<number, number> => {
    const x = embedding(last);
    for (const [token, count] of seenCounts) {
      const dim = dimOf(seenDims, token);
      x[dim] += (WEIGHT.attentionGain * rmsNorm(embedding(token))[dim] * count) / length;
    }
    const h = rmsNorm(x);
    for (const unit of units) {
      x[unit.dim] += silu(WEIGHT.unitGain * h[dimOf(idDims, unit.token)]) * h[dimOf(seenDims, unit.marker)];
    }
    const normed = rmsNorm(x);
    const result = new Map<number, number>();
    for (const [token, row] of output) {
      let v = 0;
      for (const [dim, weight] of row) v += weight * normed[dim];
      result.set(token, v);
    }
    return result;
  };

  let stepsChecked = 0;
  for (const { selector, tokens } of answers) {
    for (const start of starts) {
      for (const filler of CHECK_FILLER_LENGTHS) {
        const context = [selector, start];
        for (let k = 0; k < tokens.length; k++) {
          const seenCounts = new Map<number, number>();
          for (const t of context) if (seenDims.has(t)) seenCounts.set(t, (seenCounts.get(t) ?? 0) + 1);
          const scores = logits(context[context.length - 1], seenCounts, context.length + filler);
          const wanted = scores.get(tokens[k]) ?? 0;
          let best = 0; // tokens without a row score 0
          for (const [token, v] of scores) if (token !== tokens[k]) best = Math.max(best, v);
          if (!(wanted > best + 1e-5 * Math.max(1, Math.abs(wanted)))) {
            throw new Error(
              `script: answer ${nameOf(selector)} would not emit ${nameOf(tokens[k])} at step ${k} (context ${context.length + filler})`,
            );
          }
          context.push(tokens[k]);
          stepsChecked++;
        }
      }
    }
  }

  // Tensor contents (ggml order: element [row][col] at row * ne[0] + col); everything not set here is zero.
  const seenFlagDims = [...seenDims.values()];
  const fillers: Record<string, (data: Float32Array) => void> = {
    "token_embd.weight": (data) => {
      for (const [token, dim] of idDims) data[token * nEmbd + dim] = 1;
      for (const [token, dim] of seenDims) data[token * nEmbd + dim] = 1;
    },
    "output.weight": (data) => {
      for (const [token, row] of output) for (const [dim, weight] of row) data[token * nEmbd + dim] = weight;
    },
    attn_v: (data) => {
      for (const dim of seenFlagDims) data[dim * nEmbd + dim] = 1;
    },
    attn_output: (data) => {
      for (const dim of seenFlagDims) data[dim * nEmbd + dim] = WEIGHT.attentionGain;
    },
    ffn_gate: (data) => {
      units.forEach((unit, f) => {
        data[f * nEmbd + dimOf(idDims, unit.token)] = WEIGHT.unitGain;
      });
    },
    ffn_up: (data) => {
      units.forEach((unit, f) => {
        data[f * nEmbd + dimOf(seenDims, unit.marker)] = 1;
      });
    },
    ffn_down: (data) => {
      units.forEach((unit, f) => {
        data[unit.dim * nFf + f] = 1;
      });
    },
  };
  const leaveZero = (): void => {};
  return {
    // Only the first block works; the others stay zero and pass the residual stream through unchanged.
    fillerOf: (tensorName) =>
      fillers[tensorName] ?? fillers[tensorName.replace(/^blk\.0\.(\w+)\.weight$/, "$1")] ?? leaveZero,
    dims: nextDim,
    units: units.length,
    answers: answers.length,
    stepsChecked,
  };
}
