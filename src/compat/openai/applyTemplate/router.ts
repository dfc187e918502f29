// POST /apply-template (llama-server's): a chat completion request's prompt, as the model's chat
// template renders it, without generating. HTTP only; the body is a chat completion request.
import type { Resolvers } from "../../../resolvers/index.js";
import { chatCompletionRequestSchema } from "../chat/protocol.js";
import { toChatCompletionInput } from "../chat/serving.js";
import { readJsonBody } from "../http/readJsonBody.js";
import type { Route } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import { parseRequest } from "../shared/parseRequest.js";

export interface ApplyTemplateResponse {
  prompt: string;
}

export function applyTemplateRoute(resolvers: Resolvers): Route {
  return {
    method: "POST",
    path: "/apply-template",
    async handle(context) {
      const request = parseRequest(chatCompletionRequestSchema, await readJsonBody(context.request));
      const { prompt } = await resolvers.renderChatPrompt(toChatCompletionInput(request));
      const response: ApplyTemplateResponse = { prompt };
      sendJson(context.response, 200, response);
    },
  };
}
