// POST /v1/responses, POST /v1/responses/input_tokens, GET and DELETE /v1/responses/{id}: HTTP only;
// translation lives in serving.ts and events.ts, stored conversations in responseStore.ts.

import { newId } from "../../../resolvers/ids.js";
import type { Resolvers } from "../../../resolvers/index.js";
import { generationFailed } from "../errors/generationFailed.js";
import { readJsonBody } from "../http/readJsonBody.js";
import type { Route, RouteContext } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import { streamAsSse } from "../http/streamAsSse.js";
import { parseRequest } from "../shared/parseRequest.js";
import { samplingExtensions } from "../shared/protocol.js";
import { responsesSse } from "./eventStream.js";
import { ResponseAssembly } from "./events.js";
import {
  inputTokensRequestSchema,
  type ResponsePromptRequest,
  responseCreateRequestSchema,
  type WireDeletedResponse,
  type WireInputTokens,
} from "./protocol.js";
import {
  type ResponseOwner,
  ResponseStore,
  type ResponseStoreOptions,
  SHARED_OWNER,
} from "./responseStore.js";
import {
  inProgressResponse,
  previousResponseNotFound,
  responseNotFound,
  responseParamRenames,
  toChatCompletionInput,
  toChatPromptInput,
  toConversation,
} from "./serving.js";

const RESPONSE_ID_PATH = /^\/v1\/responses\/(?<id>[^/]+)$/;

export function responseRoutes(resolvers: Resolvers, storeOptions: ResponseStoreOptions = {}): Route[] {
  const store = new ResponseStore(storeOptions);
  /** The conversation a request continues (its previous response's) with its own input appended. */
  const conversationOf = (context: RouteContext, request: ResponsePromptRequest) => {
    const previousId = request.previous_response_id;
    const previous = previousId !== undefined ? store.get(ownerOf(context), previousId) : undefined;
    if (previousId !== undefined && !previous) throw previousResponseNotFound(previousId);
    return toConversation(request.input, previous);
  };

  return [
    {
      method: "POST",
      path: "/v1/responses",
      async handle(context) {
        const request = parseRequest(
          responseCreateRequestSchema,
          await readJsonBody(context.request),
          samplingExtensions,
        );
        context.renames = responseParamRenames;
        const conversation = conversationOf(context, request);
        const events = resolvers.streamChatCompletion(toChatCompletionInput(request, conversation), context);
        const id = newId("resp_");
        const createdAt = Math.floor(Date.now() / 1000);
        const assembly = new ResponseAssembly((model) =>
          inProgressResponse(request, { id, model, createdAt }),
        );
        if (request.stream)
          await streamAsSse(context, events, (event) => assembly.translate(event), responsesSse(assembly));
        else for await (const event of events) assembly.translate(event);
        const result = assembly.result;
        const kept =
          result && (result.response.status === "completed" || result.response.status === "incomplete");
        if (kept && request.store !== false)
          store.put(ownerOf(context), {
            response: result.response,
            conversation: [...conversation, result.answer],
          });
        if (request.stream) return;
        if (!result || result.response.status === "failed") throw generationFailed(context.logger, id);
        sendJson(context.response, 200, result.response);
      },
    },
    {
      method: "POST",
      path: "/v1/responses/input_tokens",
      async handle(context) {
        const request = parseRequest(inputTokensRequestSchema, await readJsonBody(context.request));
        context.renames = responseParamRenames;
        const rendered = await resolvers.renderChatPrompt(
          toChatPromptInput(request, conversationOf(context, request)),
        );
        const count: WireInputTokens = {
          object: "response.input_tokens",
          input_tokens: rendered.promptTokens,
        };
        sendJson(context.response, 200, count);
      },
    },
    {
      method: "GET",
      path: RESPONSE_ID_PATH,
      label: "/v1/responses/{id}",
      handle(context) {
        const { id } = context.params;
        const stored = store.get(ownerOf(context), id);
        if (!stored) throw responseNotFound(id);
        sendJson(context.response, 200, stored.response);
      },
    },
    {
      method: "DELETE",
      path: RESPONSE_ID_PATH,
      label: "/v1/responses/{id}",
      handle(context) {
        const { id } = context.params;
        if (!store.delete(ownerOf(context), id)) throw responseNotFound(id);
        const deleted: WireDeletedResponse = { id, object: "response.deleted", deleted: true };
        sendJson(context.response, 200, deleted);
      },
    },
  ];
}

/** Stored responses belong to the API key that made them; with no keys configured, to everyone. */
function ownerOf(context: RouteContext): ResponseOwner {
  return context.origin?.caller?.keyId ?? SHARED_OWNER;
}
