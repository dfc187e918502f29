// POST /v1/completions: HTTP only; translation lives in serving.ts and chunks.ts.
import type { Resolvers } from "../../../resolvers/index.js";
import { generationFailed } from "../errors/generationFailed.js";
import { readJsonBody } from "../http/readJsonBody.js";
import type { Route } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import { openAiSse, streamAsSse } from "../http/streamAsSse.js";
import { parseRequest } from "../shared/parseRequest.js";
import { toWireFinishReason } from "../shared/responseFields.js";
import { completionChunkTranslation } from "./chunks.js";
import { completionRareFields, completionRequestSchema } from "./protocol.js";
import { completionParamRenames, toCompletionCall, toCompletionResponse } from "./serving.js";

export function completionsRoute(resolvers: Resolvers): Route {
  return {
    method: "POST",
    path: "/v1/completions",
    async handle(context) {
      const request = parseRequest(
        completionRequestSchema,
        await readJsonBody(context.request),
        completionRareFields,
      );
      context.renames = completionParamRenames(request);
      const call = toCompletionCall(request);
      const { prompt } = request;
      const { logger } = context;
      if (request.stream) {
        const events =
          call.kind === "infill"
            ? resolvers.streamInfill(call.input, context)
            : resolvers.streamCompletion(call.input, context);
        const includeUsage = request.stream_options?.include_usage ?? false;
        await streamAsSse(
          context,
          events,
          completionChunkTranslation({ prompt, includeUsage, logger }),
          openAiSse,
        );
        return;
      }
      const completion =
        call.kind === "infill"
          ? await resolvers.createInfill(call.input, context)
          : await resolvers.createCompletion(call.input, context);
      if (completion.finishReason === "error") throw generationFailed(logger, completion.id);
      const finishReason = toWireFinishReason(completion.finishReason);
      sendJson(context.response, 200, toCompletionResponse(completion, finishReason, prompt));
    },
  };
}
