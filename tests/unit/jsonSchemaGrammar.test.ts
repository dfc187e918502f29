// inferql's JSON schema → GBNF compiler: node-llama-cpp compiles its grammars, they accept exactly
// the JSON texts a schema allows, a sampling model constrained by them only writes valid values, and
// keywords the compiler cannot enforce are refused with their path.
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import {
  getLlama,
  type Llama,
  LlamaCompletion,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  LlamaGrammarEvaluationState,
  LlamaLogLevel,
  type LlamaModel,
  type Token,
  TokenBias,
} from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { BYTE_TOKEN_OFFSET, SpecialTokenId } from "../../src/inference/generatedModel/vocab.js";
import {
  jsonSchemaGrammar,
  jsonSchemaRules,
  UnsupportedJsonSchemaError,
} from "../../src/inference/grammar/index.js";
import type { JsonSchema } from "../../src/inference/types.js";
import { assertValidJsonSchema } from "../../src/resolvers/assertValidJsonSchema.js";
import { langChainPerson } from "../support/clientSchemas.js";

/** The Vercel AI SDK's generateObject recipe example, as zod-to-json-schema writes it. */
const aiSdkRecipe = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    recipe: {
      type: "object",
      properties: {
        name: { type: "string" },
        ingredients: {
          type: "array",
          items: {
            type: "object",
            properties: { name: { type: "string" }, amount: { type: "string" } },
            required: ["name", "amount"],
            additionalProperties: false,
          },
          maxItems: 4,
        },
        servings: { type: "integer", exclusiveMinimum: 0, maximum: 12 },
        vegetarian: { type: "boolean" },
      },
      required: ["name", "ingredients", "servings", "vegetarian"],
      additionalProperties: false,
    },
  },
  required: ["recipe"],
  additionalProperties: false,
};

const tree = {
  $defs: {
    node: {
      type: "object",
      properties: {
        label: { enum: ["leaf", "branch", 7, null] },
        children: { type: "array", items: { $ref: "#/$defs/node" }, maxItems: 3 },
      },
      required: ["label"],
    },
  },
  $ref: "#/$defs/node",
};

const bounded = {
  type: "object",
  properties: {
    count: { type: "integer", minimum: -5, maximum: 1234 },
    ratio: { type: "number", minimum: 0, maximum: 1 },
    positive: { type: "number", exclusiveMinimum: 0 },
    latitude: { type: "number", minimum: -90, maximum: 90 },
    unbounded: { type: "number" },
    kind: { const: "sample" },
    tags: { type: "array", items: { type: "string", maxLength: 3 }, minItems: 1, maxItems: 2 },
    maybe: { type: ["integer", "null"] },
  },
  required: ["count", "ratio", "positive", "latitude", "unbounded", "kind", "tags", "maybe"],
  additionalProperties: false,
};

const dated = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    day: { type: "string", format: "date" },
    at: { type: "string", format: "date-time" },
  },
  required: ["id", "day", "at"],
};

let llama: Llama;
let model: LlamaModel;
let context: LlamaContext;
let sequence: LlamaContextSequence;
let completion: LlamaCompletion;
/** Makes the tiny random model close strings soon: otherwise a sampled string rarely ends. */
let quoteBias: TokenBias;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: inject("tinyModelPath") });
  context = await model.createContext({ contextSize: 1024, threads: 1 });
  sequence = context.getSequence();
  completion = new LlamaCompletion({ contextSequence: sequence });
  quoteBias = new TokenBias(model.tokenizer);
  const vocabularySize = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
  for (let token = 0; token < vocabularySize; token++)
    if (model.detokenize([token as Token], true).includes('"')) quoteBias.set(token as Token, { logit: 4 });
});

afterAll(async () => {
  await context?.dispose();
  await model?.dispose();
});

/** node-llama-cpp's own grammar stepping (internal API, the one its samplers use). */
interface GrammarStepper {
  canBeNextTokenForGrammarEvaluationState(state: unknown, token: Token): boolean;
  acceptGrammarEvaluationStateToken(state: unknown, token: Token): void;
}

