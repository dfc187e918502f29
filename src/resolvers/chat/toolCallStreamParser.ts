// Reads a JSON array of tool calls ([{"name": "...", "arguments": {...}}, ...]) as it streams,
// reporting each call's name as soon as it is complete and its arguments fragment by fragment.

export interface ToolCallFragment {
  index: number;
  /** Set on the first fragment of a call. */
  name?: string;
  argumentsDelta: string;
}

export class ToolCallStreamParser {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private stringBuffer = "";
  private expectingKey = false;
  private currentKey = "";
  private readingKey = false;
  private readingName = false;
  private argumentsDepth = -1;
  private callIndex = -1;
  private fragments = new Map<number, ToolCallFragment>();
  readonly calls: { name: string; arguments: string }[] = [];

  push(text: string): ToolCallFragment[] {
    this.fragments = new Map();
    for (const char of text) {
      if (this.argumentsDepth >= 0) {
        this.appendArguments(char);
        this.trackStructure(char);
        if (!this.inString && this.depth === this.argumentsDepth) this.argumentsDepth = -1;
        continue;
      }
      if (this.inString) {
        this.readString(char);
        continue;
      }
      this.readStructure(char);
    }
    return [...this.fragments.values()];
  }

  private fragmentOf(index: number): ToolCallFragment {
    let fragment = this.fragments.get(index);
    if (!fragment) {
      fragment = { index, argumentsDelta: "" };
      this.fragments.set(index, fragment);
    }
    return fragment;
  }

  private appendArguments(char: string) {
    this.calls[this.callIndex].arguments += char;
    this.fragmentOf(this.callIndex).argumentsDelta += char;
  }

  private readString(char: string) {
    if (this.escaped) {
      this.escaped = false;
      this.stringBuffer += char;
      return;
    }
    if (char === "\\") {
      this.escaped = true;
      this.stringBuffer += char;
      return;
    }
    if (char !== '"') {
      this.stringBuffer += char;
      return;
    }
    this.inString = false;
    const value = JSON.parse(`"${this.stringBuffer}"`) as string;
    if (this.readingKey) {
      this.currentKey = value;
      this.readingKey = false;
    } else if (this.readingName) {
      this.readingName = false;
      this.calls[this.callIndex].name = value;
      this.fragmentOf(this.callIndex).name = value;
    }
  }

  private readStructure(char: string) {
    if (char === '"') {
      this.inString = true;
      this.stringBuffer = "";
      this.readingKey = this.depth === 2 && this.expectingKey;
      this.readingName = this.depth === 2 && !this.expectingKey && this.currentKey === "name";
      return;
    }
    if (
      this.depth === 2 &&
      !this.expectingKey &&
      this.currentKey === "arguments" &&
      (char === "{" || char === "[")
    ) {
      this.argumentsDepth = this.depth;
      this.appendArguments(char);
      this.depth++;
      return;
    }
    if (char === "{" || char === "[") {
      this.depth++;
      if (this.depth === 2) {
        this.callIndex++;
        this.calls.push({ name: "", arguments: "" });
        this.expectingKey = true;
      }
    } else if (char === "}" || char === "]") this.depth--;
    else if (char === ":" && this.depth === 2) this.expectingKey = false;
    else if (char === "," && this.depth === 2) this.expectingKey = true;
  }

  private trackStructure(char: string) {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (char === "\\") this.escaped = true;
      else if (char === '"') this.inString = false;
      return;
    }
    if (char === '"') this.inString = true;
    else if (char === "{" || char === "[") this.depth++;
    else if (char === "}" || char === "]") this.depth--;
  }
}
