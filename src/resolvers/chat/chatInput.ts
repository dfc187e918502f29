// The chat completion operation's input: the one schema GraphQL, tRPC and the OpenAI layer translate to.
// Every object is strict: an unknown field is an error naming it (tRPC clients send this input as is).
import { z } from "zod";
import { textConstraintFields } from "../outputConstraint.js";
import { generationFields } from "../samplingInput.js";

/** The most choices one chat completion may ask for (`n`). */
export const MAX_CHOICES = 8;

const textPartSchema = z.strictObject({ type: z.literal("text"), text: z.string() });
export const messageContentSchema = z
  .union([z.string(), z.array(textPartSchema)])
  .describe("Text, or a list of text parts that are joined");

const jsonObjectSchema = z.record(z.string(), z.unknown());

export const toolCallSchema = z.strictObject({
  id: z.string().min(1),
  type: z.literal("function").default("function"),
  function: z.strictObject({
    name: z.string().min(1),
    arguments: z.string().describe("The arguments as a JSON string"),
  }),
});

export const chatMessageSchema = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("system"), content: messageContentSchema }),
  z.strictObject({ role: z.literal("developer"), content: messageContentSchema }),
  z.strictObject({ role: z.literal("user"), content: messageContentSchema }),
  z.strictObject({
    role: z.literal("assistant"),
    content: messageContentSchema.nullish(),
    reasoning: z.string().nullish().describe("The reasoning that came before this answer"),
    toolCalls: z.array(toolCallSchema).optional(),
  }),
  z.strictObject({ role: z.literal("tool"), content: messageContentSchema, toolCallId: z.string().min(1) }),
]);

export const toolSchema = z.strictObject({
  type: z.literal("function").default("function"),
  function: z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "tool names are 1-64 letters, digits, _ or -"),
    description: z.string().optional(),
    parameters: jsonObjectSchema.optional().describe("JSON schema of the arguments"),
  }),
});

export const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.strictObject({
    type: z.literal("function").default("function"),
    function: z.strictObject({ name: z.string().min(1) }),
  }),
]);

export const responseFormatSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("text") }),
  z.strictObject({ type: z.literal("json_object") }),
  z.strictObject({
    type: z.literal("json_schema"),
    jsonSchema: z.strictObject({
      name: z.string().optional(),
      schema: jsonObjectSchema,
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const chatCompletionInputSchema = z.strictObject({
  messages: z.array(chatMessageSchema).min(1, "at least one message is required"),
  ...generationFields,
  n: z
    .number()
    .int()
    .min(1)
    .max(MAX_CHOICES)
    .default(1)
    .describe(
      "How many choices to generate for the prompt, each on its own slot; beyond the free slots they queue",
    ),
  responseFormat: responseFormatSchema.optional(),
  ...textConstraintFields,
  tools: z.array(toolSchema).max(128).optional(),
  toolChoice: toolChoiceSchema.optional(),
  parallelToolCalls: z.boolean().default(true),
  logprobs: z.boolean().default(false),
  topLogprobs: z.number().int().min(0).max(20).optional(),
  reasoningFormat: z
    .enum(["separate", "inline"])
    .default("separate")
    .describe("separate: reasoning is reported apart from the answer; inline: it stays in the content"),
  reasoningBudget: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("Reasoning tokens after which the model is made to end its reasoning"),
  reasoningEffort: z
    .string()
    .min(1)
    .optional()
    .describe(
      "How much a reasoning model reasons, where its template takes it: none turns reasoning off (Qwen3's enable_thinking), a level (low, medium, high) is gpt-oss's reasoning_effort",
    ),
  chatTemplateKwargs: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Extra variables for the model's Jinja chat template, e.g. enable_thinking"),
});

export type ChatCompletionInput = z.input<typeof chatCompletionInputSchema>;
export type ParsedChatCompletionInput = z.output<typeof chatCompletionInputSchema>;
export type ChatMessage = z.output<typeof chatMessageSchema>;
export type ToolDefinition = z.output<typeof toolSchema>;
export type ToolCall = z.output<typeof toolCallSchema>;