/** Whether `grammar` accepts exactly `text`: fed byte by byte (the tiny model has a token per byte), then end of text. */
function accepts(grammar: LlamaGrammar, text: string): boolean {
  const stepper = (llama as unknown as { _bindings: { AddonSampler: GrammarStepper } })._bindings
    .AddonSampler;
  const state = (new LlamaGrammarEvaluationState({ model, grammar }) as unknown as { _state: unknown })
    ._state;
  for (const byte of Buffer.from(text, "utf8")) {
    const token = (BYTE_TOKEN_OFFSET + byte) as Token;
    if (!stepper.canBeNextTokenForGrammarEvaluationState(state, token)) return false;
    stepper.acceptGrammarEvaluationStateToken(state, token);
  }
  return stepper.canBeNextTokenForGrammarEvaluationState(state, SpecialTokenId.eos as Token);
}

async function compile(schema: JsonSchema): Promise<LlamaGrammar> {
  return llama.createGrammar({ grammar: jsonSchemaGrammar(schema) });
}

/** Texts the grammar of `schema` must accept, and texts it must not. */
async function expectLanguage(schema: JsonSchema, valid: string[], invalid: string[]): Promise<void> {
  const grammar = await compile(schema);
  for (const text of valid) expect(accepts(grammar, text), `accepts ${text}`).toBe(true);
  for (const text of invalid) expect(accepts(grammar, text), `rejects ${text}`).toBe(false);
}

/** Formats are checked by the tests that sample them. */
const ajvOptions = { strict: false, validateFormats: false };

function validatorFor(schema: JsonSchema): ValidateFunction {
  const ajv = schema.$schema === langChainPerson.$schema ? new Ajv2020(ajvOptions) : new Ajv(ajvOptions);
  return ajv.compile(schema);
}

function expectFiniteNumbers(value: unknown): void {
  if (typeof value === "number") expect(Number.isFinite(value)).toBe(true);
  else if (typeof value === "object" && value !== null) Object.values(value).forEach(expectFiniteNumbers);
}

/** Generates with the schema's grammar at temperature 1 over `seeds` seeds; every output must be a valid, finite value. */
async function sampleValues(schema: JsonSchema, seeds: number): Promise<unknown[]> {
  const grammar = await compile(schema);
  const validate = validatorFor(schema);
  const values: unknown[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    await sequence.clearHistory();
    const { response, metadata } = await completion.generateCompletionWithMeta("json:", {
      grammar,
      temperature: 1,
      seed,
      maxTokens: 500,
      tokenBias: quoteBias,
    });
    expect(metadata.stopReason, response).toBe("eogToken");
    const value: unknown = JSON.parse(response);
    expect(validate(value), `${response}: ${JSON.stringify(validate.errors)}`).toBe(true);
    expectFiniteNumbers(value);
    values.push(value);
  }
  return values;
}

function refusal(schema: JsonSchema): UnsupportedJsonSchemaError {
  try {
    jsonSchemaGrammar(schema);
  } catch (error) {
    if (error instanceof UnsupportedJsonSchemaError) return error;
    throw error;
  }
  throw new Error(`The schema was compiled: ${JSON.stringify(schema)}`);
}

describe("LangChain's withStructuredOutput schema (2020-12, nullable and optional fields)", () => {
  it("keeps the optional property optional and the nullable one nullable", async () => {
    await expectLanguage(
      langChainPerson,
      ['{"name":"a","age":null}', '{"name":"a","age":3,"nick":"x"}', '{ "name": "a",\n  "age": -12 }'],
      ['{"name":"a"}', '{"age":1,"name":"a"}', '{"name":"a","age":1.5}', '{"name":"a","age":1,"extra":1}'],
    );
  });

  it("sampled outputs all validate, some without the optional property and some with a null age", async () => {
    const values = (await sampleValues(langChainPerson, 24)) as { age: unknown; nick?: string }[];
    expect(values.some((value) => !("nick" in value))).toBe(true);
    expect(values.some((value) => "nick" in value)).toBe(true);
    expect(values.some((value) => value.age === null)).toBe(true);
    expect(values.some((value) => typeof value.age === "number")).toBe(true);
  });
});

