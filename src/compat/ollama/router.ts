// Ollama's native API (/api/*): HTTP only; translation lives in chat.ts, generate.ts, models.ts and
// options.ts. Streams are newline-delimited JSON, which Ollama sends unless a request says
// `stream: false`.
import { performance } from "node:perf_hooks";
import { ModelNotFoundError, ModelNotReadyError } from "../../errors.js";
import type { ChatCompletionEvent, CompletionEvent, FinishReason, Resolvers } from "../../resolvers/index.js";
import { OpenAiError } from "../openai/errors/openAiError.js";
import { readJsonBody } from "../openai/http/readJsonBody.js";
import type { Route, RouteContext } from "../openai/http/route.js";
import { sendJson } from "../openai/http/sendJson.js";
import { type SseDialect, streamAsSse } from "../openai/http/streamAsSse.js";
import { parseRequest } from "../openai/shared/parseRequest.js";
import { answerHead, modelIdOf, type ServedFinishReason } from "./answers.js";
import { chatChunkTranslation, toChatDone, toChatInput } from "./chat.js";
import { internalError, OllamaError } from "./errors.js";
import { generateChunkTranslation, planGenerate, toGenerateDone } from "./generate.js";
import { OLLAMA_API_VERSION, toRunningModel, toShowResponse, toWireModel } from "./models.js";
import { ollamaParamRenames } from "./options.js";
import {
  chatRequestSchema,
  embeddingsRequestSchema,
  embedRequestSchema,
  generateRequestSchema,
  showRequestSchema,
} from "./protocol.js";

/** Ollama's streams: a JSON object a line, an `{"error"}` line on failure, no end marker. */
const ollamaNdjson: SseDialect<unknown> = {
  name: "ollama",
  contentType: "application/x-ndjson",
  write: (stream, message) => stream.sendLine(message),
  failure: () => [internalError().body()],
  end: async (stream) => stream.end(),
};

