// The rest of the OpenAI-compatible surface (completions, embeddings, models, llama-server's
// tokenize/detokenize) and the error contract every endpoint shares.
import http from "node:http";
import { BadRequestError, NotFoundError, type OpenAI } from "openai";
import type { Completion } from "openai/resources/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { openAiClient, postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let client: OpenAI;

beforeAll(async () => {
  app = await startTestServer();
  client = openAiClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

/** The error a client call rejects with. */
async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error("the call did not fail");
}

const hello = [{ role: "user" as const, content: "Say hello" }];

async function expectBadRequest(call: Promise<unknown>, param: string): Promise<void> {
  const error = await rejection(call);
  expect(error).toBeInstanceOf(BadRequestError);
  expect(error).toMatchObject({ status: 400, type: "invalid_request_error", param });
}

describe("completions", () => {
  it("continues a prompt of token ids as its text, once or in a list of one; an unknown id is a 400", async () => {
    const prompt = "Once upon a time";
    const tokenized = await postJson(`${app.url}/tokenize`, { content: prompt, add_special: true });
    const { tokens } = tokenized.body as { tokens: number[] };
    const asked = { model: "tiny", max_tokens: 6, temperature: 0 };
    const fromText = await client.completions.create({ ...asked, prompt });
    const fromIds = await client.completions.create({ ...asked, prompt: tokens });
    const fromList = await client.completions.create({ ...asked, prompt: [tokens] });
    expect(fromIds.choices[0].text).toBe(fromText.choices[0].text);
    expect(fromList.choices[0].text).toBe(fromText.choices[0].text);
    expect(fromIds.usage?.prompt_tokens).toBe(tokens.length);
    await expectBadRequest(
      client.completions.create({ ...asked, prompt: [tokens[0], 10_000_000] }),
      "prompt[1]",
    );
  });

  it("completes a raw prompt, with legacy logprobs when asked", async () => {
    const completion = await client.completions.create({
      model: "tiny",
      prompt: "Once upon a time",
      max_tokens: 6,
      logprobs: 2,
    });
    expect(completion.object).toBe("text_completion");
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.system_fingerprint).toMatch(/^inferql-/);
    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(6);
    const logprobs = choice.logprobs!;
    expect(logprobs.tokens).toHaveLength(6);
    expect(logprobs.token_logprobs).toHaveLength(6);
    expect(logprobs.top_logprobs?.every((top) => Object.keys(top).length === 2)).toBe(true);
    expect(logprobs.text_offset?.[0]).toBe("Once upon a time".length);
  });

  it("streams text chunks, the finish reason and a usage chunk", async () => {
    const stream = await client.completions.create({
      model: "tiny",
      prompt: "Once upon a time",
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.object === "text_completion")).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.text ?? "").join("").length).toBeGreaterThan(0);
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe("length");
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(8);
  });

  it("honours the grammar extension and a single-prompt list", async () => {
    const params = { model: "tiny", prompt: ["Answer:"], max_tokens: 16, grammar: 'root ::= "ok" | "ko"' };
    const completion = await client.completions.create(params);
    expect(completion.choices[0].text).toMatch(/^(ok|ko)$/);
    expect(completion.choices[0].finish_reason).toBe("stop");
  });
});

describe("embeddings", () => {
  it("embeds each input, as floats or as the client's default base64", async () => {
    const floats = await client.embeddings.create({
      model: "tiny",
      input: ["first text", "second text"],
      encoding_format: "float",
    });
    expect(floats.object).toBe("list");
    expect(floats.data.map((item) => item.index)).toEqual([0, 1]);
    const [first] = floats.data;
    expect(first.object).toBe("embedding");
    expect(first.embedding.length).toBeGreaterThan(0);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);

    // Without encoding_format the client asks for base64 and decodes it.
    const decoded = await client.embeddings.create({ model: "tiny", input: "first text" });
    expect(decoded.data[0].embedding).toHaveLength(first.embedding.length);
    decoded.data[0].embedding.forEach((value, index) => {
      expect(value).toBeCloseTo(first.embedding[index], 4);
    });
  });
});

