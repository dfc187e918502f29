// Input fields every generating operation shares (sampling, limits, stop, LoRA, prompt cache), and
// their translation into the resolvers' input. The resolvers validate them and name bad fields.
import type { InputFieldBuilder, InputShapeFromFields } from "@pothos/core";
import { type CompletionInput, LLAMA_SERVER_SAMPLING as DEFAULTS } from "../../resolvers/index.js";
import { type BuilderTypes, builder } from "./builder.js";
import { optionalId, orUndefined } from "./inputValues.js";

type GenerationFields = Omit<
  CompletionInput,
  "prompt" | "grammar" | "regex" | "choice" | "jsonSchema" | "logprobs"
>;

const LoraSelectionInput = builder.inputType("LoraSelectionInput", {
  description: "A LoRA adapter to apply for this generation (see `Model.loraAdapters`).",
  fields: (t) => ({
    name: t.string({ required: true, description: "The adapter's name." }),
    scale: t.float({ description: "How strongly it applies, -10 to 10; default 1." }),
  }),
});

const LogitBiasInput = builder.inputType("LogitBiasInput", {
  description: "A bias added to one token's logit before sampling.",
  fields: (t) => ({
    token: t.int({ required: true, description: "The token id (see `tokenize`)." }),
    bias: t.float({ required: true, description: "-100 to 100; -100 bans the token." }),
  }),
});

export function generationInputFields(t: InputFieldBuilder<BuilderTypes, "InputObject">) {
  return {
    model: t.id({ description: "Model id; defaults to the first model served." }),
    maxTokens: t.int({
      description:
        "Upper bound on generated tokens; without it, generation runs until it stops or the context is full.",
    }),
    temperature: t.float({
      description: `0 to 2; 0 always picks the most likely token. Default ${DEFAULTS.temperature}.`,
    }),
    topP: t.float({
      description: `Nucleus sampling: keep the most likely tokens up to this total probability (0 to 1). Default ${DEFAULTS.topP}.`,
    }),
    topK: t.int({
      description: `Keep only this many most likely tokens; 0 keeps all. Default ${DEFAULTS.topK}.`,
    }),
    minP: t.float({
      description: `Drop tokens less likely than this fraction of the most likely one (0 to 1). Default ${DEFAULTS.minP}.`,
    }),
    seed: t.int({
      description:
        "Same seed, prompt and settings: same output. Without one, each generation samples with a random seed.",
    }),
    repeatPenalty: t.float({ description: "Penalty on recently generated tokens, 0 to 10; 1 disables it." }),
    presencePenalty: t.float({ description: "-2 to 2: penalize tokens that already appeared." }),
    frequencyPenalty: t.float({ description: "-2 to 2: penalize tokens by how often they appeared." }),
    logitBias: t.field({ type: [LogitBiasInput], description: "Per-token logit biases." }),
    ignoreEos: t.boolean({
      description:
        "Never end on an end-of-generation token: generate up to maxTokens or a stop sequence (llama-server's ignore_eos). Default false.",
    }),
    stop: t.stringList({ description: "Generation stops before any of these strings (at most 16)." }),
    lora: t.field({ type: [LoraSelectionInput], description: "LoRA adapters to apply (at most 8)." }),
    cachePrompt: t.boolean({
      description:
        "Reuse a slot's KV cache for a shared prompt prefix. Default true; false evaluates the whole prompt.",
    }),
  };
}

type GenerationInputShape = InputShapeFromFields<ReturnType<typeof generationInputFields>>;

export function toGenerationFields(input: GenerationInputShape): GenerationFields {
  return {
    model: optionalId(input.model),
    maxTokens: orUndefined(input.maxTokens),
    temperature: orUndefined(input.temperature),
    topP: orUndefined(input.topP),
    topK: orUndefined(input.topK),
    minP: orUndefined(input.minP),
    seed: orUndefined(input.seed),
    repeatPenalty: orUndefined(input.repeatPenalty),
    presencePenalty: orUndefined(input.presencePenalty),
    frequencyPenalty: orUndefined(input.frequencyPenalty),
    logitBias: input.logitBias
      ? Object.fromEntries(input.logitBias.map(({ token, bias }) => [String(token), bias]))
      : undefined,
    ignoreEos: orUndefined(input.ignoreEos),
    stop: orUndefined(input.stop),
    lora: input.lora?.map(({ name, scale }) => ({ name, scale: orUndefined(scale) })),
    cachePrompt: orUndefined(input.cachePrompt),
  };
}

/**
 * The output constraints every generating operation takes besides its JSON one (`responseFormat` or
 * `jsonSchema`, named `jsonField` in the descriptions): at most one of them all.
 */
export function textConstraintInputFields(
  t: InputFieldBuilder<BuilderTypes, "InputObject">,
  jsonField: string,
) {
  return {
    grammar: t.string({
      description: `A GBNF grammar the output must follow. Not combinable with \`${jsonField}\`, \`regex\` or \`choice\`.`,
    }),
    regex: t.string({
      description:
        "A regular expression the whole output must match (vLLM's structured outputs `regex`): classes, escapes, `.`, groups, alternation and quantifiers; lookaround, backreferences and `\\b` are refused.",
    }),
    choice: t.stringList({
      description:
        "The output is exactly one of these strings (1 to 256; vLLM's structured outputs `choice`).",
    }),
  };
}

type TextConstraintShape = InputShapeFromFields<ReturnType<typeof textConstraintInputFields>>;

export function toTextConstraintFields(
  input: TextConstraintShape,
): Pick<CompletionInput, "grammar" | "regex" | "choice"> {
  return {
    grammar: orUndefined(input.grammar),
    regex: orUndefined(input.regex),
    choice: orUndefined(input.choice),
  };
}
