/** JSON text as its value, or the text itself when it is not JSON (a model may write broken arguments). */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
