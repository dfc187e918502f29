// Drop-in details: what a client written for OpenAI or llama-server expects of the shapes it gets back
// (unit-length embeddings, token-id input, llama-server's token pieces, model aliases, paths without /v1).
import { OpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { openAiClient, postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let client: OpenAI;

beforeAll(async () => {
  app = await startTestServer({ flags: ["--model-alias", "tiny=gpt-4o-mini,text-embedding-3-small"] });
  client = openAiClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

const sumOfSquares = (vector: readonly number[]) => vector.reduce((sum, value) => sum + value * value, 0);

interface WireEmbeddings {
  data: { embedding: number[] }[];
  usage: { prompt_tokens: number };
}

async function embed(body: Record<string, unknown>): Promise<{ status: number; body: WireEmbeddings }> {
  const response = await postJson(`${app.url}/v1/embeddings`, { model: "tiny", ...body });
  return { status: response.status, body: response.body as WireEmbeddings };
}

describe("embeddings", () => {
  it("are unit length by default, as OpenAI's are", async () => {
    const result = await client.embeddings.create({
      model: "tiny",
      input: ["first text", "second text"],
      encoding_format: "float",
    });
    for (const item of result.data) expect(sumOfSquares(item.embedding)).toBeCloseTo(1, 4);
  });

  it("normalise as llama-server's embd_normalize asks: none, int16 max-abs, taxicab, euclidean, p-norm", async () => {
    const raw = (await embed({ input: "first text", embd_normalize: -1 })).body.data[0].embedding;
    expect(sumOfSquares(raw)).not.toBeCloseTo(1, 1);
    const maxAbs = (await embed({ input: "first text", embd_normalize: 0 })).body.data[0].embedding;
    expect(Math.max(...maxAbs.map(Math.abs))).toBeCloseTo(32760, 1);
    const taxicab = (await embed({ input: "first text", embd_normalize: 1 })).body.data[0].embedding;
    expect(taxicab.reduce((sum, value) => sum + Math.abs(value), 0)).toBeCloseTo(1, 4);
    const euclidean = (await embed({ input: "first text", embd_normalize: 2 })).body.data[0].embedding;
    expect(sumOfSquares(euclidean)).toBeCloseTo(1, 4);
    const cubic = (await embed({ input: "first text", embd_normalize: 3 })).body.data[0].embedding;
    expect(cubic.reduce((sum, value) => sum + Math.abs(value) ** 3, 0)).toBeCloseTo(1, 4);
    // Every normalisation is the same direction.
    const scale = euclidean[0] / raw[0];
    for (const [index, value] of euclidean.entries()) expect(value).toBeCloseTo(raw[index] * scale, 4);
  });

  it("refuses an embd_normalize below -1, naming it", async () => {
    const response = await postJson(`${app.url}/v1/embeddings`, { input: "x", embd_normalize: -2 });
    expect(response).toMatchObject({ status: 400, body: { error: { param: "embd_normalize" } } });
  });

  it("accept token ids, one list or a list of lists, as OpenAI does", async () => {
    const tokenized = await postJson(`${app.url}/tokenize`, { content: "first text" });
    const { tokens } = tokenized.body as { tokens: number[] };
    const fromText = await client.embeddings.create({
      model: "tiny",
      input: "first text",
      encoding_format: "float",
    });

    const fromIds = await client.embeddings.create({
      model: "tiny",
      input: tokens,
      encoding_format: "float",
    });
    expect(fromIds.data).toHaveLength(1);
    expect(fromIds.usage.prompt_tokens).toBe(tokens.length);
    for (const [index, value] of fromIds.data[0].embedding.entries())
      expect(value).toBeCloseTo(fromText.data[0].embedding[index], 4);

    const fromLists = await client.embeddings.create({
      model: "tiny",
      input: [tokens, tokens.slice(0, 1)],
      encoding_format: "float",
    });
    expect(fromLists.data.map((item) => item.index)).toEqual([0, 1]);
    expect(fromLists.usage.prompt_tokens).toBe(tokens.length + 1);
  });

  it("answer a token id outside the vocabulary with 400 naming its index", async () => {
    const one = await postJson(`${app.url}/v1/embeddings`, { input: [1, 99_999_999] });
    expect(one).toMatchObject({ status: 400, body: { error: { param: "input[1]" } } });
    const lists = await postJson(`${app.url}/v1/embeddings`, {
      input: [
        [1, 2],
        [3, -1],
      ],
    });
    expect(lists).toMatchObject({ status: 400, body: { error: { param: "input[1][1]" } } });
  });
});

describe("tokenize with_pieces (llama-server's shape)", () => {
  interface Piece {
    id: number;
    piece: string | number[];
  }
  const pieces = async (content: string): Promise<Piece[]> => {
    const response = await postJson(`${app.url}/tokenize`, { content, with_pieces: true });
    expect(response.status).toBe(200);
    return (response.body as { tokens: Piece[] }).tokens;
  };

  it("keeps a piece's leading space", async () => {
    const tokens = await pieces("Hello tiny world");
    // llama-server's pieces spell the text (SentencePiece adds the space before the first word).
    expect(tokens.map((token) => token.piece).join("")).toBe(" Hello tiny world");
    expect(tokens.at(-1)?.piece).toBe(" world");
  });

  it("gives a piece that is not whole UTF-8 as its byte values", async () => {
    const tokens = await pieces("é");
    const bytes = tokens.flatMap((token) =>
      typeof token.piece === "string" ? [...Buffer.from(token.piece)] : token.piece,
    );
    expect(tokens.some((token) => Array.isArray(token.piece))).toBe(true);
    expect(Buffer.from(bytes).toString("utf8").trim()).toBe("é");
  });

  it("keeps the leading space in GraphQL's and tRPC's pieces too", async () => {
    const response = await postJson(`${app.url}/graphql`, {
      query: '{ tokenize(text: "Hello tiny world") { tokens { piece } } }',
    });
    const { tokens } = (response.body as { data: { tokenize: { tokens: { piece: string }[] } } }).data
      .tokenize;
    expect(
      tokens
        .map((token) => token.piece)
        .join("")
        .trim(),
    ).toBe("Hello tiny world");
    expect(tokens.at(-1)?.piece).toBe(" world");
  });
});

describe("model aliases (--model-alias, as vLLM's --served-model-name and llama-server's --alias)", () => {
  it("answer requests that name the model by a hard-coded OpenAI name, reporting the model's id", async () => {
    const chat = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Say hello" }],
      max_tokens: 2,
    });
    expect(chat.model).toBe("tiny");
    const completion = await client.completions.create({
      model: "gpt-4o-mini",
      prompt: "Once",
      max_tokens: 2,
    });
    expect(completion.model).toBe("tiny");
    const embeddings = await client.embeddings.create({ model: "text-embedding-3-small", input: "x" });
    expect(embeddings.model).toBe("tiny");
    const tokenized = await postJson(`${app.url}/tokenize`, { content: "x", model: "gpt-4o-mini" });
    expect(tokenized.status).toBe(200);
  });

  it("are listed with their model and retrievable by alias", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => model.id)).toEqual(["tiny"]);
    expect(models[0]).toMatchObject({ meta: { aliases: ["gpt-4o-mini", "text-embedding-3-small"] } });
    const byAlias = await client.models.retrieve("text-embedding-3-small");
    expect(byAlias.id).toBe("tiny");
    const graphql = await postJson(`${app.url}/graphql`, { query: '{ model(id: "gpt-4o-mini") { id } }' });
    expect(graphql.body).toEqual({ data: { model: { id: "tiny" } } });
  });

  it("are counted in metrics under the model's id", async () => {
    await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Say hello" }],
      max_tokens: 2,
    });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/model="tiny"/);
    expect(metrics).not.toMatch(/gpt-4o-mini/);
  });

  it("leave other names unknown: 404 model_not_found", async () => {
    const response = await postJson(`${app.url}/v1/embeddings`, {
      model: "text-embedding-3-large",
      input: "x",
    });
    expect(response).toMatchObject({ status: 404, body: { error: { code: "model_not_found" } } });
  });
});

