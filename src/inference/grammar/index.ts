export { jsonSchemaGrammar, jsonSchemaRules } from "./jsonSchemaGrammar.js";
export { UnsupportedRegexError } from "./regexGrammar.js";
export { choiceGrammar, regexGrammar } from "./textGrammars.js";
export { UnsupportedJsonSchemaError } from "./unsupportedJsonSchemaError.js";
