// Raw text completions: the whole result as a mutation, or its typed events as a subscription.
import { completionInputSchema } from "../../../resolvers/index.js";
import { procedure, router } from "../trpc.js";

export const completionRouter = router({
  create: procedure
    .input(completionInputSchema)
    .mutation(({ ctx, input, signal }) =>
      ctx.resolvers.createCompletion(input, { signal, origin: ctx.origin }),
    ),

  /** started → textDelta … → finished. Unsubscribing aborts the generation. */
  stream: procedure.input(completionInputSchema).subscription(async function* ({ ctx, input, signal }) {
    yield* ctx.resolvers.streamCompletion(input, { signal, origin: ctx.origin });
  }),
});
