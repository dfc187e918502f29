// GBNF grammars that hold a chat model to its family's tool call syntax: the rest of a call once
// its trigger appeared (tool_choice auto, as llama.cpp's lazy grammars), or calls from the first
// token (required or named), each call's arguments following that tool's JSON schema.
import { gbnfLiteral } from "../grammar/gbnfText.js";
import { jsonSchemaRules } from "../grammar/jsonSchemaGrammar.js";
import type { ChatTool } from "../types.js";
import type { ReasoningSyntax, ToolCallSyntax } from "./chatSyntax.js";

export interface ToolCallGrammarOptions {
  /** Whether the grammar starts before the trigger (forced calls) or right after it (auto). */
  includeTrigger: boolean;
  parallel: boolean;
  /** Forced calls of a family that reasons first: the output may open its reasoning instead. */
  orReasoningOpen?: string;
}

export function toolCallGrammar(
  syntax: ToolCallSyntax,
  tools: readonly ChatTool[],
  { includeTrigger, parallel, orReasoningOpen }: ToolCallGrammarOptions,
): string {
  const rules: string[] = [];
  // A call written as a JSON object may carry its own id after the arguments (Mistral's 9 characters).
  const callIdField = syntax.suffix.startsWith("}")
    ? `(${gbnfLiteral(', "id": "')} [a-zA-Z0-9]{9} ${gbnfLiteral('"')})?`
    : "";
  const calls = tools.map((tool, index) => {
    const args = jsonSchemaRules(tool.parameters ?? { type: "object" }, `tool${index}-`);
    rules.push(args.rules);
    return `${gbnfLiteral(tool.name)} ${gbnfLiteral(syntax.paramsPrefix)} ${args.rootRule} ${callIdField} ${literalOrEmpty(syntax.suffix)}`;
  });
  const opening = (includeTrigger ? syntax.trigger : "") + syntax.afterTrigger;
  const more = parallel && syntax.parallel ? ` (${gbnfLiteral(syntax.nextCall)} call)*` : "";
  // Forced calls may follow some whitespace (after the reasoning, or the template's last line).
  const lead = includeTrigger ? "[ \\t\\n]{0,4} " : "";
  const reasoning = orReasoningOpen ? `${gbnfLiteral(orReasoningOpen)} | ` : "";
  return [
    `root ::= ${reasoning}${lead}${literalOrEmpty(opening)} call${more} ${literalOrEmpty(syntax.sectionSuffix)}`,
    `call ::= ${calls.join(" | ")}`,
    ...rules,
  ].join("\n");
}

/** Makes a model that has reasoned long enough close its reasoning now. */
export function closeReasoningGrammar(syntax: ReasoningSyntax): string {
  return `root ::= ${gbnfLiteral(syntax.close)}`;
}

function literalOrEmpty(text: string): string {
  return text === "" ? "" : gbnfLiteral(text);
}
