// POST /completion (llama-server's own text completion, which Continue's and SillyTavern's llama.cpp
// backends call): HTTP only; translation lives in serving.ts.
import type { Resolvers } from "../../../resolvers/index.js";
import { generationFailed } from "../errors/generationFailed.js";
import { readJsonBody } from "../http/readJsonBody.js";
import type { Route } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import { llamaServerSse, streamAsSse } from "../http/streamAsSse.js";
import { llamaServerChunkTranslation, toLlamaServerAnswer } from "../shared/llamaServerAnswer.js";
import { parseRequest } from "../shared/parseRequest.js";
import { samplingExtensions } from "../shared/protocol.js";
import { llamaCompletionRequestSchema } from "./protocol.js";
import { toLlamaCompletionInput } from "./serving.js";

export function llamaCompletionRoute(resolvers: Resolvers): Route {
  return {
    method: "POST",
    path: "/completion",
    async handle(context) {
      const request = parseRequest(
        llamaCompletionRequestSchema,
        await readJsonBody(context.request),
        samplingExtensions,
      );
      const input = toLlamaCompletionInput(request);
      if (request.stream) {
        const events = resolvers.streamCompletion(input, context);
        await streamAsSse(context, events, llamaServerChunkTranslation(), llamaServerSse);
        return;
      }
      const completion = await resolvers.createCompletion(input, context);
      if (completion.finishReason === "error") throw generationFailed(context.logger, completion.id);
      sendJson(context.response, 200, toLlamaServerAnswer(completion));
    },
  };
}
