// Reads a chat model's output as it streams, with the markers of its family's syntax (see ChatSyntax):
// answer text, reasoning, and tool calls with their arguments fragment by fragment. Text that may be
// the start of a marker is held back until it is known not to be one.
import type { OutputChannel } from "../types.js";
import type { ChatSyntax } from "./chatSyntax.js";

export type ParsedOutput =
  | { type: "text"; channel: OutputChannel; text: string }
  | { type: "toolCall"; index: number; name?: string; argumentsDelta: string };

export interface ParsedToolCall {
  name: string;
  arguments: string;
}

export interface ChatOutputParserOptions {
  syntax: ChatSyntax;
  parseToolCalls: boolean;
  parseReasoning: boolean;
  /** The prompt opened the reasoning (e.g. ends with `<think>`): the output starts inside it. */
  startsInReasoning: boolean;
}

type State =
  | "content"
  | "reasoning"
  /** After the trigger: the rest of the call's opening. */
  | "callOpening"
  | "callName"
  | "callArguments"
  | "callClosing"
  /** After a complete call: another call, the section's end, or text. */
  | "afterCall";

/** A call name longer than this without its parameters marker is not a call. */
const MAX_NAME_LENGTH = 256;

export class ChatOutputParser {
  /** The complete calls so far. */
  readonly calls: ParsedToolCall[] = [];
  private state: State;
  private buffer = "";
  private out: ParsedOutput[] = [];
  /** Whitespace at the start of a channel is dropped (after a marker such as `</think>`). */
  private atChannelStart: boolean;
  private current?: ParsedToolCall & { raw: string };
  private readonly json = new JsonValueEnd();
  private triggerEndedText = false;
  /** The markers that end each free-text state, and the state each leads to. */
  private readonly contentMarkers: [string, State][];
  private readonly reasoningMarkers: [string, State][];

  constructor(private readonly options: ChatOutputParserOptions) {
    const { toolCall, reasoning, messageHeaders, messageEnd } = options.syntax;
    this.contentMarkers = messageHeaders.map((header): [string, State] => [header, "content"]);
    if (messageEnd) this.contentMarkers.push([messageEnd, "content"]);
    if (options.parseReasoning && reasoning?.open) this.contentMarkers.push([reasoning.open, "reasoning"]);
    if (options.parseToolCalls && toolCall.trigger)
      this.contentMarkers.push([toolCall.trigger, "callOpening"]);
    this.reasoningMarkers = reasoning?.close ? [[reasoning.close, "content"]] : [];
    this.state = options.startsInReasoning && options.parseReasoning ? "reasoning" : "content";
    this.atChannelStart = this.state === "reasoning";
  }

  /** Whether the output is inside a tool call section (after the call trigger). */
  get inToolCalls(): boolean {
    return this.state !== "content" && this.state !== "reasoning";
  }

  get inReasoning(): boolean {
    return this.state === "reasoning";
  }

  /**
   * Whether the last `push` ended right after a call trigger (nothing of the call read yet):
   * the point where a grammar for the rest of the call can take over.
   */
  get atCallStart(): boolean {
    return this.triggerEndedText;
  }

  push(text: string): ParsedOutput[] {
    this.triggerEndedText = false;
    this.buffer += text;
    if (this.current) this.current.raw += text;
    while (this.step()) {}
    return this.take();
  }

  /** Ends the output: held text is released, and a call that did not complete is returned as text. */
  finish(): { events: ParsedOutput[]; truncatedToolCall?: string } {
    let truncatedToolCall: string | undefined;
    if (this.state === "content" || this.state === "reasoning") this.emitText(this.buffer.trimEnd());
    else if (this.current) truncatedToolCall = this.current.raw;
    else if (this.state === "afterCall") this.emitTrailingText();
    this.buffer = "";
    this.current = undefined;
    return { events: this.take(), ...(truncatedToolCall !== undefined ? { truncatedToolCall } : {}) };
  }

  private take(): ParsedOutput[] {
    const events = this.out;
    this.out = [];
    return events;
  }

