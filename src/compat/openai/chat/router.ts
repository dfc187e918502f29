// POST /v1/chat/completions: HTTP only; translation lives in serving.ts and chunks.ts.
import type { Resolvers } from "../../../resolvers/index.js";
import { generationFailed } from "../errors/generationFailed.js";
import { readJsonBody } from "../http/readJsonBody.js";
import type { Route } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import { openAiSse, streamAsSse } from "../http/streamAsSse.js";
import { parseRequest } from "../shared/parseRequest.js";
import { chatChunkTranslation } from "./chunks.js";
import { chatCompletionRequestSchema, chatRareFields } from "./protocol.js";
import {
  allChoicesServed,
  chatParamRenames,
  toChatCompletionInput,
  toChatCompletionResponse,
} from "./serving.js";

export function chatCompletionsRoute(resolvers: Resolvers): Route {
  return {
    method: "POST",
    path: "/v1/chat/completions",
    async handle(context) {
      const request = parseRequest(
        chatCompletionRequestSchema,
        await readJsonBody(context.request),
        chatRareFields,
      );
      context.renames = chatParamRenames(request);
      const input = toChatCompletionInput(request);
      if (request.stream) {
        const events = resolvers.streamChatCompletion(input, context);
        const includeUsage = request.stream_options?.include_usage ?? false;
        await streamAsSse(
          context,
          events,
          chatChunkTranslation({ includeUsage, logger: context.logger }),
          openAiSse,
        );
        return;
      }
      const completion = await resolvers.createChatCompletion(input, context);
      if (!allChoicesServed(completion)) throw generationFailed(context.logger, completion.id);
      sendJson(context.response, 200, toChatCompletionResponse(completion));
    },
  };
}
