// Regular expressions as GBNF expressions: the subset that a grammar can enforce exactly (literals,
// classes and escapes, `.`, groups, alternation, greedy or lazy quantifiers, anchors at the ends). What
// it cannot (lookaround, backreferences, word boundaries, inline flags, Unicode properties) is refused
// by name, never approximated. A pattern can be matched as plain text, or inside a JSON string, where
// the grammar writes each matched character as JSON spells it (`"` as `\"`, a line break as `\n`).
import { gbnfAlternatives, gbnfClassMember, gbnfLiteral, gbnfRepeat, gbnfSequence } from "./gbnfText.js";

/** The largest count a quantifier may name (llama.cpp expands counted repetition). */
const MAX_REPEAT = 2000;

export class UnsupportedRegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedRegexError";
  }
}

/** Where the matched text goes: as is, or as the body of a JSON string. */
export type RegexTarget = "text" | "jsonString";

/**
 * "full": the whole text must match, anchors or not (vLLM's guided regex). "search": as JSON Schema's
 * `pattern` reads, a match anywhere, so an end without its anchor lets any text come before or after.
 */
export type RegexMatch = "full" | "search";

/** Inclusive code point ranges, sorted and disjoint. */
type Ranges = [number, number][];

type Node =
  | { kind: "literal"; char: string }
  | { kind: "set"; ranges: Ranges; negated: boolean }
  | { kind: "sequence"; items: Node[] }
  | { kind: "alternatives"; options: Node[] }
  | { kind: "repeat"; node: Node; min: number; max: number | undefined };

const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: Ranges = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x2028, 0x2029],
  [0xfeff, 0xfeff],
];
/** What `.` does not match (JavaScript's line terminators, without the `s` flag). */
const LINE_TERMINATORS: Ranges = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
const CONTROL_ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, v: 0x0b, "0": 0 };
/** Characters a JSON string cannot hold as they are. */
const JSON_SPECIAL: Ranges = [
  [0x00, 0x1f],
  [0x22, 0x22],
  [0x5c, 0x5c],
  [0x7f, 0x7f],
];
/** The characters JSON escapes by a short name, which a class may match inside a JSON string. */
const JSON_ESCAPED: [number, string][] = [
  [0x22, '\\"'],
  [0x5c, "\\\\"],
  [0x0a, "\\n"],
  [0x0d, "\\r"],
  [0x09, "\\t"],
  [0x0c, "\\f"],
  [0x08, "\\b"],
];

/** A GBNF expression matching what `pattern` matches, written as `target` needs. */
export function regexExpression(pattern: string, target: RegexTarget, match: RegexMatch): string {
  const branches = new RegexParser(pattern).parse();
  const anyText: Node = {
    kind: "repeat",
    node: { kind: "set", ranges: [], negated: true },
    min: 0,
    max: undefined,
  };
  const alternatives = branches.map(({ items, startAnchored, endAnchored }) => {
    const free = match === "search";
    const around = [
      ...(free && !startAnchored ? [anyText] : []),
      ...items,
      ...(free && !endAnchored ? [anyText] : []),
    ];
    return render({ kind: "sequence", items: around }, target);
  });
  return gbnfAlternatives(alternatives.map((alternative) => (alternative === "" ? '""' : alternative)));
}

function dot(): Node {
  return { kind: "set", ranges: LINE_TERMINATORS, negated: true };
}

function render(node: Node, target: RegexTarget): string {
  switch (node.kind) {
    case "literal":
      return gbnfLiteral(target === "text" ? node.char : JSON.stringify(node.char).slice(1, -1));
    case "set":
      return target === "text"
        ? classText(node.ranges, node.negated)
        : jsonStringSet(node.ranges, node.negated);
    case "sequence": {
      // Runs of literal characters become one literal.
      const parts: string[] = [];
      let text = "";
      const flush = () => {
        if (text !== "") parts.push(render({ kind: "literal", char: text }, target));
        text = "";
      };
      for (const item of node.items) {
        if (item.kind === "literal") text += item.char;
        else {
          flush();
          parts.push(render(item, target));
        }
      }
      flush();
      return gbnfSequence(...parts);
    }
    case "alternatives": {
      const options = node.options.map((option) => render(option, target));
      return `(${options.map((option) => option || '""').join(" | ")})`;
    }
    case "repeat": {
      const inner = render(node.node, target);
      return inner === "" ? "" : gbnfRepeat(inner, node.min, node.max);
    }
  }
}

function classText(ranges: Ranges, negated: boolean): string {
  const members = ranges
    .map(([low, high]) => {
      const first = gbnfClassMember(String.fromCodePoint(low));
      return low === high ? first : `${first}-${gbnfClassMember(String.fromCodePoint(high))}`;
    })
    .join("");
  return `[${negated ? "^" : ""}${members}]`;
}

/**
 * A set of characters inside a JSON string: the plain ones as a class, and the ones JSON escapes by
 * name as their escapes. Other control characters (which JSON writes as \u escapes) are left out.
 */
