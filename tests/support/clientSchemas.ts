// JSON schemas exactly as real clients send them, shared by the tests that check inferql accepts them.

/** LangChain JS's withStructuredOutput schema for a zod object with a nullable and an optional field. */
export const langChainPerson = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: {
    name: { type: "string" },
    age: { anyOf: [{ type: "integer" }, { type: "null" }] },
    nick: { type: "string" },
  },
  required: ["name", "age"],
  additionalProperties: false,
};