describe("llama-server's paths without /v1", () => {
  it("serve chat, completions, embeddings and models to a client whose base URL has no /v1", async () => {
    const unprefixed = new OpenAI({ baseURL: app.url, apiKey: "not-needed", maxRetries: 0 });
    const chat = await unprefixed.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "Say hello" }],
      max_tokens: 2,
    });
    expect(chat.object).toBe("chat.completion");
    const completion = await unprefixed.completions.create({ model: "tiny", prompt: "Once", max_tokens: 2 });
    expect(completion.object).toBe("text_completion");
    const embeddings = await unprefixed.embeddings.create({ model: "tiny", input: "x" });
    expect(embeddings.data).toHaveLength(1);
    const models = [];
    for await (const model of unprefixed.models.list()) models.push(model.id);
    expect(models).toEqual(["tiny"]);
    expect((await unprefixed.models.retrieve("gpt-4o-mini")).id).toBe("tiny");
  });

  it("label them in metrics by their own bounded route", async () => {
    await fetch(`${app.url}/models/some-unknown-model`);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/route="\/models\/\{id\}"/);
    expect(metrics).not.toMatch(/some-unknown-model/);
  });
});

describe("--model-alias", () => {
  it("reads the same entries from INFERQL_MODEL_ALIAS; a bare alias belongs to the model named before it", () => {
    const entries = loadConfig([], {
      INFERQL_MODEL_ALIAS: "gpt-4o,tiny=gpt-4o-mini,text-embedding-3-small",
    }).modelAlias;
    expect(entries).toEqual([
      { model: undefined, alias: "gpt-4o" },
      { model: "tiny", alias: "gpt-4o-mini" },
      { model: "tiny", alias: "text-embedding-3-small" },
    ]);
    expect(() => loadConfig(["--model-alias", "tiny="], {})).toThrow(/--model-alias/);
  });
});
