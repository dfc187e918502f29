export { jsonSchemaGrammar, jsonSchemaRules } from "./jsonSchemaGrammar.js";
export { UnsupportedJsonSchemaError } from "./unsupportedJsonSchemaError.js";
