// Embeddings: one vector per input text.

import { InvalidInputError } from "../../errors.js";
import type { Embeddings } from "../../resolvers/index.js";
import { builder } from "./builder.js";
import { optionalId } from "./inputValues.js";

interface EmbeddingVector {
  index: number;
  vector: number[];
}

const EmbeddingsInputRef = builder.inputType("EmbeddingsInput", {
  description: "Texts to embed.",
  fields: (t) => ({
    model: t.id({ description: "Model id; defaults to the first model served." }),
    texts: t.stringList({ required: true, description: "1 to 256 non-empty texts." }),
  }),
});

const EmbeddingRef = builder.objectRef<EmbeddingVector>("Embedding").implement({
  description: "The embedding of one text.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "Position of the text in `texts`." }),
    vector: t.exposeFloatList("vector", { description: "The vector (see `Model.embeddingSize`)." }),
  }),
});

const EmbeddingsUsageRef = builder.objectRef<Embeddings["usage"]>("EmbeddingsUsage").implement({
  description: "Token counts of an embeddings request.",
  fields: (t) => ({
    promptTokens: t.exposeInt("promptTokens", { description: "Tokens of all texts." }),
    totalTokens: t.exposeInt("totalTokens", { description: "Same as promptTokens." }),
  }),
});

const EmbeddingsRef = builder.objectRef<Embeddings>("Embeddings").implement({
  description: "Vectors for a list of texts.",
  fields: (t) => ({
    model: t.exposeID("model", { description: "The model that embedded." }),
    embeddings: t.field({
      type: [EmbeddingRef],
      description: "One per text, in order.",
      resolve: (result) => result.vectors.map((vector, index) => ({ index, vector })),
    }),
    usage: t.field({
      type: EmbeddingsUsageRef,
      description: "Token counts.",
      resolve: (result) => result.usage,
    }),
  }),
});

builder.mutationFields((t) => ({
  createEmbeddings: t.field({
    type: EmbeddingsRef,
    description: "Embeds texts with a model.",
    args: { input: t.arg({ type: EmbeddingsInputRef, required: true, description: "The request." }) },
    resolve: async (_root, { input }, { resolvers }) => {
      try {
        return await resolvers.createEmbeddings({ model: optionalId(input.model), input: input.texts });
      } catch (error) {
        throw renameTextsField(error);
      }
    },
  }),
}));

/** The resolver calls the texts `input`; GraphQL calls them `texts`: name the field as the client sent it. */
function renameTextsField(error: unknown): unknown {
  if (!(error instanceof InvalidInputError) || !error.field?.startsWith("input")) return error;
  const field = `texts${error.field.slice("input".length)}`;
  return new InvalidInputError(field, error.message.replace(`'${error.field}'`, `'${field}'`));
}
