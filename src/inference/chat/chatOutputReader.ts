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
  /** Required calls where the family reasons first: whole calls, or the reasoning's opening marker. */
  requiredStart?: LlamaGrammar;
  closeReasoning?: LlamaGrammar;
}

export interface OutputReader {
  /** The grammar state for the next token, if any constrains it. */
  grammarState(): LlamaGrammarEvaluationState | undefined;
  /** Whether the turn may end at the next token (not while reasoning before calls it must make). */
  mayEndTurn(): boolean;
  /** Reads generated text (`tokens` tokens of it). */
  read(text: string, tokens: number): ParsedOutput[];
  finish(): {
    events: ParsedOutput[];
    toolCalls: readonly ParsedToolCall[];
    truncatedToolCall?: string;
    /** Tokens generated inside the model's reasoning, its markers left out. */
    reasoningTokens: number;
  };
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

  mayEndTurn() {
    return true;
  }

  read(text: string): ParsedOutput[] {
    return text ? [{ type: "text", channel: "content", text }] : [];
  }

  finish() {
    return { events: [], toolCalls: [], reasoningTokens: 0 };
  }
}

export class ChatOutputReader implements OutputReader {
  private readonly parser: ChatOutputParser;
  private readonly requestState?: LlamaGrammarEvaluationState;
  private state?: LlamaGrammarEvaluationState;
  private wasInReasoning: boolean;
  private closingReasoning = false;
  /** Tokens read while reasoning (not the one that opened it, nor the one that closed it), as vLLM counts them. */
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
    this.wasInReasoning = this.parser.inReasoning;
    if (this.wasInReasoning) this.state = this.reasoningState();
    else if (this.callsRequired() && grammars.requiredStart)
      this.state = this.stateFor(grammars.requiredStart);
    else this.state = this.answerState();
  }

  grammarState() {
    return this.state;
  }

  mayEndTurn() {
    return !(this.callsRequired() && this.parser.inReasoning);
  }

  read(text: string, tokens: number): ParsedOutput[] {
    const events = this.parser.push(text);
    const inReasoning = this.parser.inReasoning;
    if (this.wasInReasoning && inReasoning) this.reasoningTokens += tokens;
    if (inReasoning !== this.wasInReasoning) {
      this.wasInReasoning = inReasoning;
      this.closingReasoning = false;
      this.state = inReasoning ? this.reasoningState() : this.answerState();
    } else if (inReasoning && !this.closingReasoning) {
      this.state = this.reasoningState();
    } else if (
      this.options.toolCalls === "auto" &&
      this.grammars.toolCalls &&
      !this.requestState &&
      this.parser.atCallStart
    ) {
      // The call trigger appeared: the rest of the call follows the call syntax (a lazy grammar).
      this.state = this.stateFor(this.grammars.toolCalls);
    }
    return events;
  }

  finish() {
    const { events, truncatedToolCall } = this.parser.finish();
    return {
      events,
      toolCalls: this.parser.calls,
      ...(truncatedToolCall !== undefined ? { truncatedToolCall } : {}),
      reasoningTokens: this.reasoningTokens,
    };
  }

  private callsRequired(): boolean {
    return this.options.toolCalls === "required" && this.grammars.toolCalls !== undefined;
  }

  /** Reasoning is free, until it runs over its budget: then the model must close it. */
  private reasoningState(): LlamaGrammarEvaluationState | undefined {
    const { closeReasoning } = this.grammars;
    const budget = this.options.reasoningBudget;
    if (!closeReasoning || budget === undefined || this.reasoningTokens < budget) return undefined;
    this.closingReasoning = true;
    return this.stateFor(closeReasoning);
  }

  /** The answer after any reasoning: required calls, or what the request's own grammar allows. */
  private answerState(): LlamaGrammarEvaluationState | undefined {
    return this.callsRequired() ? this.stateFor(this.grammars.toolCalls!) : this.requestState;
  }

  private stateFor(grammar: LlamaGrammar): LlamaGrammarEvaluationState {
    return new LlamaGrammarEvaluationState({ model: this.model, grammar });
  }
}
