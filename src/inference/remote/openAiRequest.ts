// A generation request as an OpenAI-compatible request body (chat or text completions; infill as
// llama-server's /infill), streamed with usage; an embeddings request as OpenAI's, a rerank request
// as Jina's and Cohere's (which llama-server and vLLM take); prompt rendering, tokenize and
// detokenize as llama-server's (and vLLM's where it has them). What the upstream kind cannot take is an InvalidInputError naming the field,
// never dropped.
import { InvalidInputError } from "../../errors.js";
import { endsWithPrefill } from "../chat/chatFormat.js";
import type { ChatPrompt, ChatPromptMessage, GenerationRequest, LoraSelection } from "../types.js";
import type { UpstreamKind } from "./upstreamSpec.js";

/** What `json_object` asks for, as a JSON schema: an object, any object. */
const ANY_JSON_OBJECT = { type: "object" };

export interface OpenAiRequest {
  /** `/infill` is llama-server's: its stream is llama-server's own chunks (fromLlamaServerChunk). */
  path: "/v1/chat/completions" | "/v1/completions" | "/infill";
  body: Record<string, unknown>;
}

export function toOpenAiRequest(
  request: GenerationRequest,
  model: string,
  kind: UpstreamKind,
  upstreamId: string,
): OpenAiRequest {
  const refuse = (field: string, what: string): never => {
    throw new InvalidInputError(
      field,
      `${what} is not available on '${upstreamId}', a remote (${kind}) upstream`,
    );
  };
  if (request.prompt.kind === "infill" && kind !== "llama") refuse("model", "Infill");
  const { sampling } = request;
  const body: Record<string, unknown> = { model, stream: true, stream_options: { include_usage: true } };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) body[key] = value;
  };
  set("max_tokens", request.maxTokens);
  set("temperature", sampling.temperature);
  set("top_p", sampling.topP);
  set("seed", sampling.seed);
  set("presence_penalty", sampling.presencePenalty);
  set("frequency_penalty", sampling.frequencyPenalty);
  if (sampling.logitBias)
    body.logit_bias = Object.fromEntries(
      [...sampling.logitBias].map(([token, bias]) => [String(token), bias]),
    );
  if (request.stop.length) body.stop = request.stop;
  const extended = (field: string, wire: string, value: unknown) => {
    if (value === undefined) return;
    if (kind === "openai") refuse(field, `'${field}'`);
    body[wire] = value;
  };
  extended("topK", "top_k", sampling.topK);
  extended("minP", "min_p", sampling.minP);
  extended(
    "repeatPenalty",
    kind === "vllm" ? "repetition_penalty" : "repeat_penalty",
    sampling.repeatPenalty,
  );
  extended("ignoreEos", "ignore_eos", sampling.ignoreEos || undefined);
  if (kind === "llama") body.cache_prompt = request.cachePrompt;

  const constraint = request.constraint;
  if (constraint?.kind === "gbnf") {
    if (kind === "openai") refuse(constraint.field, "A GBNF grammar");
    body[kind === "vllm" ? "guided_grammar" : "grammar"] = constraint.grammar;
  }

  if (request.prompt.kind === "infill") {
    const { prefix, suffix, extra, prompt } = request.prompt;
    if (request.topLogprobs !== undefined) refuse("topLogprobs", "Logprobs on infill");
    // llama-server's own fields: it lays out the FIM prompt for its model.
    delete body.max_tokens;
    set("n_predict", request.maxTokens);
    Object.assign(body, { input_prefix: prefix, input_suffix: suffix, prompt });
    if (extra.length) body.input_extra = extra.map(({ filename, text }) => ({ filename, text }));
    if (constraint?.kind === "jsonSchema" || constraint?.kind === "anyJson")
      body.json_schema = constraint.kind === "jsonSchema" ? constraint.schema : ANY_JSON_OBJECT;
    return { path: "/infill", body };
  }

  if (request.prompt.kind === "text" || request.prompt.kind === "tokens") {
    body.prompt = request.prompt.kind === "text" ? request.prompt.text : request.prompt.tokens;
    if (request.topLogprobs !== undefined) body.logprobs = request.topLogprobs;
    if (constraint?.kind === "jsonSchema" || constraint?.kind === "anyJson") {
      // The completions API has no response_format; llama-server and inferql take `json_schema`.
      if (kind !== "llama") refuse(constraint.field, "A JSON schema on a text completion");
      body.json_schema = constraint.kind === "jsonSchema" ? constraint.schema : ANY_JSON_OBJECT;
    }
    return { path: "/v1/completions", body };
  }

  const prompt = request.prompt;
  const chat = toWireChat(prompt);
  if (chat.chat_template_kwargs && kind === "openai") refuse("chatTemplateKwargs", "'chatTemplateKwargs'");
  Object.assign(body, chat);
  const output = request.chatOutput;
  if (output && prompt.tools.length) {
    if (output.toolCalls === "none") body.tool_choice = "none";
    else if (output.toolCalls === "auto") body.tool_choice = "auto";
    else if (output.toolNames.length === 1 && prompt.tools.length > 1)
      body.tool_choice = { type: "function", function: { name: output.toolNames[0] } };
    else body.tool_choice = "required";
    if (output.toolCalls !== "none") body.parallel_tool_calls = output.parallelToolCalls;
  }
  if (output?.reasoningBudget !== undefined) {
    if (kind !== "llama") refuse("reasoningBudget", "A reasoning budget");
    body.thinking_budget_tokens = output.reasoningBudget;
  }
  if (kind === "llama" && output?.reasoning === "inline") body.reasoning_format = "none";
  // llama-server continues a final assistant message by itself; vLLM when asked; OpenAI's API never.
  if (endsWithPrefill(prompt)) {
    if (kind === "openai") refuse("messages", "Continuing a final assistant message (a prefill)");
    if (kind === "vllm") Object.assign(body, { continue_final_message: true, add_generation_prompt: false });
  }
  if (request.topLogprobs !== undefined) {
    body.logprobs = true;
    body.top_logprobs = request.topLogprobs;
  }
  // llama-server constrains a chat's json_object only by the schema beside it (without one, not at all).
  if (constraint?.kind === "anyJson")
    body.response_format =
      kind === "llama" ? { type: "json_object", schema: ANY_JSON_OBJECT } : { type: "json_object" };
  else if (constraint?.kind === "jsonSchema")
    body.response_format = {
      type: "json_schema",
      json_schema: { name: "output", schema: constraint.schema },
    };
  return { path: "/v1/chat/completions", body };
}

