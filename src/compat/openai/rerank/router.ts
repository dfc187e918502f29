// POST /v1/rerank, and llama-server's other spellings of it: HTTP only; translation lives in serving.ts.
import type { Resolvers } from "../../../resolvers/index.js";
import { readJsonBody } from "../http/readJsonBody.js";
import type { Route } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import { parseRequest } from "../shared/parseRequest.js";
import { rerankRequestSchema } from "./protocol.js";
import { toRerankInput, toRerankResponse } from "./serving.js";

/** llama-server answers all four; /rerank and /reranking come unprefixed with the other llama-server routes. */
const RERANK_PATHS = ["/v1/rerank", "/v1/reranking"];

export function rerankRoutes(resolvers: Resolvers): Route[] {
  return RERANK_PATHS.map((path) => ({
    method: "POST",
    path,
    async handle(context) {
      const request = parseRequest(rerankRequestSchema, await readJsonBody(context.request));
      const rerank = await resolvers.rerank(toRerankInput(request));
      sendJson(context.response, 200, toRerankResponse(rerank));
    },
  }));
}
