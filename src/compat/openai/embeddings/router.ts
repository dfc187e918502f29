// POST /v1/embeddings: HTTP only; translation lives in serving.ts.
import type { Resolvers } from "../../../resolvers/index.js";
import { readJsonBody } from "../http/readJsonBody.js";
import type { Route } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import { parseRequest } from "../shared/parseRequest.js";
import { embeddingsRequestSchema } from "./protocol.js";
import { embeddingsParamRenames, toEmbeddingsInput, toEmbeddingsResponse } from "./serving.js";

export function embeddingsRoute(resolvers: Resolvers): Route {
  return {
    method: "POST",
    path: "/v1/embeddings",
    async handle(context) {
      const request = parseRequest(embeddingsRequestSchema, await readJsonBody(context.request));
      context.renames = embeddingsParamRenames;
      const embeddings = await resolvers.createEmbeddings(toEmbeddingsInput(request));
      sendJson(context.response, 200, toEmbeddingsResponse(embeddings, request));
    },
  };
}
