// Rerank: how relevant each document is to a query, by a reranker model.
import type { Rerank } from "../../resolvers/index.js";
import { builder } from "./builder.js";
import { optionalId, orUndefined } from "./inputValues.js";

const RerankInputRef = builder.inputType("RerankInput", {
  description: "A query and the documents to rank against it.",
  fields: (t) => ({
    model: t.id({ description: "Model id (a reranker); defaults to the first model served." }),
    query: t.string({ required: true, description: "The query." }),
    documents: t.stringList({ required: true, description: "1 to 1024 documents." }),
    topN: t.int({ description: "Keep only the topN most relevant documents. Default all." }),
  }),
});

const RerankResultRef = builder.objectRef<Rerank["results"][number]>("RerankResult").implement({
  description: "One document's relevance to the query.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "Position of the document in `documents`." }),
    relevanceScore: t.exposeFloat("relevanceScore", {
      description:
        "A local model's probability (in [0, 1]) that the document is relevant; on a remote upstream, the replica's own score.",
    }),
    document: t.string({
      description: "The document's text.",
      resolve: (result) => result.document ?? "",
    }),
  }),
});

const RerankUsageRef = builder.objectRef<Rerank["usage"]>("RerankUsage").implement({
  description: "Token counts of a rerank request.",
  fields: (t) => ({
    promptTokens: t.exposeInt("promptTokens", {
      description: "Tokens evaluated: the query with each document, once per document.",
    }),
    totalTokens: t.exposeInt("totalTokens", { description: "Same as promptTokens." }),
  }),
});

const RerankRef = builder.objectRef<Rerank>("Rerank").implement({
  description: "Documents ranked by relevance to a query.",
  fields: (t) => ({
    model: t.exposeID("model", { description: "The model that ranked." }),
    results: t.field({
      type: [RerankResultRef],
      description: "The most relevant first.",
      resolve: (result) => result.results,
    }),
    usage: t.field({ type: RerankUsageRef, description: "Token counts.", resolve: (result) => result.usage }),
  }),
});

builder.queryFields((t) => ({
  rerank: t.field({
    type: RerankRef,
    description: "Ranks documents by their relevance to a query with a reranker model.",
    args: { input: t.arg({ type: RerankInputRef, required: true, description: "The request." }) },
    resolve: (_root, { input }, { resolvers }) =>
      resolvers.rerank({
        model: optionalId(input.model),
        query: input.query,
        documents: input.documents,
        topN: orUndefined(input.topN),
        returnDocuments: true,
      }),
  }),
}));