describe("the AI SDK's generateObject schema (zod-to-json-schema, draft-07)", () => {
  it("sampled outputs all validate", async () => {
    await sampleValues(aiSdkRecipe, 8);
  });
});

describe("numbers", () => {
  it("integers and numbers keep their bounds, and no number overflows to Infinity", async () => {
    await expectLanguage(
      { type: "integer", minimum: -5, maximum: 1234 },
      ["-5", "0", "9", "10", "999", "1000", "1234"],
      ["-6", "1235", "2000", "-0", "007", "1.0", "1e2"],
    );
    await expectLanguage(
      { type: "number", exclusiveMinimum: 0, maximum: 1 },
      ["0.5", "1", "1.00", "0.001"],
      ["0", "0.0", "1.5", "-0.5", "2"],
    );
    await expectLanguage(
      { type: "number" },
      ["-0.5", "12", "3.25e-7", "1E99"],
      ["1111111111111111e1111111111111111", "1e999", "01"],
    );
    // draft-04's boolean exclusive bounds
    await expectLanguage({ type: "integer", minimum: 0, exclusiveMinimum: true }, ["1"], ["0"]);
  });

  it("sampled bounded values, consts, type lists and short strings all validate", async () => {
    const values = (await sampleValues(bounded, 8)) as { maybe: unknown }[];
    expect(values.length).toBe(8);
  });
});

describe("$ref and $defs", () => {
  it("a recursive tree compiles to recursive rules", async () => {
    await expectLanguage(
      tree,
      ['{"label":"leaf"}', '{"label":7,"children":[{"label":null},{"label":"branch","children":[]}]}'],
      ['{"label":"other"}', '{"children":[]}', '{"label":"leaf","children":[{}]}'],
    );
    await sampleValues(tree, 6);
  });

  it("#/definitions and the root itself (#) resolve too", async () => {
    await expectLanguage(
      {
        definitions: { id: { type: "integer", minimum: 1 } },
        type: "array",
        items: { $ref: "#/definitions/id" },
      },
      ["[]", "[1,2]"],
      ["[0]"],
    );
    await expectLanguage(
      { type: "object", properties: { next: { $ref: "#" } } },
      ["{}", '{"next":{"next":{}}}'],
      ['{"next":1}'],
    );
  });
});