function jsonStringSet(ranges: Ranges, negated: boolean): string {
  const matches = (code: number) => ranges.some(([low, high]) => code >= low && code <= high) !== negated;
  const escaped = JSON_ESCAPED.filter(([code]) => matches(code)).map(([, text]) => gbnfLiteral(text));
  const plain = negated
    ? classText(union(ranges, JSON_SPECIAL), true)
    : subtract(ranges, JSON_SPECIAL).length > 0
      ? classText(subtract(ranges, JSON_SPECIAL), false)
      : undefined;
  const alternatives = [...(plain ? [plain] : []), ...escaped];
  if (alternatives.length === 0)
    throw new UnsupportedRegexError("A character class matches no character a JSON string can hold");
  return gbnfAlternatives(alternatives);
}

function normalize(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Ranges = [];
  for (const [low, high] of sorted) {
    const last = merged.at(-1);
    if (last && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  return merged;
}

function union(a: Ranges, b: Ranges): Ranges {
  return normalize([...a, ...b]);
}

function subtract(ranges: Ranges, removed: Ranges): Ranges {
  let result = normalize(ranges);
  for (const [low, high] of removed) {
    result = result.flatMap(([start, end]): Ranges => {
      if (high < start || low > end) return [[start, end]];
      return [
        ...(start < low ? [[start, low - 1] as [number, number]] : []),
        ...(end > high ? [[high + 1, end] as [number, number]] : []),
      ];
    });
  }
  return result;
}

function complement(ranges: Ranges): Ranges {
  return subtract([[0, 0x10ffff]], ranges);
}

interface Branch {
  items: Node[];
  startAnchored: boolean;
  endAnchored: boolean;
}

/** A recursive-descent parser over the pattern's code points. */
class RegexParser {
  private readonly chars: string[];
  private position = 0;

  constructor(private readonly pattern: string) {
    this.chars = Array.from(pattern);
  }

  /** The top level's alternatives, each with the anchors it starts or ends with. */
  parse(): Branch[] {
    const branches: Branch[] = [];
    do {
      const startAnchored = this.eat("^");
      const items = this.sequence();
      const endAnchored = this.eat("$");
      branches.push({ items, startAnchored, endAnchored });
    } while (this.eat("|"));
    if (this.position < this.chars.length) this.unexpected();
    return branches;
  }

  private alternatives(): Node {
    const options: Node[] = [{ kind: "sequence", items: this.sequence() }];
    while (this.eat("|")) options.push({ kind: "sequence", items: this.sequence() });
    return options.length === 1 ? options[0] : { kind: "alternatives", options };
  }

  private sequence(): Node[] {
    const items: Node[] = [];
    while (this.position < this.chars.length) {
      const char = this.peek();
      if (char === "|" || char === ")") break;
      if (char === "$") {
        // Only at the end of a top-level alternative, where parse() reads it.
        const next = this.chars[this.position + 1];
        if (next === undefined || next === "|") break;
        this.refuse("'$' is only supported at the end of the pattern");
      }
      if (char === "^") this.refuse("'^' is only supported at the start of the pattern");
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items;
  }

  private atom(): Node {
    const char = this.next();
    switch (char) {
      case "(":
        return this.group();
      case "[":
        return this.characterClass();
      case ".":
        return dot();
      case "\\":
        return this.escape(false);
      case "*":
      case "+":
      case "?":
        return this.refuse(`'${char}' has nothing to repeat`);
      default:
        return { kind: "literal", char };
    }
  }

  private group(): Node {
    if (this.eat("?")) {
      if (this.eat(":")) return this.closeGroup();
      if (this.eat("P") || this.peek() === "<") {
        const lookbehind = this.peek() === "<" && ["=", "!"].includes(this.chars[this.position + 1] ?? "");
        if (lookbehind) this.refuse("lookbehind assertions are not supported");
        if (!this.eat("<")) this.refuse("backreferences by name are not supported");
        while (this.position < this.chars.length && this.peek() !== ">") this.position++;
        if (!this.eat(">")) this.unexpected();
        return this.closeGroup();
      }
      if (this.peek() === "=" || this.peek() === "!") this.refuse("lookahead assertions are not supported");
      this.refuse("inline flags and other group modifiers are not supported");
    }
    return this.closeGroup();
  }

  private closeGroup(): Node {
    const inner = this.alternatives();
    if (!this.eat(")")) this.refuse("a group is not closed");
    return inner;
  }

  private characterClass(): Node {
    const negated = this.eat("^");
    const ranges: Ranges = [];
    let first = true;
    while (this.position < this.chars.length && (this.peek() !== "]" || first)) {
      first = false;
      const low = this.classMember();
      if (Array.isArray(low)) {
        ranges.push(...low);
        continue;
      }
      if (
        this.peek() === "-" &&
        this.chars[this.position + 1] !== "]" &&
        this.position + 1 < this.chars.length
      ) {
        this.position++;
        const high = this.classMember();
        if (Array.isArray(high)) this.refuse("a range cannot end with a class escape");
        if (high < low) this.refuse("a character range is out of order");
        ranges.push([low, high]);
      } else ranges.push([low, low]);
    }
    if (!this.eat("]")) this.refuse("a character class is not closed");
    return { kind: "set", ranges: normalize(ranges), negated };
  }

  /** One member of a class: a code point, or the ranges of a class escape (\d, \w, \s…). */
  private classMember(): number | Ranges {
    const char = this.next();
    if (char !== "\\") return char.codePointAt(0)!;
    const escaped = this.escape(true);
    if (escaped.kind === "literal") return escaped.char.codePointAt(0)!;
    if (escaped.kind !== "set") return this.unexpected();
    return escaped.negated ? complement(escaped.ranges) : escaped.ranges;
  }

  private escape(inClass: boolean): Node {
    const char = this.next();
    const set = (ranges: Ranges, negated: boolean): Node => ({ kind: "set", ranges, negated });
    switch (char) {
      case "d":
        return set(DIGIT, false);
      case "D":
        return set(DIGIT, true);
      case "w":
        return set(WORD, false);
      case "W":
        return set(WORD, true);
      case "s":
        return set(SPACE, false);
      case "S":
        return set(SPACE, true);
      case "b":
        // Inside a class, \b is a backspace.
        if (inClass) return { kind: "literal", char: "\b" };
        return this.refuse("word boundaries (\\b) are not supported");
      case "B":
        return this.refuse("word boundaries (\\B) are not supported");
      case "x":
        return { kind: "literal", char: String.fromCodePoint(this.hex(2)) };
      case "u":
        if (this.eat("{")) {
          const start = this.position;
          while (this.position < this.chars.length && this.peek() !== "}") this.position++;
          const code = Number.parseInt(this.chars.slice(start, this.position).join(""), 16);
          if (!this.eat("}") || !Number.isInteger(code) || code > 0x10ffff)
            this.refuse("a \\u{…} escape is malformed");
          return { kind: "literal", char: String.fromCodePoint(code) };
        }
        return { kind: "literal", char: String.fromCodePoint(this.hex(4)) };
      case "p":
      case "P":
        return this.refuse("Unicode property escapes (\\p{…}) are not supported");
      case "k":
        return this.refuse("backreferences are not supported");
      default:
        if (char in CONTROL_ESCAPES)
          return { kind: "literal", char: String.fromCodePoint(CONTROL_ESCAPES[char]) };
        if (/[1-9]/.test(char)) return this.refuse("backreferences are not supported");
        if (/[A-Za-z]/.test(char)) return this.refuse(`the escape \\${char} is not supported`);
        return { kind: "literal", char };
    }
  }

  private hex(digits: number): number {
    const text = this.chars.slice(this.position, this.position + digits).join("");
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(text)) this.refuse("a hexadecimal escape is malformed");
    this.position += digits;
    return Number.parseInt(text, 16);
  }

  private quantified(atom: Node): Node {
    let min: number;
    let max: number | undefined;
    if (this.eat("*")) [min, max] = [0, undefined];
    else if (this.eat("+")) [min, max] = [1, undefined];
    else if (this.eat("?")) [min, max] = [0, 1];
    else {
      const counted = this.countedQuantifier();
      if (!counted) return atom;
      [min, max] = counted;
    }
    // Lazy and possessive forms match the same texts in full.
    if (!this.eat("?")) this.eat("+");
    if (["*", "+", "?", "{"].includes(this.peek() ?? "") && this.countedQuantifierAhead())
      this.refuse("a quantifier cannot follow another");
    return { kind: "repeat", node: atom, min, max };
  }

  private countedQuantifierAhead(): boolean {
    const rest = this.chars.slice(this.position).join("");
    return /^([*+?]|\{\d+(,\d*)?\})/.test(rest);
  }

  /** `{n}`, `{n,}` or `{n,m}`; anything else after `{` is a literal brace, as JavaScript reads it. */
  private countedQuantifier(): [number, number | undefined] | undefined {
    const rest = this.chars.slice(this.position).join("");
    const match = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (!match) return undefined;
    this.position += Array.from(match[0]).length;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === "" ? undefined : Number(match[3]);
    if (max !== undefined && max < min) this.refuse("a quantifier's maximum is below its minimum");
    if (min > MAX_REPEAT || (max ?? 0) > MAX_REPEAT)
      this.refuse(`quantifier counts above ${MAX_REPEAT} are not supported`);
    return [min, max];
  }

  private peek(): string | undefined {
    return this.chars[this.position];
  }

  private next(): string {
    const char = this.chars[this.position++];
    if (char === undefined) this.refuse("the pattern ends early");
    return char;
  }

  private eat(char: string): boolean {
    if (this.chars[this.position] !== char) return false;
    this.position++;
    return true;
  }

  private unexpected(): never {
    return this.refuse(`unexpected '${this.chars[this.position] ?? "end"}' at position ${this.position}`);
  }

  private refuse(reason: string): never {
    throw new UnsupportedRegexError(`Pattern /${this.pattern}/: ${reason}`);
  }
}