describe("models", () => {
  it("lists the served models and gets one by id", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => model.id)).toEqual(["tiny"]);
    expect(models[0]).toMatchObject({ object: "model", owned_by: "inferql", created: expect.any(Number) });
    // vLLM's field for a request's whole budget: the slot's context, as llama-server's meta.n_ctx.
    const { max_model_len, meta } = models[0] as unknown as {
      max_model_len: number;
      meta: { n_ctx: number };
    };
    expect(max_model_len).toBe(2048);
    expect(meta.n_ctx).toBe(max_model_len);
    const tiny = await client.models.retrieve("tiny");
    expect(tiny.id).toBe("tiny");
  });

  it("answers an unknown model id with 404 model_not_found", async () => {
    const error = await rejection(client.models.retrieve("no-such-model"));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: "model_not_found", param: "model" });
  });
});

describe("tokenize and detokenize (llama-server shapes)", () => {
  it("round-trips text through token ids, with pieces when asked", async () => {
    const content = "Hello tiny world";
    const plain = await postJson(`${app.url}/tokenize`, { content });
    expect(plain.status).toBe(200);
    const { tokens } = plain.body as { tokens: number[] };
    expect(tokens.every((token) => Number.isInteger(token))).toBe(true);

    const withPieces = await postJson(`${app.url}/tokenize`, { content, with_pieces: true });
    const pieces = (withPieces.body as { tokens: { id: number; piece: string }[] }).tokens;
    expect(pieces.map((piece) => piece.id)).toEqual(tokens);
    expect(pieces.every((piece) => typeof piece.piece === "string")).toBe(true);

    const back = await postJson(`${app.url}/detokenize`, { tokens });
    expect(back).toMatchObject({ status: 200, body: { content } });
  });

  it("adds BOS with add_special, as the model's tokenizer does for a prompt (it adds no EOS)", async () => {
    const content = "Hello tiny world";
    const plain = (await postJson(`${app.url}/tokenize`, { content })).body as { tokens: number[] };
    const special = await postJson(`${app.url}/tokenize`, { content, add_special: true, with_pieces: true });
    expect(special.status).toBe(200);
    const tokens = (special.body as { tokens: { id: number; piece: string }[] }).tokens;
    expect(tokens.slice(1).map((token) => token.id)).toEqual(plain.tokens);
    expect(tokens[0].id).not.toBe(plain.tokens[0]);
    // The BOS token's own text, as the generated vocabulary names it.
    expect(tokens[0].piece).toBe("<s>");
  });

  it("refuses what it cannot honour and names the parameter", async () => {
    const addSpecial = await postJson(`${app.url}/tokenize`, { content: "x", add_special: "yes" });
    expect(addSpecial).toMatchObject({ status: 400, body: { error: { param: "add_special" } } });
    const missing = await postJson(`${app.url}/tokenize`, { text: "x" });
    expect(missing).toMatchObject({ status: 400, body: { error: { param: "content" } } });
    const unknownToken = await postJson(`${app.url}/detokenize`, { tokens: [1, 99_999_999] });
    expect(unknownToken).toMatchObject({ status: 400, body: { error: { param: "tokens[1]" } } });
  });
});