describe("objects, arrays and strings", () => {
  it("optional properties may each be absent, in declared order", async () => {
    await expectLanguage(
      {
        type: "object",
        properties: { a: { type: "integer" }, b: { type: "integer" }, c: { type: "integer" } },
      },
      ["{}", '{"b":1}', '{"a":1,"c":2}', '{"a":1,"b":2,"c":3}'],
      ['{"a":1,}', '{,"b":1}', '{"b":1,"a":2}', '{"d":1}'],
    );
  });

  it("additionalProperties admits other keys, never one that spells a declared name", async () => {
    await expectLanguage(
      { type: "object", properties: { ab: { type: "string" } }, additionalProperties: { type: "integer" } },
      ['{"ab":"x","x":1}', '{"a":1}', '{"abc":1,"b":2}'],
      ['{"ab":1}', '{"ab":"x","ab":1}', '{"x":"y"}'],
    );
  });

  it("objects without properties are any object; untyped schemas are any value", async () => {
    await expectLanguage({ type: "object" }, ['{"a":[1,{"b":null}]}', "{}"], ["[]", "1"]);
    await expectLanguage({}, ['{"a":[1,{"b":null}]}', '"x"', "true", "null"], ["nul", "[1,]"]);
  });

  it("allOf of object schemas merges them", async () => {
    await expectLanguage(
      {
        allOf: [
          { type: "object", properties: { a: { type: "integer" } }, required: ["a"] },
          { properties: { b: { type: "boolean" } } },
        ],
      },
      ['{"a":1,"b":true}', '{"a":1}'],
      ['{"b":true}', '{"a":"1"}'],
    );
  });

  it("tuples, item counts, string lengths, type lists and nullable", async () => {
    await expectLanguage(
      { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false, minItems: 1 },
      ['["a"]', '["a",1]'],
      ["[]", '["a",1,2]', "[1]"],
    );
    await expectLanguage(
      { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 3 },
      ["[1,2]", "[1, 2, 3]"],
      ["[1]", "[1,2,3,4]"],
    );
    await expectLanguage(
      { type: ["string", "null"], minLength: 2, maxLength: 3 },
      ['"ab"', '"a\\"c"', '"\\u00e9t"', "null"],
      ['"a"', '"abcd"', '"a\nb"'],
    );
    await expectLanguage({ type: "integer", nullable: true }, ["1", "null"], ['"1"']);
    await expectLanguage(
      { enum: ["a", 1, null, { x: [1] }] },
      ['"a"', "1", "null", '{"x":[1]}'],
      ['"b"', "2"],
    );
  });

  it("whitespace between tokens is bounded", async () => {
    await expectLanguage(
      { type: "array", items: { type: "integer" } },
      ["[ 1,\n  2 ]"],
      [`[${" ".repeat(2)}1]`, `[\n${" ".repeat(21)}1]`],
    );
  });

  it("formats date, time, date-time and uuid are enforced", async () => {
    await expectLanguage(
      { type: "string", format: "date-time" },
      ['"2024-02-29T10:00:00Z"', '"1999-12-31T23:59:59.5+01:00"'],
      ['"2023-02-29T10:00:00Z"', '"2024-04-31T10:00:00Z"', '"2024-13-01T00:00:00Z"', '"2024-01-01"'],
    );
    const values = (await sampleValues(dated, 4)) as { id: string; day: string; at: string }[];
    for (const { id, day, at } of values) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(new Date(day).toISOString().slice(0, 10)).toBe(day);
      expect(Number.isNaN(Date.parse(at))).toBe(false);
    }
  });
});

describe("string patterns", () => {
  it("an anchored pattern: classes, escapes, counts and alternatives, matched whole", async () => {
    await expectLanguage(
      { type: "string", pattern: "^([A-Z]{3}|x)-\\d{2,4}$" },
      ['"ABC-12"', '"XYZ-1234"', '"x-00"'],
      ['"AB-12"', '"ABC-1"', '"abc-12"', '" ABC-12"', '"ABC-12 "', '"ABC-12345"'],
    );
  });

  it("an unanchored pattern matches anywhere in the string, as JSON Schema reads it", async () => {
    await expectLanguage(
      { type: "string", pattern: "\\d{3}" },
      ['"123"', '"ab 123 cd"', '"x\\n1234"'],
      ['"12"', '"1a2b3"'],
    );
    await expectLanguage({ type: "string", pattern: "^ab" }, ['"ab"', '"abc d"'], ['"cab"']);
  });

  it("matched characters are written as JSON escapes them: quotes, backslashes, line breaks", async () => {
    await expectLanguage(
      { type: "string", pattern: '^a"b\\\\c\\n.[^,]$' },
      ['"a\\"b\\\\c\\nz\\""', '"a\\"b\\\\c\\n\\\\x"'],
      ['"a"b\\\\c\\nzz"', '"a\\"b\\\\c\\n\\n,"', '"a\\"b\\\\c\\nz,"'],
    );
  });

  it("sampled values all match the pattern", async () => {
    const coded = {
      type: "object",
      properties: { code: { type: "string", pattern: "^[A-Z]{2}[0-9]{3}(-[a-z]+)?$" } },
      required: ["code"],
    };
    const values = (await sampleValues(coded, 4)) as { code: string }[];
    for (const { code } of values) expect(code).toMatch(/^[A-Z]{2}[0-9]{3}(-[a-z]+)?$/);
  });
});