/** What an embeddings request embeds, as the client sent it: texts, or token ids (the upstream's). */
export type EmbeddingsWireInput = string | string[] | number[] | number[][];

/** llama.cpp's `embd_normalize` that OpenAI-compatible servers apply by themselves: unit length. */
const UNIT_LENGTH_NORMALIZATION = 2;

/**
 * An embeddings request (`POST /v1/embeddings`, vectors as floats). Another normalization than unit
 * length goes to llama-server as its `embd_normalize` (inferql takes it too); OpenAI and vLLM have none.
 */
export function toEmbeddingsRequest(
  input: EmbeddingsWireInput,
  normalize: number,
  model: string,
  kind: UpstreamKind,
  upstreamId: string,
): { path: "/v1/embeddings"; body: Record<string, unknown> } {
  const body: Record<string, unknown> = { model, input, encoding_format: "float" };
  if (normalize !== UNIT_LENGTH_NORMALIZATION) {
    if (kind !== "llama")
      throw new InvalidInputError(
        "normalize",
        `A normalization other than unit length (2) is not available on '${upstreamId}', a remote (${kind}) upstream`,
      );
    body.embd_normalize = normalize;
  }
  return { path: "/v1/embeddings", body };
}

/** A rerank request (`POST /v1/rerank`): every document scored, none echoed. OpenAI has no rerank. */
export function toRerankRequest(
  query: string,
  documents: readonly string[],
  model: string,
  kind: UpstreamKind,
  upstreamId: string,
): { path: "/v1/rerank"; body: Record<string, unknown> } {
  if (kind === "openai")
    throw new InvalidInputError(
      "model",
      `Reranking is not available on '${upstreamId}', a remote (openai) upstream: the OpenAI API has none (kind=llama or kind=vllm have)`,
    );
  return { path: "/v1/rerank", body: { model, query, documents, top_n: documents.length } };
}

/** A LoRA adapter llama-server loaded (`GET /lora-adapters`): its id, and its file's name without `.gguf`. */
export interface UpstreamLoraAdapter {
  id: number;
  name: string;
}

/**
 * The LoRA selection of a request in the fields each kind takes, undefined when it names no adapter
 * (the replica's own default then holds). llama-server (`kind=llama`) takes a scale per adapter id:
 * every loaded adapter is given one, 0 unless named, so that exactly the named ones apply, at their
 * scales; an upstream without `/lora-adapters` (another inferql: `adapters` undefined) takes the
 * names. vLLM serves each adapter as a model of its own: one adapter at scale 1 is that model's name.
 * The OpenAI API has none.
 */
