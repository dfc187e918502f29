// How one model's conversations become prompts and how its output is read back: rendering with the
// GGUF's Jinja chat template where it has one (as llama-server --jinja does), and the output syntax
// of the chat wrapper that knows the family (node-llama-cpp's specialised wrappers, or the syntax
// node-llama-cpp extracts from the template itself).
import { Template } from "@huggingface/jinja";
import {
  type ChatWrapper,
  JinjaTemplateChatWrapper,
  type LlamaModel,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { InvalidInputError } from "../../errors.js";
import { addBos } from "../engine/specialTokens.js";
import type { ChatPrompt } from "../types.js";
import { toChatHistory, toChatModelFunctions } from "./chatHistory.js";
import { type ChatSyntax, chatSyntaxOf, type ToolCallFormat } from "./chatSyntax.js";
import { messageEndTokensOf, preservedTokensOf, turnEndTokensOf } from "./preservedTokens.js";
import { renderJinjaTemplate } from "./renderJinjaTemplate.js";

export interface RenderedPrompt {
  /** The prompt as text, special tokens written out. */
  text: string;
  tokens: Token[];
  /** Whether the prompt opens the model's reasoning, so its output starts inside it. */
  opensReasoning: boolean;
}

export interface ChatFormatInfo {
  /** The chat wrapper whose syntax reads the output (and renders prompts without a Jinja template). */
  wrapperName: string;
  /** "jinja": the GGUF's chat template renders prompts; "wrapper": the chat wrapper does. */
  renderer: "jinja" | "wrapper";
  toolCallFormat: ToolCallFormat;
  /** The markers around the model's reasoning, when the family has them. */
  reasoningMarkers?: { open: string; close: string };
}

export class ChatFormat {
  /** The special tokens generated text must show for the syntax to be read. */
  readonly preservedTokens: ReadonlySet<Token>;
  /** End-of-generation tokens that only end a message when the family continues the turn after them. */
  readonly messageEndTokens: ReadonlySet<Token>;
  /** The tokens that end the model's turn. */
  readonly turnEndTokens: readonly Token[];

  private constructor(
    private readonly model: LlamaModel,
    readonly syntax: ChatSyntax,
    private readonly syntaxWrapper: ChatWrapper,
    private readonly template: { source: string; compiled: Template } | undefined,
  ) {
    this.preservedTokens = preservedTokensOf(model, syntax);
    this.messageEndTokens = messageEndTokensOf(model, syntax);
    this.turnEndTokens = turnEndTokensOf(model, syntax);
  }

  static resolve(model: LlamaModel): ChatFormat {
    const source = model.fileInfo.metadata.tokenizer?.chat_template;
    const template = typeof source === "string" ? compileTemplate(source) : undefined;
    const resolved = resolveChatWrapper(model);
    const fromTemplate = template ? templateWrapper(template.source, model) : undefined;
    // The template's own call syntax when node-llama-cpp could read it from the template, else the
    // specialised wrapper's (Mistral, Harmony…), else node-llama-cpp's generic syntax.
    const syntaxWrapper =
      fromTemplate?.usingJinjaFunctionCallTemplate || resolved instanceof JinjaTemplateChatWrapper
        ? (fromTemplate ?? resolved)
        : resolved;
    const syntax = chatSyntaxOf(syntaxWrapper);
    const otherReasoning = chatSyntaxOf(
      syntaxWrapper === resolved ? (fromTemplate ?? resolved) : resolved,
    ).reasoning;
    return new ChatFormat(
      model,
      { ...syntax, reasoning: syntax.reasoning ?? otherReasoning },
      syntaxWrapper,
      template,
    );
  }

  info(): ChatFormatInfo {
    return {
      wrapperName: this.syntax.wrapperName,
      renderer: this.template ? "jinja" : "wrapper",
      toolCallFormat: this.syntax.toolCallFormat,
      ...(this.syntax.reasoning ? { reasoningMarkers: this.syntax.reasoning } : {}),
    };
  }

  /**
   * A conversation that ends with an assistant message's text continues that message (a prefill, as
   * llama-server and Anthropic's API read it): the rest is rendered up to the generation prompt, and
   * the text follows it, unclosed.
   */
  render(prompt: ChatPrompt): RenderedPrompt {
    const prefill = assistantPrefill(prompt);
    const conversation =
      prefill === undefined ? prompt : { ...prompt, messages: prompt.messages.slice(0, -1) };
    const { text, tokens } = this.usesTemplateFor(conversation)
      ? this.renderWithTemplate(conversation, prefill ?? "")
      : this.renderWithWrapper(conversation, prefill ?? "");
    const open = this.syntax.reasoning?.open;
    // A prefill continues the answer, unless it opened the reasoning itself.
    const opensReasoning =
      open !== undefined &&
      (prefill === undefined
        ? open === "" || text.trimEnd().endsWith(open)
        : open !== "" && prefill.trimEnd().endsWith(open));
    return { text, tokens, opensReasoning };
  }

  /** A template that never mentions tools would drop them: the wrapper documents them instead. */
  private usesTemplateFor(prompt: ChatPrompt): boolean {
    return (
      this.template !== undefined && (prompt.tools.length === 0 || this.template.source.includes("tools"))
    );
  }

  /** `prefill`: text after the generation prompt, tokenized with it (as llama-server tokenizes its prompt). */
  private renderWithTemplate(prompt: ChatPrompt, prefill: string): { text: string; tokens: Token[] } {
    const { bos, eos } = this.model.tokens;
    const rendered = renderJinjaTemplate(this.template!.compiled, prompt, {
      bosToken: bos === null ? "" : this.model.detokenize([bos], true),
      eosToken: eos === null ? "" : this.model.detokenize([eos], true),
    });
    const text = rendered + prefill;
    return { text, tokens: addBos(this.model, this.model.tokenize(text, true)) };
  }

  /** `prefill`: text after the generation prompt. */
  private renderWithWrapper(prompt: ChatPrompt, prefill: string): { text: string; tokens: Token[] } {
    const { contextText } = this.syntaxWrapper.generateContextState({
      chatHistory: toChatHistory(prompt),
      availableFunctions: prompt.tools.length ? toChatModelFunctions(prompt.tools) : undefined,
      documentFunctionParams: true,
    });
    const tokens = [...contextText.tokenize(this.model.tokenizer), ...this.model.tokenize(prefill, false)];
    return { text: this.model.detokenize(tokens, true), tokens };
  }
}

/**
 * Whether a conversation's last message asks the model to continue it (a prefill): an assistant
 * message with text and no tool calls.
 */
export function endsWithPrefill(prompt: ChatPrompt): boolean {
  const last = prompt.messages.at(-1);
  return last?.role === "assistant" && last.toolCalls.length === 0 && last.content !== "";
}

/** The prefill's text; its reasoning cannot be continued in every family's format, so it is refused. */
function assistantPrefill(prompt: ChatPrompt): string | undefined {
  const last = prompt.messages.at(-1);
  if (last?.role !== "assistant" || !endsWithPrefill(prompt)) return undefined;
  if (last.reasoning)
    throw new InvalidInputError(
      `messages.${prompt.messages.length - 1}.reasoning`,
      "A final assistant message is continued (a prefill): it cannot carry reasoning",
    );
  return last.content;
}

/**
 * The GGUF's template, compiled; undefined when the Jinja engine cannot parse it, and the chat
 * wrapper renders instead (as node-llama-cpp itself falls back).
 */
function compileTemplate(source: string): { source: string; compiled: Template } | undefined {
  try {
    return { source, compiled: new Template(source) };
  } catch {
    return undefined;
  }
}

/** node-llama-cpp's reading of a Jinja template (its call syntax and reasoning markers); undefined if it cannot. */
function templateWrapper(template: string, model: LlamaModel): JinjaTemplateChatWrapper | undefined {
  try {
    return new JinjaTemplateChatWrapper({ template, tokenizer: model.tokenizer });
  } catch {
    return undefined;
  }
}
