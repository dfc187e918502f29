// The special tokens a chat syntax is spelled with, which generated text must show to be read.
import type { LlamaModel, Token } from "node-llama-cpp";
import type { ChatSyntax } from "./chatSyntax.js";

export function preservedTokensOf(model: LlamaModel, syntax: ChatSyntax): Set<Token> {
  const { toolCall, reasoning, stopTriggers } = syntax;
  const markers = [
    toolCall.trigger,
    toolCall.afterTrigger,
    toolCall.nextCall,
    toolCall.paramsPrefix,
    toolCall.suffix,
    toolCall.sectionSuffix,
    reasoning?.open ?? "",
    reasoning?.close ?? "",
    ...stopTriggers,
    ...syntax.messageHeaders,
    syntax.messageEnd ?? "",
  ];
  const preserved = new Set<Token>();
  // A token that reads as nothing without special tokens is one the output would lose.
  for (const marker of markers)
    for (const token of model.tokenize(marker, true))
      if (model.detokenize([token], false) === "" && model.detokenize([token], true) !== "")
        preserved.add(token);
  return preserved;
}

/** The tokens that end a message but not the turn (see ChatSyntax.messageEnd). */
export function messageEndTokensOf(model: LlamaModel, syntax: ChatSyntax): Set<Token> {
  if (!syntax.messageEnd) return new Set();
  const tokens = model.tokenize(syntax.messageEnd, true);
  return new Set(tokens.length === 1 ? tokens : []);
}

/** The end-of-sequence and end-of-turn tokens, and stop triggers that are one token; not those that only end a message. */
export function turnEndTokensOf(model: LlamaModel, syntax: ChatSyntax): Token[] {
  const messageEnd = messageEndTokensOf(model, syntax);
  const triggers = syntax.stopTriggers.map((trigger) => model.tokenize(trigger, true));
  const candidates = [
    model.tokens.eos,
    model.tokens.eot,
    ...triggers.filter((tokens) => tokens.length === 1).map(([token]) => token),
  ];
  return [...new Set(candidates)].filter((token): token is Token => token !== null && !messageEnd.has(token));
}