export function toLoraFields(
  selection: readonly LoraSelection[],
  kind: UpstreamKind,
  upstreamId: string,
  adapters: readonly UpstreamLoraAdapter[] | undefined,
): Record<string, unknown> | undefined {
  const refuse = (message: string): never => {
    throw new InvalidInputError("lora", message);
  };
  if (kind === "llama") {
    if (selection.length === 0) return undefined;
    if (!adapters) return { lora: selection.map(({ name, scale }) => ({ name, scale })) };
    for (const { name } of selection)
      if (!adapters.some((adapter) => adapter.name === name))
        refuse(
          `No LoRA adapter '${name}' on the upstream '${upstreamId}' (it has: ${adapters.map((adapter) => adapter.name).join(", ") || "none"})`,
        );
    const scales = new Map(selection.map(({ name, scale }) => [name, scale]));
    return { lora: adapters.map(({ id, name }) => ({ id, scale: scales.get(name) ?? 0 })) };
  }
  const selected = selection.filter((lora) => lora.scale !== 0);
  if (selected.length === 0) return undefined;
  if (kind === "openai")
    return refuse(
      `Selecting a LoRA adapter by name is not available on '${upstreamId}', a remote (openai) upstream`,
    );
  // vLLM: what is left.
  if (selected.length > 1 || selected[0].scale !== 1)
    refuse(
      `'${upstreamId}' (kind=vllm) serves each LoRA adapter as a model of its own: one adapter, at scale 1`,
    );
  return { model: selected[0].name };
}

/** A chat's messages, tools and template variables as an OpenAI chat request carries them. */
function toWireChat(prompt: ChatPrompt): Record<string, unknown> {
  const chat: Record<string, unknown> = { messages: prompt.messages.map(toWireMessage) };
  if (prompt.tools.length)
    chat.tools = prompt.tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
      },
    }));
  if (prompt.templateVariables && Object.keys(prompt.templateVariables).length)
    chat.chat_template_kwargs = prompt.templateVariables;
  return chat;
}

/**
 * A chat rendered by a replica's chat template: llama-server's `POST /apply-template` (the chat
 * request's body; it answers the prompt), or vLLM's `POST /tokenize` of the messages (it answers the
 * prompt's tokens and their count). Every request of this kind names the model: llama-server serves
 * one and ignores it, but an inferql replica serving several renders with the one named.
 */
export function toRenderChatRequest(
  prompt: ChatPrompt,
  model: string,
  kind: UpstreamKind,
  upstreamId: string,
): { path: "/apply-template" | "/tokenize"; body: Record<string, unknown> } {
  if (kind === "vllm")
    return { path: "/tokenize", body: { model, ...toWireChat(prompt), add_generation_prompt: true } };
  refuseUnlessLlama(kind, upstreamId, "Rendering a chat prompt");
  return { path: "/apply-template", body: { model, ...toWireChat(prompt) } };
}

/** A tokenize request as llama-server's `POST /tokenize` takes it, each token with its piece (and the model named, as in toRenderChatRequest). */
export function toTokenizeRequest(
  text: string,
  withSpecialTokens: boolean,
  addSpecialTokens: boolean,
  model: string,
  kind: UpstreamKind,
  upstreamId: string,
): { path: "/tokenize"; body: Record<string, unknown> } {
  refuseUnlessLlama(kind, upstreamId, "Tokenization");
  return {
    path: "/tokenize",
    body: {
      model,
      content: text,
      add_special: addSpecialTokens,
      parse_special: withSpecialTokens,
      with_pieces: true,
    },
  };
}

/** A detokenize request as llama-server's and vLLM's `POST /detokenize` take it. */
export function toDetokenizeRequest(
  tokens: readonly number[],
  model: string,
  kind: UpstreamKind,
  upstreamId: string,
): { path: "/detokenize"; body: Record<string, unknown> } {
  if (kind !== "vllm") refuseUnlessLlama(kind, upstreamId, "Detokenization");
  return { path: "/detokenize", body: { model, tokens } };
}

/** What only llama-server's endpoints give (and vLLM's, where the callers say): a 400 naming `model` elsewhere. */
function refuseUnlessLlama(kind: UpstreamKind, upstreamId: string, what: string): void {
  if (kind !== "llama")
    throw new InvalidInputError(
      "model",
      `${what} is not available on '${upstreamId}', a remote (${kind}) upstream: it is llama-server's (kind=llama)`,
    );
}

function toWireMessage(message: ChatPromptMessage): Record<string, unknown> {
  switch (message.role) {
    case "system":
    case "user":
      return { role: message.role, content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.reasoning ? { reasoning_content: message.reasoning } : {}),
        ...(message.toolCalls.length
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: "function",
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
  }
}