  /** Reads as far as the buffer allows; true when the state changed and reading should go on. */
  private step(): boolean {
    const { toolCall } = this.options.syntax;
    switch (this.state) {
      case "content":
        return this.readUntilMarker(this.contentMarkers);
      case "reasoning":
        return this.readUntilMarker(this.reasoningMarkers);
      case "callOpening":
        return this.expect(toolCall.afterTrigger, "callName");
      case "callName": {
        const end = this.buffer.indexOf(toolCall.paramsPrefix);
        if (end < 0) {
          if (this.buffer.length > MAX_NAME_LENGTH) this.abandonCall();
          return false;
        }
        const name = this.buffer.slice(0, end).trim();
        this.buffer = this.buffer.slice(end + toolCall.paramsPrefix.length);
        this.current = { name, arguments: "", raw: this.current?.raw ?? "" };
        this.out.push({ type: "toolCall", index: this.calls.length, name, argumentsDelta: "" });
        this.json.reset();
        this.state = "callArguments";
        return true;
      }
      case "callArguments":
        return this.readArguments();
      case "callClosing":
        return this.readCallClosing(toolCall.suffix.trim());
      case "afterCall":
        return this.readAfterCall();
    }
  }

  private readUntilMarker(markers: [string, State][]): boolean {
    const channel: OutputChannel = this.state === "reasoning" ? "reasoning" : "content";
    if (markers.length === 0) {
      this.emitText(this.buffer, channel);
      this.buffer = "";
      return false;
    }
    let found: { index: number; marker: string; next: State } | undefined;
    for (const [marker, next] of markers) {
      const index = this.buffer.indexOf(marker);
      const better =
        found === undefined ||
        index < found.index ||
        (index === found.index && marker.length > found.marker.length);
      if (index >= 0 && better) found = { index, marker, next };
    }
    if (!found) {
      let kept =
        this.buffer.length -
        longestMarkerStartAtEnd(
          this.buffer,
          markers.map(([marker]) => marker),
        );
      // Whitespace is held too where a marker may follow: it belongs to neither side of it.
      if (markers.length) while (kept > 0 && /\s/.test(this.buffer[kept - 1])) kept--;
      this.emitText(this.buffer.slice(0, kept), channel);
      this.buffer = this.buffer.slice(kept);
      return false;
    }
    const fromMarker = this.buffer.slice(found.index);
    if (markers.some(([marker]) => marker.length > fromMarker.length && marker.startsWith(fromMarker))) {
      // A longer marker may still be coming (`<|channel|>analysis` then `<|message|>`): wait for it.
      this.emitText(this.buffer.slice(0, found.index).trimEnd(), channel);
      this.buffer = fromMarker;
      return false;
    }
    this.emitText(this.buffer.slice(0, found.index).trimEnd(), channel);
    this.buffer = this.buffer.slice(found.index + found.marker.length);
    this.startChannel();
    this.state = found.next;
    if (found.next === "callOpening") {
      this.current = { name: "", arguments: "", raw: found.marker + this.buffer };
      this.triggerEndedText = this.buffer === "";
    }
    return true;
  }

  /** Consumes `expected` (leading whitespace aside), then moves on; a mismatch is tolerated. */
  private expect(expected: string, next: State): boolean {
    const text = expected.trim() === expected ? this.buffer.trimStart() : this.buffer;
    if (text.length < expected.length && expected.startsWith(text)) return false;
    this.buffer = text.startsWith(expected) ? text.slice(expected.length) : text;
    this.state = next;
    return true;
  }

  private readArguments(): boolean {
    const current = this.current!;
    let delta = "";
    let index = 0;
    if (current.arguments === "") {
      const start = this.buffer.search(/\S/);
      if (start < 0) {
        this.buffer = "";
        return false;
      }
      index = start;
      // A call without a JSON object (node-llama-cpp's generic syntax writes `name()`) has no arguments.
      if (this.buffer[start] !== "{") return this.completeCall("{}", start);
    }
    for (; index < this.buffer.length; index++) {
      const char = this.buffer[index];
      delta += char;
      if (this.json.push(char)) {
        current.arguments += delta;
        this.out.push({ type: "toolCall", index: this.calls.length, argumentsDelta: delta });
        return this.completeCall(current.arguments, index + 1);
      }
    }
    current.arguments += delta;
    if (delta) this.out.push({ type: "toolCall", index: this.calls.length, argumentsDelta: delta });
    this.buffer = "";
    return false;
  }

