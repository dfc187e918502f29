// The GraphQL schema: every domain type registers itself on the builder when imported.
import { builder } from "./builder.js";
import "./scalars.js";
import "./model.js";
import "./health.js";
import "./tokenization.js";
import "./scheduler.js";
import "./generation.js";
import "./chatCompletion.js";
import "./renderedPrompt.js";
import "./completion.js";
import "./infill.js";
import "./embeddings.js";
import "./rerank.js";

export const schema = builder.toSchema();
