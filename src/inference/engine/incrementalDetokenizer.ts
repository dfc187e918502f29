// Turns generated tokens into text one token at a time, keeping tokens back while they end
// in an incomplete UTF-8 sequence (byte-fallback tokens) so no U+FFFD ever reaches a client.
// Special tokens are written out only where the chat syntax needs to see them (`<|channel|>`,
// `[TOOL_CALLS]`…): as llama-server does with a chat format's preserved tokens.
import type { LlamaModel, Token } from "node-llama-cpp";

const REPLACEMENT_CHARACTER = "\uFFFD";
/** Enough preceding tokens for the detokenizer to decide on leading spaces. */
const CONTEXT_TOKENS = 4;
/** A UTF-8 character spans at most 4 byte tokens: past that, a U+FFFD is really in the output. */
const MAX_HELD_TOKENS = 4;

export class IncrementalDetokenizer {
  private readonly history: Token[];
  private held: Token[] = [];

  constructor(
    private readonly model: LlamaModel,
    precedingTokens: readonly Token[],
    private readonly preservedTokens: ReadonlySet<Token> = new Set(),
  ) {
    this.history = precedingTokens.slice(-CONTEXT_TOKENS);
  }

  /** The tokens the next token's text is read after: the last ones written, then those held back. */
  context(): readonly Token[] {
    return [...this.history, ...this.held];
  }

  push(token: Token): string {
    if (this.preservedTokens.has(token)) {
      const before = this.held.length ? this.model.detokenize(this.held, false, this.history) : "";
      this.remember([...this.held, token]);
      return before + this.model.detokenize([token], true);
    }
    this.held.push(token);
    const text = this.model.detokenize(this.held, false, this.history);
    if (text.endsWith(REPLACEMENT_CHARACTER) && this.held.length < MAX_HELD_TOKENS) return "";
    this.remember(this.held);
    return text;
  }

  private remember(tokens: Token[]): void {
    this.history.push(...tokens);
    this.history.splice(0, Math.max(0, this.history.length - CONTEXT_TOKENS));
    this.held = [];
  }
}
