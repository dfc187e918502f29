import { embeddingsInputSchema } from "../../../resolvers/index.js";
import { procedure, router } from "../trpc.js";

export const embeddingsRouter = router({
  create: procedure
    .input(embeddingsInputSchema)
    .mutation(({ ctx, input }) => ctx.resolvers.createEmbeddings(input)),
});