export function ollamaRoutes(resolvers: Resolvers): Route[] {
  const modifiedAt = new Date().toISOString();

  /** The served model a request names, or the error Ollama answers for one it does not serve. */
  const servedModel = (name: string) => {
    const model = resolvers.findModel(modelIdOf(resolvers, name));
    if (model) return model;
    if (resolvers.health().status === "loading") throw new ModelNotReadyError();
    throw new ModelNotFoundError(name);
  };

  /** Ollama's answer to a request with nothing to generate: it loads the model (here, already loaded). */
  const loaded = (context: RouteContext, name: string, answer: Record<string, unknown>) => {
    servedModel(name);
    sendJson(context.response, 200, { ...answerHead(name), ...answer, done: true, done_reason: "load" });
  };

  return [
    {
      method: "GET",
      path: "/api/version",
      handle: (context) => sendJson(context.response, 200, { version: OLLAMA_API_VERSION }),
    },
    {
      method: "GET",
      path: "/api/tags",
      handle: (context) =>
        sendJson(context.response, 200, {
          models: resolvers.listModels().map((model) => toWireModel(model, modifiedAt)),
        }),
    },
    {
      method: "GET",
      path: "/api/ps",
      handle: (context) =>
        sendJson(context.response, 200, {
          models: resolvers.listModels().map((model) => toRunningModel(model, modifiedAt)),
        }),
    },
    {
      method: "POST",
      path: "/api/show",
      async handle(context) {
        const request = parseRequest(showRequestSchema, await readJsonBody(context.request));
        const model = servedModel(request.model ?? request.name ?? "");
        sendJson(context.response, 200, toShowResponse(model, modifiedAt));
      },
    },
    {
      method: "POST",
      path: "/api/chat",
      async handle(context) {
        context.renames = ollamaParamRenames;
        const request = parseRequest(chatRequestSchema, await readJsonBody(context.request));
        if (request.messages.length === 0)
          return loaded(context, request.model, { message: { role: "assistant", content: "" } });
        const input = toChatInput(request, modelIdOf(resolvers, request.model));
        if (request.stream) {
          const events = resolvers.streamChatCompletion(input, context);
          await streamAsSse(context, events, chatChunkTranslation(request.model), ollamaNdjson);
          return;
        }
        const completion = await resolvers.createChatCompletion(input, context);
        sendServed(context, completion, (served) => toChatDone(served, request.model));
      },
    },
    {
      method: "POST",
      path: "/api/generate",
      async handle(context) {
        context.renames = ollamaParamRenames;
        const request = parseRequest(generateRequestSchema, await readJsonBody(context.request));
        if (request.prompt === "" && !request.suffix) return loaded(context, request.model, { response: "" });
        const plan = planGenerate(request, modelIdOf(resolvers, request.model));
        if (request.stream) {
          const events =
            plan.kind === "chat"
              ? resolvers.streamChatCompletion(plan.input, context)
              : plan.kind === "infill"
                ? resolvers.streamInfill(plan.input, context)
                : resolvers.streamCompletion(plan.input, context);
          await streamAsSse<ChatCompletionEvent | CompletionEvent, unknown>(
            context,
            events,
            generateChunkTranslation(request.model),
            ollamaNdjson,
          );
          return;
        }
        if (plan.kind === "chat") {
          const completion = await resolvers.createChatCompletion(plan.input, context);
          sendServed(context, completion, (served) =>
            toGenerateDone({ ...served, text: served.content ?? "" }, request.model),
          );
          return;
        }
        const completion =
          plan.kind === "infill"
            ? await resolvers.createInfill(plan.input, context)
            : await resolvers.createCompletion(plan.input, context);
        sendServed(context, completion, (served) =>
          toGenerateDone({ ...served, reasoning: null }, request.model),
        );
      },
    },
    {
      method: "POST",
      path: "/api/embed",
      async handle(context) {
        const started = performance.now();
        const request = parseRequest(embedRequestSchema, await readJsonBody(context.request));
        const model = servedModel(request.model);
        if (request.dimensions !== undefined && request.dimensions !== model.embeddingSize)
          throw OpenAiError.invalidRequest(
            "dimensions",
            `Invalid 'dimensions': ${model.id}'s embeddings have ${model.embeddingSize} dimensions; shortening them is not supported`,
          );
        if (Array.isArray(request.input) && request.input.length === 0)
          return sendJson(context.response, 200, { model: model.id, embeddings: [] });
        // Ollama's /api/embed answers unit-length vectors, as the resolver's default normalization does.
        const embeddings = await resolvers.createEmbeddings({
          model: model.id,
          input: request.input,
          // Ollama cuts an input to the context unless told not to.
          truncate: request.truncate ?? true,
        });
        sendJson(context.response, 200, {
          model: embeddings.model,
          embeddings: embeddings.vectors,
          total_duration: Math.round((performance.now() - started) * 1e6),
          load_duration: 0,
          prompt_eval_count: embeddings.usage.promptTokens,
        });
      },
    },
    {
      method: "POST",
      path: "/api/embeddings",
      async handle(context) {
        const request = parseRequest(embeddingsRequestSchema, await readJsonBody(context.request));
        const model = servedModel(request.model);
        if (request.prompt === "") return sendJson(context.response, 200, { embedding: [] });
        // The legacy endpoint's vectors are not normalized.
        const embeddings = await resolvers.createEmbeddings({
          model: model.id,
          input: request.prompt,
          normalize: -1,
          truncate: true,
        });
        sendJson(context.response, 200, { embedding: embeddings.vectors[0] });
      },
    },
    ...modelStoreRoutes(),
  ];
}

/**
 * Ollama's model store (pull, push, create, copy, delete, blobs): inferql serves the models its flags
 * name, so each is a 501 that says so rather than a 404 that reads like a typo.
 */
function modelStoreRoutes(): Route[] {
  const refuse = (action: string) => () => {
    throw new OllamaError(
      501,
      `${action} is not supported: inferql serves the models it was started with (--model, --upstream)`,
    );
  };
  return [
    { method: "POST", path: "/api/pull", handle: refuse("Pulling models") },
    { method: "POST", path: "/api/push", handle: refuse("Pushing models") },
    { method: "POST", path: "/api/create", handle: refuse("Creating models") },
    { method: "POST", path: "/api/copy", handle: refuse("Copying models") },
    { method: "DELETE", path: "/api/delete", handle: refuse("Deleting models") },
    {
      method: "POST",
      path: /^\/api\/blobs\/(?<digest>[^/]+)$/,
      label: "/api/blobs/{digest}",
      handle: refuse("Uploading blobs"),
    },
  ];
}

/**
 * Answers a generation's whole result: nothing when it was cancelled (its client is gone), a 500 when
 * it failed after it started, else the answer made of it.
 */
function sendServed<Result extends { id: string; finishReason: FinishReason }>(
  context: RouteContext,
  result: Result,
  toAnswer: (served: Result & { finishReason: ServedFinishReason }) => unknown,
): void {
  const { finishReason } = result;
  if (finishReason === "cancelled") return;
  if (finishReason === "error") {
    context.logger.error({ id: result.id }, "ollama: generation failed after it started");
    throw internalError();
  }
  sendJson(context.response, 200, toAnswer({ ...result, finishReason }));
}
