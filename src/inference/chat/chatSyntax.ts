// A chat family's output syntax as plain text markers, read from the chat wrapper that knows it:
// how a tool call opens, names its function, carries its arguments and closes, and how reasoning
// is marked. The wrapper is the one authority on the syntax; this only flattens it for matching.
import { ChatWrapper, type ChatWrapperSettings, LlamaText, SpecialToken } from "node-llama-cpp";

export type ToolCallFormat = "native" | "generic";

export interface ToolCallSyntax {
  /**
   * What makes the output a tool call: the first marker of the call (a special token such as
   * `<tool_call>` or `[TOOL_CALLS]`), or the whole opening where the family has no such token.
   */
  trigger: string;
  /** The rest of the opening after the trigger, up to the function name. */
  afterTrigger: string;
  /** The opening of a call after the first one (between calls, then the call prefix). */
  nextCall: string;
  /** Between the function name and its JSON arguments. */
  paramsPrefix: string;
  /** After the arguments. */
  suffix: string;
  /** After the last call of a section (e.g. Mistral's `]`); empty when nothing is expected. */
  sectionSuffix: string;
  /** Whether the family can write several calls in one turn. */
  parallel: boolean;
}

export interface ReasoningSyntax {
  /** Empty when the family's output always starts inside its reasoning. */
  open: string;
  close: string;
}

export interface ChatSyntax {
  /** The node-llama-cpp chat wrapper the syntax comes from. */
  wrapperName: string;
  /** "native": the family's trained syntax; "generic": node-llama-cpp's default for wrappers that have none. */
  toolCallFormat: ToolCallFormat;
  toolCall: ToolCallSyntax;
  reasoning?: ReasoningSyntax;
  /** Texts that end the model's turn besides end-of-generation tokens. */
  stopTriggers: string[];
  /**
   * Where a family writes several messages in one turn (Harmony: analysis, then final): the text
   * that ends one message without ending the turn, even where it is an end-of-generation token.
   */
  messageEnd?: string;
  /** Texts that open a message (`<|start|>assistant`, `<|channel|>final<|message|>`): structure, not content. */
  messageHeaders: string[];
}

/** A leading special-token marker such as `<tool_call>`, `<|python_tag|>` or `[TOOL_CALLS]`. */
const LEADING_MARKER = /^\s*(<\|?[A-Za-z_][\w.|-]*\|?>|\[[A-Z_]+\])/;

export function chatSyntaxOf(wrapper: ChatWrapper): ChatSyntax {
  const { functions, segments } = wrapper.settings;
  const sectionPrefix = markerText(functions.parallelism?.call.sectionPrefix);
  const prefix = markerText(functions.call.prefix);
  const opening = sectionPrefix + prefix;
  const trigger = opening.match(LEADING_MARKER)?.[1] ?? opening.trim();
  const thought = segments?.thought;
  const generic = functions === ChatWrapper.defaultSettings.functions;
  return {
    wrapperName: wrapper.wrapperName,
    toolCallFormat: generic ? "generic" : "native",
    toolCall: {
      trigger,
      afterTrigger: opening.slice(opening.indexOf(trigger) + trigger.length),
      // node-llama-cpp's generic syntax has no parallel calls of its own: calls follow on new lines.
      nextCall: (functions.parallelism ? markerText(functions.parallelism.call.betweenCalls) : "\n") + prefix,
      paramsPrefix: markerText(functions.call.paramsPrefix),
      suffix: withClosingBrackets(prefix, markerText(functions.call.suffix)),
      sectionSuffix: sectionSuffixText(functions.parallelism?.call.sectionSuffix),
      parallel: functions.parallelism !== undefined || generic,
    },
    reasoning: thought
      ? {
          open:
            typeof thought.prefix === "object" && "type" in thought.prefix
              ? ""
              : markerText(thought.prefix).trim(),
          close: markerText(thought.suffix).trim(),
        }
      : undefined,
    ...turnStructureOf(wrapper),
  };
}

type Marker = ChatWrapperSettings["functions"]["call"]["prefix"] | undefined;

/** A marker's text; built-in special tokens (BOS, EOS) have no text to match and are left out. */
function markerText(marker: Marker): string {
  if (marker === undefined) return "";
  if (typeof marker === "string") return marker;
  return LlamaText(marker)
    .values.map((value) => (value instanceof SpecialToken ? "" : value.toString()))
    .join("");
}

/**
 * What closes a call section, up to the end of the turn: the model ends its turn there anyway,
 * so a turn delimiter (`<|im_end|>…`) or end-of-sequence token is not part of the call syntax.
 */
function sectionSuffixText(marker: Marker): string {
  const text = markerText(marker);
  const turnEnd = text.search(/<\||<｜/);
  return (turnEnd < 0 ? text : text.slice(0, turnEnd)).trim();
}

/**
 * The call suffix with the brackets the call's opening leaves open: Llama 3.1's `{"name": …,
 * "parameters": {…}` closes with a `}` that node-llama-cpp counts as part of the result instead.
 */
function withClosingBrackets(prefix: string, suffix: string): string {
  const unclosed = count(prefix, "{") - count(suffix, "}");
  return unclosed > 0 ? "}".repeat(unclosed) + suffix : suffix;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function turnStructureOf(
  wrapper: ChatWrapper,
): Pick<ChatSyntax, "stopTriggers" | "messageEnd" | "messageHeaders"> {
  const state = wrapper.generateContextState({
    chatHistory: [
      { type: "user", text: "" },
      { type: "model", response: [] },
    ],
  });
  const texts = (markers: readonly Marker[]) => [
    ...new Set(markers.map((marker) => markerText(marker).trim()).filter((text) => text !== "")),
  ];
  const stopTriggers = texts(state.stopGenerationTriggers);
  const messageEnd =
    state.rerender?.action === "closeResponseItem" ? texts(state.rerender.triggers)[0] : undefined;
  if (messageEnd === undefined) return { stopTriggers, messageHeaders: [] };

  const headers = (state.prefixTriggers ?? []).flatMap((trigger) => {
    if (trigger.type === "functionCall") return trigger.inject ? [trigger.inject] : [];
    if (trigger.type === "segment" && trigger.segmentType === "thought") return [];
    return trigger.triggers.map((text) => LlamaText([text, trigger.inject ?? ""]));
  });
  // The generation prompt ends with the header of the model's first message: later ones repeat it.
  const prompt = markerText(state.contextText);
  const firstHeader = prompt.slice(prompt.lastIndexOf(messageEnd) + messageEnd.length);
  return { stopTriggers, messageEnd, messageHeaders: texts([firstHeader, ...headers]) };
}
