// A model's own tokenizer, both ways, and its chat template (a chat request's prompt, rendered).
import {
  chatCompletionInputSchema,
  detokenizeInputSchema,
  tokenizeInputSchema,
} from "../../../resolvers/index.js";
import { procedure, router } from "../trpc.js";

export const tokenizerRouter = router({
  tokenize: procedure.input(tokenizeInputSchema).query(({ ctx, input }) => ctx.resolvers.tokenize(input)),

  detokenize: procedure
    .input(detokenizeInputSchema)
    .query(({ ctx, input }) => ctx.resolvers.detokenize(input)),

  /** The prompt a chat request becomes, and how the model's chats are rendered and read. */
  applyTemplate: procedure
    .input(chatCompletionInputSchema)
    .query(({ ctx, input }) => ctx.resolvers.renderChatPrompt(input)),
});
