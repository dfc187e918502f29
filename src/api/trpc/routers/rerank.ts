import { rerankInputSchema } from "../../../resolvers/index.js";
import { procedure } from "../trpc.js";

/** Documents ranked by relevance to a query, by a reranker model. */
export const rerankProcedure = procedure
  .input(rerankInputSchema)
  .query(({ ctx, input }) => ctx.resolvers.rerank(input));
