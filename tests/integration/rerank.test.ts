// Rerank (POST /v1/rerank and llama-server's /rerank, GraphQL rerank, tRPC rerank) on a random-weight Qwen3 reranker
// fixture: its scores are arbitrary, so these tests pin what a client sees of them: their shape, order and stability.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient, type InferqlClient } from "../../src/client/index.js";
import { postGraphql } from "../support/graphqlClients.js";
import { postJson } from "../support/openai.js";
import { rerankerFixturePath } from "../support/rerankerFixture.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let trpc: InferqlClient;

beforeAll(async () => {
  app = await startTestServer({ flags: ["--model", `reranker=${rerankerFixturePath()}`] });
  trpc = createInferqlClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

const query = "What is the capital of France?";
const documents = [
  "Paris is the capital of France.",
  "The stock market fell today.",
  "Bananas are yellow.",
  "France borders Spain and Germany.",
  "Hello",
];

interface RerankBody {
  model: string;
  object: string;
  results: { index: number; relevance_score: number; document?: { text: string } }[];
  usage: { prompt_tokens: number; total_tokens: number };
}

async function rerank(body: Record<string, unknown>, path = "/v1/rerank"): Promise<RerankBody> {
  const { status, body: response } = await postJson(`${app.url}${path}`, { model: "reranker", ...body });
  expect(status, JSON.stringify(response)).toBe(200);
  return response as RerankBody;
}

const scoresByIndex = (body: RerankBody): number[] =>
  [...body.results].sort((a, b) => a.index - b.index).map((result) => result.relevance_score);

describe("POST /v1/rerank", () => {
  it("scores every document once, most relevant first, with finite scores in [0, 1]", async () => {
    const body = await rerank({ query, documents });
    expect(body).toMatchObject({ model: "reranker", object: "list" });
    expect(body.results.map((result) => result.index).sort()).toEqual([0, 1, 2, 3, 4]);
    const scores = body.results.map((result) => result.relevance_score);
    for (const score of scores) {
      expect(Number.isFinite(score)).toBe(true);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(scores).size).toBeGreaterThan(1);
  });

  it("gives the same scores to the same request twice", async () => {
    const first = await rerank({ query, documents });
    const second = await rerank({ query, documents });
    expect(second.results).toEqual(first.results);
  });

  it("scores a document the same wherever it stands in the list", async () => {
    const all = scoresByIndex(await rerank({ query, documents }));
    const reversed = scoresByIndex(await rerank({ query, documents: [...documents].reverse() }));
    expect(reversed.reverse()).toEqual(all);
  });

  it("keeps only the top_n most relevant", async () => {
    const all = await rerank({ query, documents });
    const top = await rerank({ query, documents, top_n: 2 });
    expect(top.results).toEqual(all.results.slice(0, 2));
  });

  it("echoes each document's text with return_documents, and accepts Cohere's {text} documents", async () => {
    const body = await rerank({
      query,
      documents: documents.map((text) => ({ text })),
      return_documents: true,
    });
    for (const result of body.results) expect(result.document).toEqual({ text: documents[result.index] });
    const plain = await rerank({ query, documents });
    expect(plain.results.every((result) => result.document === undefined)).toBe(true);
    expect(body.results.map(({ index, relevance_score }) => ({ index, relevance_score }))).toEqual(
      plain.results,
    );
  });

  it("counts the tokens of the query with each document in usage", async () => {
    const one = await rerank({ query, documents: documents.slice(0, 1) });
    const two = await rerank({ query, documents: [documents[0], documents[0]] });
    expect(one.usage.prompt_tokens).toBeGreaterThan(8);
    expect(one.usage.total_tokens).toBe(one.usage.prompt_tokens);
    expect(two.usage.prompt_tokens).toBe(2 * one.usage.prompt_tokens);
  });

  it("answers at llama-server's /rerank too", async () => {
    const prefixed = await rerank({ query, documents });
    expect(await rerank({ query, documents }, "/rerank")).toEqual(prefixed);
  });

  it("refuses a model that cannot rank with a 400 naming the model", async () => {
    const { status, body } = await postJson(`${app.url}/v1/rerank`, { model: "tiny", query, documents });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { param: "model" } });
    expect((body as { error: { message: string } }).error.message).toMatch(
      /'tiny' does not support reranking/,
    );
  });

  it("refuses an empty list of documents", async () => {
    const { status, body } = await postJson(`${app.url}/v1/rerank`, {
      model: "reranker",
      query,
      documents: [],
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { param: "documents" } });
  });
});

describe("GraphQL and tRPC", () => {
  it("the GraphQL rerank query returns the REST scores", async () => {
    const rest = await rerank({ query, documents, top_n: 3 });
    const result = await postGraphql<
      { rerank: { model: string; results: { index: number; relevanceScore: number; document: string }[] } },
      { query: string; documents: string[] }
    >(
      app.url,
      `query ($query: String!, $documents: [String!]!) {
        rerank(input: { model: "reranker", query: $query, documents: $documents, topN: 3 }) {
          model results { index relevanceScore document } usage { promptTokens totalTokens }
        }
      }`,
      { query, documents },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.rerank.model).toBe("reranker");
    expect(result.data?.rerank.results).toEqual(
      rest.results.map((r) => ({
        index: r.index,
        relevanceScore: r.relevance_score,
        document: documents[r.index],
      })),
    );
  });

  it("the GraphQL rerank query names a model that cannot rank", async () => {
    const result = await postGraphql<unknown, never>(
      app.url,
      `query { rerank(input: { model: "tiny", query: "q", documents: ["d"] }) { model } }`,
    );
    expect(result.errors?.[0].message).toMatch(/'tiny' does not support reranking/);
  });

  it("the tRPC rerank procedure returns the REST scores", async () => {
    const rest = await rerank({ query, documents });
    const rerankResult = await trpc.rerank.query({ model: "reranker", query, documents });
    expect(rerankResult.model).toBe("reranker");
    expect(rerankResult.results).toEqual(
      rest.results.map((r) => ({ index: r.index, relevanceScore: r.relevance_score })),
    );
    expect(rerankResult.usage).toEqual({
      promptTokens: rest.usage.prompt_tokens,
      totalTokens: rest.usage.total_tokens,
    });
  });
});
