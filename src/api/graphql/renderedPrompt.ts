// RenderedPrompt: the prompt a chat request becomes with the model's own chat template (llama-server's
// /apply-template), and how that model's chats are rendered and read.
import type { RenderedChatPrompt } from "../../resolvers/index.js";
import { builder } from "./builder.js";
import { ChatCompletionInputRef, toChatCompletionInput } from "./chatInput.js";
import { ChatFormatRef } from "./model.js";

const RenderedPromptRef = builder.objectRef<RenderedChatPrompt>("RenderedPrompt").implement({
  description: "A chat request's prompt, rendered without generating.",
  fields: (t) => ({
    model: t.exposeID("model", { description: "The model whose template rendered it." }),
    prompt: t.exposeString("prompt", { description: "The prompt text, special tokens written out." }),
    promptTokens: t.exposeInt("promptTokens", { description: "Its length in the model's tokens." }),
    chatFormat: t.field({
      type: ChatFormatRef,
      description: "How the model's chats are rendered and read.",
      resolve: (rendered) => rendered.chatFormat,
    }),
  }),
});

builder.queryFields((t) => ({
  renderedPrompt: t.field({
    type: RenderedPromptRef,
    description:
      "The prompt a chat request becomes (tools, tool calls and results in the model's own format); nothing is generated.",
    args: {
      input: t.arg({ type: ChatCompletionInputRef, required: true, description: "The chat request." }),
    },
    resolve: (_root, { input }, { resolvers }) => resolvers.renderChatPrompt(toChatCompletionInput(input)),
  }),
}));
