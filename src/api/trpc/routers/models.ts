// The served models, and the server's health.
import { z } from "zod";
import { procedure, router } from "../trpc.js";

const modelIdInputSchema = z.object({ id: z.string().min(1) });

export const modelsRouter = router({
  list: procedure.query(({ ctx }) => ctx.resolvers.listModels()),

  /** The model, or null when none has that id. */
  byId: procedure
    .input(modelIdInputSchema)
    .query(({ ctx, input }) => ctx.resolvers.findModel(input.id) ?? null),
});

export const healthProcedure = procedure.query(({ ctx }) => ctx.resolvers.health());
