// POST /infill (llama-server's code infill): HTTP only; translation lives in serving.ts.
import type { Resolvers } from "../../../resolvers/index.js";
import { generationFailed } from "../errors/generationFailed.js";
import { readJsonBody } from "../http/readJsonBody.js";
import type { Route } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import { llamaServerSse, streamAsSse } from "../http/streamAsSse.js";
import { llamaServerChunkTranslation, toLlamaServerAnswer } from "../shared/llamaServerAnswer.js";
import { parseRequest } from "../shared/parseRequest.js";
import { samplingExtensions } from "../shared/protocol.js";
import { infillRequestSchema } from "./protocol.js";
import { toInfillInput } from "./serving.js";

export function infillRoute(resolvers: Resolvers): Route {
  return {
    method: "POST",
    path: "/infill",
    async handle(context) {
      const request = parseRequest(
        infillRequestSchema,
        await readJsonBody(context.request),
        samplingExtensions,
      );
      const input = toInfillInput(request);
      if (request.stream) {
        const events = resolvers.streamInfill(input, context);
        await streamAsSse(context, events, llamaServerChunkTranslation(), llamaServerSse);
        return;
      }
      const infill = await resolvers.createInfill(input, context);
      if (infill.finishReason === "error") throw generationFailed(context.logger, infill.id);
      sendJson(context.response, 200, toLlamaServerAnswer(infill));
    },
  };
}
