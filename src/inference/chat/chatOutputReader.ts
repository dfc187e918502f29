// One chat generation's view of its output: the parser that splits it into content, reasoning and
// tool calls, and the grammar that holds the model to the call syntax once a call starts (or from the
// start, when calls are required) or makes it close reasoning that ran over its budget.
import { type LlamaGrammar, LlamaGrammarEvaluationState, type LlamaModel } from "node-llama-cpp";
import type { ChatOutputOptions } from "../types.js";
import { ChatOutputParser, type ParsedOutput, type ParsedToolCall } from "./chatOutputParser.js";
import type { ChatSyntax } from "./chatSyntax.js";

/** The grammars a chat generation may switch to, compiled before it takes a slot. */
export interface ChatOutputGrammars {
  /** The rest of a call after its trigger (auto), or whole calls (required). */
  toolCalls?: LlamaGrammar;
  closeReasoning?: LlamaGrammar;
}

export interface OutputReader {
  /** The grammar state for the next token, if any constrains it. */
  grammarState(): LlamaGrammarEvaluationState | undefined;
  /** Reads generated text (`tokens` tokens of it). */
  read(text: string, tokens: number): ParsedOutput[];
  finish(): { events: ParsedOutput[]; toolCalls: readonly ParsedToolCall[]; truncatedToolCall?: string };
}

/** Plain completions: the text as it comes, under the request's grammar if it has one. */
export class TextOutputReader implements OutputReader {
  private readonly state?: LlamaGrammarEvaluationState;

  constructor(model: LlamaModel, grammar: LlamaGrammar | undefined) {
    this.state = grammar ? new LlamaGrammarEvaluationState({ model, grammar }) : undefined;
  }

  grammarState() {
    return this.state;
  }

  read(text: string): ParsedOutput[] {
    return text ? [{ type: "text", channel: "content", text }] : [];
  }

  finish() {
    return { events: [], toolCalls: [] };
  }
}

export class ChatOutputReader implements OutputReader {
  private readonly parser: ChatOutputParser;
  private readonly requestState?: LlamaGrammarEvaluationState;
  private state?: LlamaGrammarEvaluationState;
  private closingReasoning = false;
  private reasoningTokens = 0;

  constructor(
    private readonly model: LlamaModel,
    syntax: ChatSyntax,
    private readonly options: ChatOutputOptions,
    startsInReasoning: boolean,
    private readonly grammars: ChatOutputGrammars,
    requestGrammar: LlamaGrammar | undefined,
  ) {
    this.parser = new ChatOutputParser({
      syntax,
      parseToolCalls: options.toolCalls !== "none",
      parseReasoning: options.reasoning === "separate",
      startsInReasoning,
    });
    this.requestState = requestGrammar
      ? new LlamaGrammarEvaluationState({ model, grammar: requestGrammar })
      : undefined;
    this.state =
      options.toolCalls === "required" && grammars.toolCalls
        ? this.stateFor(grammars.toolCalls)
        : this.requestState;
    // No reasoning at all: a prompt that opens it is closed by the first token.
    if (options.reasoningBudget === 0 && this.parser.inReasoning && grammars.closeReasoning) {
      this.closingReasoning = true;
      this.state = this.stateFor(grammars.closeReasoning);
    }
  }

  grammarState() {
    return this.state;
  }

  read(text: string, tokens: number): ParsedOutput[] {
    const wasInReasoning = this.parser.inReasoning;
    const events = this.parser.push(text);
    if (wasInReasoning && this.parser.inReasoning) this.reasoningTokens += tokens;
    this.updateGrammar();
    return events;
  }

  finish() {
    const { events, truncatedToolCall } = this.parser.finish();
    return {
      events,
      toolCalls: this.parser.calls,
      ...(truncatedToolCall !== undefined ? { truncatedToolCall } : {}),
    };
  }

  private updateGrammar(): void {
    const { toolCalls, closeReasoning } = this.grammars;
    if (this.options.toolCalls === "auto" && toolCalls && !this.requestState && this.parser.atCallStart) {
      this.state = this.stateFor(toolCalls);
      return;
    }
    const budget = this.options.reasoningBudget;
    if (closeReasoning && budget !== undefined) {
      if (!this.closingReasoning && this.parser.inReasoning && this.reasoningTokens >= budget) {
        this.closingReasoning = true;
        this.state = this.stateFor(closeReasoning);
      } else if (this.closingReasoning && !this.parser.inReasoning) {
        this.closingReasoning = false;
        this.state = this.requestState;
      }
    }
  }

  private stateFor(grammar: LlamaGrammar): LlamaGrammarEvaluationState {
    return new LlamaGrammarEvaluationState({ model: this.model, grammar });
  }
}
