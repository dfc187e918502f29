// Tokenization: text to a model's tokens and back, with the model's own tokenizer.
import type { Resolvers, Tokenization } from "../../resolvers/index.js";
import { builder } from "./builder.js";
import { optionalId, orUndefined } from "./inputValues.js";

type Detokenization = Awaited<ReturnType<Resolvers["detokenize"]>>;

const TokenRef = builder.objectRef<Tokenization["tokens"][number]>("Token").implement({
  description: "One token of a model's vocabulary.",
  fields: (t) => ({
    id: t.exposeInt("id", { description: "The token id." }),
    piece: t.exposeString("piece", { description: "The token's text, control tokens included." }),
  }),
});

const TokenizationRef = builder.objectRef<Tokenization>("Tokenization").implement({
  description: "A text split into a model's tokens.",
  fields: (t) => ({
    model: t.exposeID("model", { description: "The model whose tokenizer was used." }),
    tokens: t.field({
      type: [TokenRef],
      description: "The tokens, in order.",
      resolve: (result) => result.tokens,
    }),
    count: t.int({ description: "How many tokens.", resolve: (result) => result.tokens.length }),
  }),
});

const DetokenizationRef = builder.objectRef<Detokenization>("Detokenization").implement({
  description: "Token ids turned back into text.",
  fields: (t) => ({
    model: t.exposeID("model", { description: "The model whose tokenizer was used." }),
    text: t.exposeString("text", { description: "The text the tokens spell." }),
  }),
});

builder.queryFields((t) => ({
  tokenize: t.field({
    type: TokenizationRef,
    description: "Splits text into tokens with a model's tokenizer.",
    args: {
      model: t.arg.id({ description: "Model id; defaults to the first model served." }),
      text: t.arg.string({ required: true, description: "The text to tokenize." }),
      withSpecialTokens: t.arg.boolean({
        description: "Parse control-token text such as <|im_end|> as control tokens. Default false.",
      }),
      addSpecialTokens: t.arg.boolean({
        description:
          "Add BOS / EOS where the model's tokenizer adds them to a prompt (llama.cpp's add_special). Default false.",
      }),
    },
    resolve: (_root, args, { resolvers }) =>
      resolvers.tokenize({
        model: optionalId(args.model),
        text: args.text,
        withSpecialTokens: orUndefined(args.withSpecialTokens),
        addSpecialTokens: orUndefined(args.addSpecialTokens),
      }),
  }),
  detokenize: t.field({
    type: DetokenizationRef,
    description: "Turns token ids back into text with a model's tokenizer.",
    args: {
      model: t.arg.id({ description: "Model id; defaults to the first model served." }),
      tokens: t.arg.intList({ required: true, description: "Token ids, in order." }),
    },
    resolve: (_root, args, { resolvers }) =>
      resolvers.detokenize({
        model: optionalId(args.model),
        tokens: args.tokens,
      }),
  }),
}));
