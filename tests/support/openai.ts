// Helpers for the OpenAI-compatible layer's tests: the official client pointed at a test server,
// and a raw reader of server-sent events for what the client hides ([DONE], headers).
import { OpenAI } from "openai";

export { eventually } from "./collect.js";

export function openAiClient(url: string, apiKey = "not-needed"): OpenAI {
  // No retries: tests assert on the first answer (a retried 429 would hide it).
  return new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });
}

/** POSTs JSON with fetch and returns the status, headers and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** The `data:` payloads of a server-sent events response, in order, read to its end. */
export async function readSseData(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((event) => event.trim() !== "")
    .map((event) => {
      const lines = event.split("\n").filter((line) => line.startsWith("data: "));
      return lines.map((line) => line.slice("data: ".length)).join("\n");
    });
}