describe("refused keywords", () => {
  it.each([
    [
      { type: "object", properties: { code: { type: "string", pattern: "^(?=A)[A-Z]+$" } } },
      "properties.code.pattern",
    ],
    [{ type: "string", pattern: "(a)\\1" }, "pattern"],
    [{ type: "string", pattern: "\\bword\\b" }, "pattern"],
    [{ type: "string", pattern: "^\\p{L}+$" }, "pattern"],
    [{ type: "string", pattern: "^[a-z]+$", maxLength: 4 }, "maxLength"],
    [{ not: { type: "string" } }, "not"],
    [JSON.parse('{"type":"object","if":{"required":["a"]},"then":{"required":["b"]}}'), "if"],
    [{ type: "array", items: { type: "integer" }, uniqueItems: true }, "uniqueItems"],
    [{ type: "object", patternProperties: { "^x": {} } }, "patternProperties"],
    [{ type: "array", items: { $ref: "#/$defs/missing" } }, "items.$ref"],
    [{ anyOf: [{ type: "string" }, { type: "number", multipleOf: 2 }] }, "anyOf.1.multipleOf"],
    [{ type: "number", minimum: 0.5 }, "minimum"],
  ])("%j is refused at %s", (schema, path) => {
    const error = refusal(schema);
    expect(error.path).toBe(path);
    expect(error.message).toContain(path.split(".").at(-1));
  });

  it("a keyword next to $ref or anyOf is refused rather than ignored", () => {
    expect(refusal({ $defs: { a: { type: "string" } }, $ref: "#/$defs/a", minLength: 2 }).path).toBe(
      "minLength",
    );
    expect(refusal({ type: "object", anyOf: [{ required: ["a"] }] }).path).toBe("type");
  });
});

describe("jsonSchemaRules", () => {
  it("prefixes every rule, so two schemas share one grammar", async () => {
    const first = jsonSchemaRules(langChainPerson, "p0-");
    const second = jsonSchemaRules(tree, "p1-");
    expect(first.rootRule).toBe("p0-value");
    for (const line of first.rules.split("\n")) expect(line).toMatch(/^p0-[A-Za-z0-9-]+ ::= /);
    const grammar = await llama.createGrammar({
      grammar: `root ::= ${first.rootRule} | ${second.rootRule}\n${first.rules}\n${second.rules}`,
    });
    expect(accepts(grammar, '{"name":"a","age":null}')).toBe(true);
    expect(accepts(grammar, '{"label":"leaf"}')).toBe(true);
    expect(accepts(grammar, '{"label":"leaf","age":null}')).toBe(false);
  });
});

describe("assertValidJsonSchema", () => {
  it.each([
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "http://json-schema.org/draft-07/schema#",
    "http://json-schema.org/draft-04/schema#",
    "https://example.com/my-dialect",
  ])("accepts a schema declaring %s", ($schema) => {
    expect(() =>
      assertValidJsonSchema(
        { $schema, type: "object", properties: { a: { type: "integer", minimum: 0 } } },
        "schema",
      ),
    ).not.toThrow();
  });

  it("accepts draft-04's boolean exclusiveMinimum", () => {
    const schema = {
      $schema: "http://json-schema.org/draft-04/schema#",
      type: "integer",
      minimum: 0,
      exclusiveMinimum: true,
    };
    expect(() => assertValidJsonSchema(schema, "schema")).not.toThrow();
  });

  it("rejects what is not a schema with InvalidInputError naming the field", () => {
    for (const schema of [
      { type: "nonsense" },
      { $schema: "https://json-schema.org/draft/2020-12/schema", required: 3 },
      [],
    ]) {
      expect(() => assertValidJsonSchema(schema, "schema")).toThrow(InvalidInputError);
    }
  });
});
