// A model's own tokenizer, both ways.
import { detokenizeInputSchema, tokenizeInputSchema } from "../../../resolvers/index.js";
import { procedure, router } from "../trpc.js";

export const tokenizerRouter = router({
  tokenize: procedure.input(tokenizeInputSchema).query(({ ctx, input }) => ctx.resolvers.tokenize(input)),

  detokenize: procedure
    .input(detokenizeInputSchema)
    .query(({ ctx, input }) => ctx.resolvers.detokenize(input)),
});
