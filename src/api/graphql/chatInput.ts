// ChatCompletionInput: messages (with tool calls and tool results), tools and tool choice, output
// constraints and the shared generation fields, translated into the chat resolver's input.
import type { ChatCompletionInput } from "../../resolvers/index.js";
import { builder } from "./builder.js";
import {
  generationInputFields,
  textConstraintInputFields,
  toGenerationFields,
  toTextConstraintFields,
} from "./generationInput.js";
import { orUndefined } from "./inputValues.js";
import { JsonScalar } from "./scalars.js";

type ResolverMessage = ChatCompletionInput["messages"][number];
type ResolverToolCall = NonNullable<Extract<ResolverMessage, { role: "assistant" }>["toolCalls"]>[number];

/**
 * A message as GraphQL delivers it: which fields a role needs is the resolver's schema to check
 * (it names the missing field), so content may be absent here.
 */
interface MessageDraft {
  role: ResolverMessage["role"];
  content?: string;
  reasoning?: string;
  toolCalls?: ResolverToolCall[];
  toolCallId?: string;
}

/** JSON-scalar fields arrive as any JSON value; the resolver's schema checks they are objects. */
interface ResponseFormatDraft {
  type: NonNullable<ChatCompletionInput["responseFormat"]>["type"];
  jsonSchema?: { name?: string; schema: unknown; strict?: boolean | null };
}

interface ToolDraft {
  function: { name: string; description?: string; parameters?: unknown };
}

/** The chat resolver's input as GraphQL can deliver it; the resolver validates it and names bad fields. */
export type ChatCompletionDraft = Omit<
  ChatCompletionInput,
  "messages" | "responseFormat" | "tools" | "chatTemplateKwargs"
> & {
  messages: MessageDraft[];
  responseFormat?: ResponseFormatDraft;
  tools?: ToolDraft[];
  chatTemplateKwargs?: unknown;
};

const ChatRoleEnum = builder.enumType("ChatRole", {
  description: "Who speaks in a chat message.",
  values: {
    SYSTEM: { value: "system", description: "Instructions that frame the conversation." },
    DEVELOPER: { value: "developer", description: "Instructions from the application (treated as system)." },
    USER: { value: "user", description: "The user." },
    ASSISTANT: { value: "assistant", description: "The model: earlier answers, and the tool calls it made." },
    TOOL: { value: "tool", description: "A tool's result, answering the assistant's call `toolCallId`." },
  } satisfies Record<string, { value: ResolverMessage["role"]; description: string }>,
});

const FunctionCallInput = builder.inputType("FunctionCallInput", {
  description: "The function an assistant message called.",
  fields: (t) => ({
    name: t.string({ required: true, description: "The tool's name." }),
    arguments: t.string({ required: true, description: "The arguments, as a JSON text." }),
  }),
});

const ToolCallInput = builder.inputType("ToolCallInput", {
  description: "A tool call an earlier assistant message made.",
  fields: (t) => ({
    id: t.id({ required: true, description: "The call's id; the tool message answering it repeats it." }),
    function: t.field({
      type: FunctionCallInput,
      required: true,
      description: "What was called, with which arguments.",
    }),
  }),
});

const ChatMessageInput = builder.inputType("ChatMessageInput", {
  description: "One message of the conversation.",
  fields: (t) => ({
    role: t.field({ type: ChatRoleEnum, required: true, description: "Who speaks." }),
    content: t.string({
      description: "The text. Required for every role but ASSISTANT, whose message may only call tools.",
    }),
    reasoning: t.string({ description: "ASSISTANT only: the reasoning that came before its answer." }),
    toolCalls: t.field({ type: [ToolCallInput], description: "ASSISTANT only: the tools it called." }),
    toolCallId: t.string({ description: "TOOL only: the id of the call this message answers." }),
  }),
});

const FunctionDefinitionInput = builder.inputType("FunctionDefinitionInput", {
  description: "A function the model may call.",
  fields: (t) => ({
    name: t.string({ required: true, description: "1-64 letters, digits, _ or -." }),
    description: t.string({ description: "What it does, for the model." }),
    parameters: t.field({
      type: JsonScalar,
      description: "JSON schema of the arguments object. Enums and booleans constrain small models well.",
    }),
  }),
});

const ToolInput = builder.inputType("ToolInput", {
  description: "A tool the model may call (functions are the only kind).",
  fields: (t) => ({
    function: t.field({ type: FunctionDefinitionInput, required: true, description: "The function." }),
  }),
});

const ToolChoiceModeEnum = builder.enumType("ToolChoiceMode", {
  description: "Whether the model may, must or must not call tools.",
  values: {
    NONE: { value: "none", description: "Never call tools; answer in text." },
    AUTO: { value: "auto", description: "Answer in text or call tools (the default when tools are given)." },
    REQUIRED: {
      value: "required",
      description: "Call one or more of the tools; the output is constrained to calls.",
    },
  } as const,
});

const ToolChoiceFunctionInput = builder.inputType("ToolChoiceFunctionInput", {
  description: "Names the one tool the model must call.",
  fields: (t) => ({ name: t.string({ required: true, description: "The tool's name, as in `tools`." }) }),
});

const ToolChoiceInput = builder.inputType("ToolChoiceInput", {
  description: "How the model uses the tools: give exactly one of `mode` or `function`.",
  isOneOf: true,
  fields: (t) => ({
    mode: t.field({ type: ToolChoiceModeEnum, description: "None, auto or required." }),
    function: t.field({
      type: ToolChoiceFunctionInput,
      description: "Call this tool, exactly once; the output is constrained to that call.",
    }),
  }),
});