  private completeCall(args: string, consumed: number): boolean {
    this.calls.push({ name: this.current!.name, arguments: args });
    this.current = undefined;
    this.buffer = this.buffer.slice(consumed);
    this.state = "callClosing";
    return true;
  }

  /**
   * Consumes the call's closing; fields the model adds after the arguments (Mistral's `"id"`) are
   * skipped up to it.
   */
  private readCallClosing(suffix: string): boolean {
    const text = this.buffer.trimStart();
    if (suffix === "" || text.startsWith(suffix)) {
      this.buffer = text.slice(suffix.length);
      this.state = "afterCall";
      return true;
    }
    if (text.length < suffix.length && suffix.startsWith(text)) return false;
    const end = text.indexOf(suffix);
    if (end < 0 && text.length < MAX_NAME_LENGTH) return false;
    this.buffer = end < 0 ? text : text.slice(end + suffix.length);
    this.state = "afterCall";
    return true;
  }

  private readAfterCall(): boolean {
    const { nextCall, trigger, sectionSuffix } = this.options.syntax.toolCall;
    const text = this.buffer.trimStart();
    if (text === "") return false;
    const next = nextCall.trim();
    for (const [marker, state] of [
      [next, "callName"],
      [trigger, "callOpening"],
      [sectionSuffix, "afterCall"],
    ] as const) {
      if (marker === "") continue;
      if (text.startsWith(marker)) {
        this.buffer = text.slice(marker.length);
        if (state !== "afterCall") this.current = { name: "", arguments: "", raw: marker + this.buffer };
        this.state = state;
        return state !== "afterCall" || this.buffer !== "";
      }
      if (marker.startsWith(text)) return false;
    }
    this.buffer = text;
    this.state = "content";
    this.startChannel();
    return true;
  }

  private emitTrailingText(): void {
    const { sectionSuffix } = this.options.syntax.toolCall;
    let text = this.buffer.trim();
    if (sectionSuffix && text.startsWith(sectionSuffix)) text = text.slice(sectionSuffix.length).trim();
    this.startChannel();
    this.emitText(text);
  }

  private abandonCall(): void {
    const raw = this.current?.raw ?? this.buffer;
    this.current = undefined;
    this.buffer = "";
    this.state = "content";
    this.emitText(raw);
  }

  private startChannel(): void {
    this.atChannelStart = true;
  }

  private emitText(
    text: string,
    channel: OutputChannel = this.state === "reasoning" ? "reasoning" : "content",
  ) {
    let body = text;
    if (this.atChannelStart) {
      body = body.trimStart();
      if (body === "") return;
      this.atChannelStart = false;
    }
    if (body === "") return;
    const last = this.out.at(-1);
    if (last?.type === "text" && last.channel === channel) last.text += body;
    else this.out.push({ type: "text", channel, text: body });
  }
}

/** How many characters at the end of `text` could be the start of one of the markers. */
function longestMarkerStartAtEnd(text: string, markers: string[]): number {
  let longest = 0;
  for (const marker of markers)
    for (let length = Math.min(marker.length - 1, text.length); length > longest; length--)
      if (text.endsWith(marker.slice(0, length))) {
        longest = length;
        break;
      }
  return longest;
}

/** Finds where a JSON object or array ends, one character at a time. */
class JsonValueEnd {
  private depth = 0;
  private inString = false;
  private escaped = false;

  reset(): void {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  /** True when `char` closes the value. */
  push(char: string): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (char === "\\") this.escaped = true;
      else if (char === '"') this.inString = false;
      return false;
    }
    if (char === '"') this.inString = true;
    else if (char === "{" || char === "[") this.depth++;
    else if (char === "}" || char === "]") return --this.depth === 0;
    return false;
  }
}
