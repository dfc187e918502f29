// Object keys other than a set of declared names, for additionalProperties: a key that spelled a
// declared name would make JSON.parse keep one value and drop the other.
import { gbnfAlternatives, gbnfClassMember, gbnfLiteral } from "./gbnfText.js";

interface TrieNode {
  children: Map<string, TrieNode>;
  /** A declared name ends here. */
  isName: boolean;
}

/** Characters a key may contain unescaped (the key-char rule). */
const isPlainKeyChar = (char: string): boolean => {
  const code = char.codePointAt(0)!;
  return code >= 0x20 && code !== 0x7f && char !== '"' && char !== "\\";
};

function buildTrie(names: readonly string[]): TrieNode {
  const root: TrieNode = { children: new Map(), isName: false };
  // A name with characters that need escaping cannot be spelled by key-char alone: it needs no exclusion.
  for (const name of names.filter((candidate) => [...candidate].every(isPlainKeyChar))) {
    let node = root;
    for (const char of name) {
      let child = node.children.get(char);
      if (!child) {
        child = { children: new Map(), isName: false };
        node.children.set(char, child);
      }
      node = child;
    }
    node.isName = true;
  }
  return root;
}

function notInTrie(node: TrieNode, keyChar: string): string {
  const alternatives = [...node.children].map(
    ([char, child]) => `${gbnfLiteral(char)} ${notInTrie(child, keyChar)}`,
  );
  const excluded = [...node.children.keys()].map(gbnfClassMember).join("");
  alternatives.push(`[^"\\\\\\x7F\\x00-\\x1F${excluded}] ${keyChar}*`);
  const expression = gbnfAlternatives(alternatives);
  // Ending here is fine unless a declared name ends here.
  return node.isName ? expression : `(${expression})?`;
}

/**
 * A JSON string (with its quotes) made of unescaped characters (`keyChar` names that rule) that is
 * none of `names`.
 */
export function extraKeyExpression(names: readonly string[], keyChar: string): string {
  return `"\\"" ${notInTrie(buildTrie(names), keyChar)} "\\""`;
}
