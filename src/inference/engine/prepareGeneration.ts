// What a generation needs before it takes a slot: its prompt's tokens and the reader of its output
// (with the grammars that reader may switch to, compiled now so a bad one fails before the queue).
import type { Token } from "node-llama-cpp";
import { ChatOutputReader, type OutputReader, TextOutputReader } from "../chat/chatOutputReader.js";
import { closeReasoningGrammar, toolCallGrammar } from "../chat/toolCallGrammar.js";
import type { GenerationRequest } from "../types.js";
import { infillPromptTokens } from "./infillPrompt.js";
import type { LoadedModel } from "./loadedModel.js";

export interface PreparedGeneration {
  promptTokens: Token[];
  /** Reads the output (plain text, or a chat family's syntax) and chooses its grammar per token. */
  output: OutputReader;
  /** Whether a grammar constrains any of the output (see buildEvaluateOptions). */
  mayConstrain: boolean;
  /** Special tokens written out in the text (the chat syntax's markers). */
  preservedTokens: ReadonlySet<Token>;
  /** End-of-generation tokens that do not end this generation (see ChatSyntax.messageEnd). */
  messageEndTokens: ReadonlySet<Token>;
  /** Texts that end the turn besides the request's stop strings (the chat wrapper's stop triggers). */
  turnEndTriggers: readonly string[];
  /** The tokens that end the turn (end-of-generation tokens and one-token stop triggers). */
  turnEndTokens: readonly Token[];
}

const NO_TOKENS: ReadonlySet<Token> = new Set();

export async function prepareGeneration(
  model: LoadedModel,
  request: GenerationRequest,
): Promise<PreparedGeneration> {
  const { prompt } = request;
  const requestGrammar = request.constraint ? await model.compileConstraint(request.constraint) : undefined;
  if (prompt.kind === "text" || prompt.kind === "tokens" || prompt.kind === "infill")
    return {
      promptTokens:
        prompt.kind === "text"
          ? model.textPromptTokens(prompt.text)
          : prompt.kind === "tokens"
            ? model.checkedTokens(prompt.tokens, "prompt")
            : infillPromptTokens(model.model, model.id, prompt),
      output: new TextOutputReader(model.model, requestGrammar),
      mayConstrain: requestGrammar !== undefined,
      preservedTokens: NO_TOKENS,
      messageEndTokens: NO_TOKENS,
      turnEndTriggers: [],
      turnEndTokens: [],
    };

  const format = model.chatFormat;
  const rendered = format.render(prompt);
  const options = request.chatOutput ?? {
    toolCalls: "none",
    toolNames: [],
    parallelToolCalls: false,
    reasoning: "separate",
  };
  const { syntax } = format;
  const tools = prompt.tools.filter((tool) => options.toolNames.includes(tool.name));
  const parallel = options.parallelToolCalls;
  const toolCalls =
    options.toolCalls !== "none" && tools.length > 0
      ? await model.compileGrammar(
          toolCallGrammar(syntax.toolCall, tools, {
            includeTrigger: options.toolCalls === "required",
            parallel,
          }),
        )
      : undefined;
  // A family that reasons may do so before calls it must make: the grammar lets it open its reasoning.
  const reasoningOpen = options.reasoning === "separate" ? syntax.reasoning?.open : undefined;
  const requiredStart =
    options.toolCalls === "required" && tools.length > 0 && reasoningOpen && !rendered.opensReasoning
      ? await model.compileGrammar(
          toolCallGrammar(syntax.toolCall, tools, {
            includeTrigger: true,
            parallel,
            orReasoningOpen: reasoningOpen,
          }),
        )
      : undefined;
  const closeReasoning =
    options.reasoningBudget !== undefined && syntax.reasoning
      ? await model.compileGrammar(closeReasoningGrammar(syntax.reasoning))
      : undefined;
  const output = new ChatOutputReader(
    model.model,
    syntax,
    options,
    rendered.opensReasoning,
    { toolCalls, requiredStart, closeReasoning },
    requestGrammar,
  );
  return {
    promptTokens: rendered.tokens,
    output,
    mayConstrain: [requestGrammar, toolCalls, requiredStart, closeReasoning].some(
      (grammar) => grammar !== undefined,
    ),
    preservedTokens: format.preservedTokens,
    messageEndTokens: format.messageEndTokens,
    turnEndTriggers: syntax.stopTriggers,
    turnEndTokens: options.toolCalls === "required" ? format.turnEndTokens : [],
  };
}
