// Chat completions: the whole result as a mutation, or its typed events as a subscription.
import { chatCompletionInputSchema } from "../../../resolvers/index.js";
import { procedure, router } from "../trpc.js";

export const chatRouter = router({
  create: procedure
    .input(chatCompletionInputSchema)
    .mutation(({ ctx, input, signal }) =>
      ctx.resolvers.createChatCompletion(input, { signal, origin: ctx.origin }),
    ),

  /**
   * started → contentDelta | reasoningDelta | toolCallDelta … → finished, per choice (`choiceIndex`;
   * the last finished carries `totalUsage`). Unsubscribing aborts every choice.
   */
  stream: procedure.input(chatCompletionInputSchema).subscription(async function* ({ ctx, input, signal }) {
    yield* ctx.resolvers.streamChatCompletion(input, { signal, origin: ctx.origin });
  }),
});