const ReasoningFormatEnum = builder.enumType("ReasoningFormat", {
  description: "Where a reasoning model's thinking goes.",
  values: {
    SEPARATE: {
      value: "separate",
      description: "Reported apart from the answer: ReasoningDelta events and `reasoning` (the default).",
    },
    INLINE: { value: "inline", description: "Left in the answer's text, markers included." },
  } as const,
});

const ResponseFormatTypeEnum = builder.enumType("ResponseFormatType", {
  description: "The form the answer must take.",
  values: {
    TEXT: { value: "text", description: "Free text (the default)." },
    JSON_OBJECT: { value: "json_object", description: "Any JSON object." },
    JSON_SCHEMA: { value: "json_schema", description: "JSON that follows `jsonSchema.schema`." },
  } as const,
});

const JsonSchemaFormatInput = builder.inputType("JsonSchemaFormatInput", {
  description: "The JSON schema the answer must follow.",
  fields: (t) => ({
    name: t.string({ description: "A name for the schema." }),
    schema: t.field({ type: JsonScalar, required: true, description: "The JSON schema (an object)." }),
    strict: t.boolean({ description: "Accepted for OpenAI compatibility; the schema is always enforced." }),
  }),
});

const ResponseFormatInput = builder.inputType("ResponseFormatInput", {
  description: "Constrains the answer to JSON.",
  fields: (t) => ({
    type: t.field({
      type: ResponseFormatTypeEnum,
      required: true,
      description: "Text, any JSON object, or a schema.",
    }),
    jsonSchema: t.field({ type: JsonSchemaFormatInput, description: "Required with JSON_SCHEMA." }),
  }),
});

export const ChatCompletionInputRef = builder.inputType("ChatCompletionInput", {
  description: "A chat completion request.",
  fields: (t) => ({
    messages: t.field({
      type: [ChatMessageInput],
      required: true,
      description: "The conversation so far; rendered with the model's own chat template.",
    }),
    ...generationInputFields(t),
    n: t.int({
      description:
        "How many choices to generate for the prompt (1 to 8, default 1): independent generations, each on its own slot (beyond the free slots they queue). With a `seed`, choice i samples with seed + i.",
    }),
    responseFormat: t.field({
      type: ResponseFormatInput,
      description: "Constrain the answer to JSON. Not combinable with `grammar`, `regex` or `choice`.",
    }),
    ...textConstraintInputFields(t, "responseFormat"),
    tools: t.field({ type: [ToolInput], description: "Tools the model may call (at most 128)." }),
    toolChoice: t.field({ type: ToolChoiceInput, description: "Default: AUTO with tools, NONE without." }),
    parallelToolCalls: t.boolean({
      description: "With REQUIRED, whether the model may make several calls. Default true.",
    }),
    reasoningFormat: t.field({ type: ReasoningFormatEnum, description: "Default SEPARATE." }),
    reasoningBudget: t.int({
      description: "Reasoning tokens after which the model is made to end its reasoning and answer.",
    }),
    reasoningEffort: t.string({
      description:
        "How much a reasoning model reasons, where its template takes it: `none` turns reasoning off (Qwen3's `enable_thinking`), a level (`low`, `medium`, `high`) is gpt-oss's `reasoning_effort`.",
    }),
    chatTemplateKwargs: t.field({
      type: JsonScalar,
      description: "Extra variables for the model's Jinja chat template, e.g. `{enable_thinking: false}`.",
    }),
    logprobs: t.boolean({ description: "Report each generated token's log-probability. Default false." }),
    topLogprobs: t.int({
      description: "With `logprobs`, also report this many alternatives per token (0 to 20).",
    }),
  }),
});

type ChatCompletionInputShape = typeof ChatCompletionInputRef.$inferInput;

export function toChatCompletionInput(input: ChatCompletionInputShape): ChatCompletionDraft {
  return {
    messages: input.messages.map((message) => ({
      role: message.role,
      content: orUndefined(message.content),
      reasoning: orUndefined(message.reasoning),
      toolCalls: message.toolCalls?.map((call) => ({
        id: String(call.id),
        function: { name: call.function.name, arguments: call.function.arguments },
      })),
      toolCallId: orUndefined(message.toolCallId),
    })),
    ...toGenerationFields(input),
    n: orUndefined(input.n),
    responseFormat: input.responseFormat
      ? {
          type: input.responseFormat.type,
          jsonSchema: input.responseFormat.jsonSchema
            ? {
                name: orUndefined(input.responseFormat.jsonSchema.name),
                schema: input.responseFormat.jsonSchema.schema,
                strict: input.responseFormat.jsonSchema.strict,
              }
            : undefined,
        }
      : undefined,
    ...toTextConstraintFields(input),
    tools: input.tools?.map((tool) => ({
      function: {
        name: tool.function.name,
        description: orUndefined(tool.function.description),
        parameters: orUndefined(tool.function.parameters),
      },
    })),
    toolChoice: input.toolChoice ? toToolChoice(input.toolChoice) : undefined,
    parallelToolCalls: orUndefined(input.parallelToolCalls),
    logprobs: orUndefined(input.logprobs),
    topLogprobs: orUndefined(input.topLogprobs),
    reasoningFormat: orUndefined(input.reasoningFormat),
    reasoningBudget: orUndefined(input.reasoningBudget),
    reasoningEffort: orUndefined(input.reasoningEffort),
    chatTemplateKwargs: orUndefined(input.chatTemplateKwargs),
  };
}

function toToolChoice(
  choice: NonNullable<ChatCompletionInputShape["toolChoice"]>,
): ChatCompletionInput["toolChoice"] {
  if (choice.mode) return choice.mode;
  return choice.function ? { function: { name: choice.function.name } } : undefined;
}
