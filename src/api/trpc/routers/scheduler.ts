// The scheduler's slots and queue, now or live, and cancelling a generation by its id (an API key
// sees the ids of, and cancels, only its own generations unless it is an admin key).
import { z } from "zod";
import { procedure, router } from "../trpc.js";

const generationIdInputSchema = z.object({ id: z.string().min(1).describe("The id of a started event") });

export const schedulerRouter = router({
  state: procedure.query(({ ctx }) => ctx.resolvers.schedulerState({ origin: ctx.origin })),

  /** The state now, then again after every change (the newest state when the reader falls behind). */
  watch: procedure.subscription(async function* ({ ctx, signal }) {
    yield* ctx.resolvers.watchScheduler({ signal, origin: ctx.origin });
  }),

  /** Aborts a running or queued generation; false when none that this API key started has that id. */
  cancel: procedure
    .input(generationIdInputSchema)
    .mutation(({ ctx, input }) => ctx.resolvers.cancelGeneration(input.id, { origin: ctx.origin })),
});