describe("errors", () => {
  it("400 names the snake_case parameter for input the resolvers reject", async () => {
    await expectBadRequest(
      client.chat.completions.create({ model: "tiny", messages: hello, max_tokens: -1 }),
      "max_tokens",
    );
    await expectBadRequest(
      client.chat.completions.create({ model: "tiny", messages: hello, max_completion_tokens: 0 }),
      "max_completion_tokens",
    );
    await expectBadRequest(client.chat.completions.create({ model: "tiny", messages: [] }), "messages");
    await expectBadRequest(
      client.chat.completions.create({ model: "tiny", messages: hello, temperature: 9 }),
      "temperature",
    );
    await expectBadRequest(
      client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "tool", tool_call_id: "", content: "x" }],
      }),
      "messages[0].tool_call_id",
    );
  });

  it("400 naming messages for a prompt that overflows the context", async () => {
    const long = [{ role: "user" as const, content: "word ".repeat(4000) }];
    await expectBadRequest(client.chat.completions.create({ model: "tiny", messages: long }), "messages");
  });

  it("400 for an invalid grammar, even when streaming (before any event is sent)", async () => {
    const params = { model: "tiny", messages: hello, max_tokens: 4, grammar: "root ::= (" };
    await expectBadRequest(client.chat.completions.create(params), "grammar");
    await expectBadRequest(client.chat.completions.create({ ...params, stream: true }), "grammar");
  });

  it("an embedding input at the context's edge is a 400 naming input, never a 500", async () => {
    const { contextSize } = app.registry.get("tiny").info();
    // node-llama-cpp adds the model's special tokens and keeps one cell free: these no longer fit.
    for (const length of [contextSize - 1, contextSize, contextSize + 1])
      await expectBadRequest(
        client.embeddings.create({ model: "tiny", input: Array.from({ length }, () => 300) }),
        "input",
      );
    const fits = await client.embeddings.create({
      model: "tiny",
      input: Array.from({ length: contextSize - 3 }, () => 300),
    });
    expect(fits.data).toHaveLength(1);
  });

  it("400 naming a known parameter that cannot be honoured", async () => {
    await expectBadRequest(
      client.completions.create({ model: "tiny", prompt: "x", max_tokens: 2, n: 2 }),
      "n",
    );
    await expectBadRequest(
      client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://x/y.png" } }] }],
      }),
      "messages[0].content[0].type",
    );
    await expectBadRequest(
      client.completions.create({ model: "tiny", prompt: "x", max_tokens: 2, echo: true }),
      "echo",
    );
    await expectBadRequest(client.completions.create({ model: "tiny", prompt: ["a", "b"] }), "prompt");
    await expectBadRequest(
      client.embeddings.create({ model: "tiny", input: "x", dimensions: 3, encoding_format: "float" }),
      "dimensions",
    );
  });

  it("ignores unknown fields", async () => {
    const response = await postJson(`${app.url}/v1/chat/completions`, {
      model: "tiny",
      messages: hello,
      max_tokens: 2,
      some_future_field: { anything: true },
    });
    expect(response.status).toBe(200);
  });

  it("404 model_not_found for an unknown model, streaming or not", async () => {
    for (const stream of [false, true]) {
      const error = await rejection(
        client.chat.completions.create({ model: "gpt-nope", messages: hello, max_tokens: 2, stream }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: "model_not_found", param: "model" });
    }
  });

  it("404 for an unknown /v1 route and 405 for a wrong method, in the same error shape", async () => {
    const unknown = await postJson(`${app.url}/v1/engines`, {});
    expect(unknown).toMatchObject({
      status: 404,
      body: { error: { type: "invalid_request_error", param: null, code: "unknown_url" } },
    });
    const wrongMethod = await fetch(`${app.url}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expect(await wrongMethod.json()).toMatchObject({ error: { code: "method_not_allowed" } });
  });

  it("400 for a body that is not JSON", async () => {
    const malformed = await postJson(`${app.url}/v1/chat/completions`, '{"model": "tiny", "messages": [');
    expect(malformed).toMatchObject({
      status: 400,
      body: { error: { type: "invalid_request_error", param: null, message: expect.any(String) } },
    });
    const notAnObject = await postJson(`${app.url}/v1/completions`, "[1, 2]");
    expect(notAnObject.status).toBe(400);
  });

  it("reads a body sent with its headers and one sent in pieces afterwards, on one kept-alive connection", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (pieces: string[]) =>
      new Promise<{ status: number; body: string; reusedSocket: boolean }>((resolve, reject) => {
        const body = pieces.join("");
        const request = http.request(`${app.url}/tokenize`, {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        });
        request.on("error", reject);
        request.on("response", (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, body: text, reusedSocket: request.reusedSocket }),
          );
        });
        if (pieces.length === 1) return request.end(body);
        // The headers go out alone, then the body in two writes: the server has none of it at first.
        request.flushHeaders();
        setTimeout(() => request.write(pieces[0]), 30);
        setTimeout(() => request.end(pieces[1]), 60);
      });
    try {
      const whole = await post(['{"content": "Say hello"}']);
      const pieces = await post(['{"content": "Sa', 'y hello"}']);
      const malformed = await post(['{"content": "Say hello"']);
      expect(whole.status).toBe(200);
      expect(JSON.parse(whole.body).tokens.length).toBeGreaterThan(0);
      expect(pieces).toMatchObject({ status: 200, body: whole.body, reusedSocket: true });
      expect(malformed).toMatchObject({ status: 400, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });

  it("413 for a body over the size limit", async () => {
    const huge = { model: "tiny", prompt: "x".repeat(5 * 1024 * 1024) };
    const response = await postJson(`${app.url}/v1/completions`, huge);
    expect(response).toMatchObject({
      status: 413,
      body: { error: { type: "invalid_request_error", code: "request_too_large" } },
    });
  });

  it("a streamed error before the first event is JSON, never an event stream", async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "tiny", messages: [], stream: true }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ error: { param: "messages" } });
  });
});
