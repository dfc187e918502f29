// Translation between the rerank wire format and the rerank resolver.
import type { Rerank, RerankInput } from "../../../resolvers/index.js";
import type { RerankRequest, RerankResponse } from "./protocol.js";

export function toRerankInput(request: RerankRequest): RerankInput {
  return {
    model: request.model,
    query: request.query,
    documents: request.documents.map((document) => (typeof document === "string" ? document : document.text)),
    topN: request.top_n,
    returnDocuments: request.return_documents,
  };
}

export function toRerankResponse(rerank: Rerank): RerankResponse {
  return {
    model: rerank.model,
    object: "list",
    results: rerank.results.map((result) => ({
      index: result.index,
      relevance_score: result.relevanceScore,
      ...(result.document === undefined ? {} : { document: { text: result.document } }),
    })),
    usage: { prompt_tokens: rerank.usage.promptTokens, total_tokens: rerank.usage.totalTokens },
  };
}
