// Code infill (fill-in-the-middle): the whole result as a mutation, or the completion events as a subscription.
import { infillInputSchema } from "../../../resolvers/index.js";
import { procedure, router } from "../trpc.js";

export const infillRouter = router({
  create: procedure
    .input(infillInputSchema)
    .mutation(({ ctx, input, signal }) => ctx.resolvers.createInfill(input, { signal, origin: ctx.origin })),

  /** started → textDelta … → finished, as completion.stream. Unsubscribing aborts the generation. */
  stream: procedure.input(infillInputSchema).subscription(async function* ({ ctx, input, signal }) {
    yield* ctx.resolvers.streamInfill(input, { signal, origin: ctx.origin });
  }),
});
