// POST /v1/messages and /v1/messages/count_tokens: HTTP only; translation lives in serving.ts and events.ts.
import type { Resolvers } from "../../resolvers/index.js";
import { readJsonBody } from "../openai/http/readJsonBody.js";
import type { Route } from "../openai/http/route.js";
import { sendJson } from "../openai/http/sendJson.js";
import { streamAsSse } from "../openai/http/streamAsSse.js";
import { internalError, parseAnthropicRequest } from "./errors.js";
import { anthropicSse, MessageStreamTranslation } from "./events.js";
import { countTokensRequestSchema, messagesRequestSchema } from "./protocol.js";
import { toChatCompletionInput, toChatPromptInput, toMessageResponse } from "./serving.js";

export function messagesRoutes(resolvers: Resolvers): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/messages",
      async handle(context) {
        const request = parseAnthropicRequest(messagesRequestSchema, await readJsonBody(context.request));
        const input = toChatCompletionInput(request);
        if (request.stream) {
          const translation = new MessageStreamTranslation();
          const events = resolvers.streamChatCompletion(input, context);
          await streamAsSse(context, events, (event) => translation.translate(event), anthropicSse);
          return;
        }
        const completion = await resolvers.createChatCompletion(input, context);
        if (completion.finishReason === "error") {
          context.logger.error({ id: completion.id }, "anthropic: generation failed after it started");
          throw internalError();
        }
        sendJson(context.response, 200, toMessageResponse(completion));
      },
    },
    {
      method: "POST",
      path: "/v1/messages/count_tokens",
      async handle(context) {
        const request = parseAnthropicRequest(countTokensRequestSchema, await readJsonBody(context.request));
        const rendered = await resolvers.renderChatPrompt(toChatPromptInput(request));
        sendJson(context.response, 200, { input_tokens: rendered.promptTokens });
      },
    },
  ];
}
