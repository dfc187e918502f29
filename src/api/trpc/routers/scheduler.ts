// The scheduler's slots and queue, now or live, and cancelling a generation by its id.
import { z } from "zod";
import { procedure, router } from "../trpc.js";

const generationIdInputSchema = z.object({ id: z.string().min(1).describe("The id of a started event") });

export const schedulerRouter = router({
  state: procedure.query(({ ctx }) => ctx.resolvers.schedulerState()),

  /** The state now, then again after every change. */
  watch: procedure.subscription(async function* ({ ctx, signal }) {
    yield* ctx.resolvers.watchScheduler({ signal });
  }),

  /** Aborts a running or queued generation; false when none has that id. */
  cancel: procedure
    .input(generationIdInputSchema)
    .mutation(({ ctx, input }) => ctx.resolvers.cancelGeneration(input.id)),
});
