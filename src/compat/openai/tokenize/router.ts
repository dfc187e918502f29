// POST /tokenize and POST /detokenize (llama-server's shapes): HTTP only.
import type { Resolvers } from "../../../resolvers/index.js";
import { readJsonBody } from "../http/readJsonBody.js";
import type { Route } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import { parseRequest } from "../shared/parseRequest.js";
import { type DetokenizeResponse, detokenizeRequestSchema, tokenizeRequestSchema } from "./protocol.js";
import { toDetokenizeInput, tokenizeParamRenames, toTokenizeInput, toTokenizeResponse } from "./serving.js";

export function tokenizeRoutes(resolvers: Resolvers): Route[] {
  return [
    {
      method: "POST",
      path: "/tokenize",
      async handle(context) {
        const request = parseRequest(tokenizeRequestSchema, await readJsonBody(context.request));
        context.renames = tokenizeParamRenames;
        const tokenization = await resolvers.tokenize(toTokenizeInput(request));
        sendJson(context.response, 200, toTokenizeResponse(tokenization, request));
      },
    },
    {
      method: "POST",
      path: "/detokenize",
      async handle(context) {
        const request = parseRequest(detokenizeRequestSchema, await readJsonBody(context.request));
        const { text } = await resolvers.detokenize(toDetokenizeInput(request));
        const response: DetokenizeResponse = { content: text };
        sendJson(context.response, 200, response);
      },
    },
  ];
}
