// The one Pothos schema builder: context type, custom scalars and nullability defaults.
import SchemaBuilder from "@pothos/core";
import type { GraphqlContext } from "./context.js";

export interface GraphqlSchemaTypes {
  Context: GraphqlContext;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: Date; Output: Date };
  };
  /** Output fields are non-null unless a field says `nullable: true`. */
  DefaultFieldNullability: false;
}

export type BuilderTypes = PothosSchemaTypes.ExtendDefaultTypes<GraphqlSchemaTypes>;

export const builder = new SchemaBuilder<GraphqlSchemaTypes>({ defaultFieldNullability: false });

builder.queryType({ description: "Reads: models, tokenization, health and the scheduler." });
builder.mutationType({ description: "Generations that return when complete, embeddings, and cancellation." });
builder.subscriptionType({
  description: "Token streams and live scheduler state (over SSE, or graphql-ws on the same path).",
});
