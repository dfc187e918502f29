// llama-server's own POST /completion (not OpenAI's /v1/completions), as llama.cpp's clients call
// it: Continue's llama.cpp provider and SillyTavern's text-completion backend (with their many
// llama.cpp sampling fields). The answer in llama-server's shape, streamed and not, n_predict's -1,
// and a token-id prompt continued (an unknown id refused by name).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { postJson, readSseData } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;

beforeAll(async () => {
  app = await startTestServer({ withStopsEarlyModel: true });
});

afterAll(async () => {
  await app?.close();
});

interface Answer {
  content: string;
  stop: boolean;
  model?: string;
  stop_type?: string;
  tokens_predicted?: number;
  tokens_evaluated?: number;
  timings?: { predicted_n: number };
}

const complete = (body: Record<string, unknown>) =>
  postJson(`${app.url}/completion`, { model: "tiny", prompt: "Once upon a time", ...body });

describe("POST /completion", () => {
  it("answers in llama-server's shape: the text, stop, its counts, stop type and timings", async () => {
    const { status, body } = await complete({ n_predict: 8, seed: 5 });
    expect(status).toBe(200);
    const answer = body as Answer;
    expect(answer).toMatchObject({
      stop: true,
      model: "tiny",
      stop_type: "limit",
      tokens_predicted: 8,
      timings: { predicted_n: 8 },
    });
    expect(answer.content.length).toBeGreaterThan(0);
    expect(answer.tokens_evaluated).toBeGreaterThan(0);
  });

  it("streams pieces, then the whole answer with stop: true and no [DONE]; the same text as unstreamed", async () => {
    const whole = (await complete({ n_predict: 8, seed: 5 })).body as Answer;
    const response = await fetch(`${app.url}/completion`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "tiny",
        prompt: "Once upon a time",
        n_predict: 8,
        seed: 5,
        stream: true,
      }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const messages = (await readSseData(response)).map((data) => JSON.parse(data) as Answer);
    expect(messages.at(-1)).toMatchObject({
      stop: true,
      content: "",
      stop_type: "limit",
      tokens_predicted: 8,
    });
    expect(messages.slice(0, -1).every((message) => !message.stop)).toBe(true);
    expect(messages.map((message) => message.content).join("")).toBe(whole.content);
  });

  it("takes SillyTavern's llama.cpp fields, and n_predict -1 (no limit) runs to the model's end", async () => {
    const { status, body } = await postJson(`${app.url}/completion`, {
      model: "stops-early",
      prompt: "[INST] Hello [/INST]",
      n_predict: -1,
      stream: false,
      temperature: 0.7,
      top_k: 40,
      top_p: 0.95,
      min_p: 0.05,
      typical_p: 1,
      tfs_z: 1,
      repeat_penalty: 1.1,
      repeat_last_n: 64,
      penalize_nl: false,
      mirostat: 0,
      n_probs: 0,
      samplers: ["top_k", "typ_p", "top_p", "min_p", "temperature"],
      cache_prompt: true,
      stop: ["\n\n"],
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ stop: true, stop_type: expect.stringMatching(/^(eos|word)$/) });
  });

  it("continues a token-id prompt; an id outside the vocabulary is a 400 naming it", async () => {
    const continued = await complete({ prompt: [1, 2, 3], n_predict: 4 });
    expect(continued.status).toBe(200);
    expect(continued.body).toMatchObject({ stop: true, tokens_evaluated: 3, tokens_predicted: 4 });
    const { status, body } = await complete({ prompt: [1, 99_999_999] });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { type: "invalid_request_error", param: "prompt[1]" } });
  });
});
