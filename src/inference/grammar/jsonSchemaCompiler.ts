// Compiles a JSON schema into GBNF rules that accept only values the schema accepts. A keyword it
// cannot enforce exactly is refused (UnsupportedJsonSchemaError), never approximated by another.
import type { JsonSchema } from "../types.js";
import { type Bound, decimalRange, integerRange, MAX_MAGNITUDE } from "./decimalRanges.js";
import { extraKeyExpression } from "./extraKeyExpression.js";
import { gbnfLiteral, gbnfRepeat, gbnfSequence } from "./gbnfText.js";
import { addPrimitiveRule, ENFORCED_STRING_FORMATS } from "./jsonPrimitiveRules.js";
import { mergeAllOf } from "./mergeAllOf.js";
import { regexExpression, UnsupportedRegexError } from "./regexGrammar.js";
import { resolveSchemaRef } from "./resolveSchemaRef.js";
import {
  hintedTypes,
  isSchemaObject,
  JSON_TYPES,
  type JsonType,
  REFUSED_KEYWORDS,
  validatingKeys,
} from "./schemaKeywords.js";
import { schemaPath, UnsupportedJsonSchemaError } from "./unsupportedJsonSchemaError.js";

/** The largest minLength / maxLength / minItems / maxItems compiled (llama.cpp expands counted repetition). */
const MAX_COUNT = 2000;

interface ObjectMember {
  name: string;
  /** The rule of `"name": value`. */
  member: string;
  required: boolean;
}

function matchesType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "integer":
      return Number.isInteger(value);
    case "object":
      return isSchemaObject(value);
    case "array":
      return Array.isArray(value);
    default:
      return typeof value === type;
  }
}

export class JsonSchemaCompiler {
  /** Rule name → body, in the order they are written out. */
  private readonly rules = new Map<string, string>();
  /** $ref → the rule of its target (compiled once, so recursive schemas are recursive rules). */
  private readonly refRules = new Map<string, string>();

  constructor(
    private readonly root: JsonSchema,
    private readonly prefix: string,
  ) {}

  compileRoot(): { rootRule: string; rules: string } {
    const rootRule = `${this.prefix}value`;
    this.rules.set(rootRule, "");
    this.refRules.set("#", rootRule);
    this.rules.set(rootRule, this.compile(this.root, ""));
    const rules = [...this.rules].map(([name, body]) => `${name} ::= ${body}`).join("\n");
    return { rootRule, rules };
  }

  /** A rule name (or single primitive) matching the values of `schema`; `path` locates it for errors. */
  private compile(schema: unknown, path: string): string {
    if (schema === true) return this.primitive("any");
    if (schema === false) throw new UnsupportedJsonSchemaError(path, "The schema `false` accepts no value");
    if (!isSchemaObject(schema)) throw new UnsupportedJsonSchemaError(path, "A schema must be an object");
    for (const key of Object.keys(schema)) {
      const reason = REFUSED_KEYWORDS.get(key);
      if (reason !== undefined) this.refuse(schemaPath(path, key), key, reason);
    }
    if (schema.uniqueItems === true)
      this.refuse(schemaPath(path, "uniqueItems"), "uniqueItems", "uniqueItems: true is not supported");
    if ("$ref" in schema) {
      this.refuseSiblings(schema, path, "$ref", []);
      return this.ref(schema.$ref, schemaPath(path, "$ref"));
    }
    if ("allOf" in schema) return this.compile(mergeAllOf(this.root, schema, path), path);
    if ("anyOf" in schema) return this.alternatives(schema, path, "anyOf");
    if ("oneOf" in schema) return this.alternatives(schema, path, "oneOf");
    if ("enum" in schema || "const" in schema) return this.literals(schema, path);

    const types = this.typesOf(schema, path);
    if (!types) return this.primitive("any");
    const alternatives = types.map((type) => this.compileType(type, schema, path));
    if (schema.nullable === true && !types.includes("null")) alternatives.push(this.primitive("null"));
    return alternatives.length === 1 ? alternatives[0] : this.defineRule(path, alternatives.join(" | "));
  }

  private refuse(path: string, keyword: string, reason: string): never {
    throw new UnsupportedJsonSchemaError(
      path,
      `Unsupported JSON schema keyword '${keyword}' at ${path}: ${reason}`,
    );
  }

  /** Refuses keywords next to `keyword` that would have to hold together with it. */
  private refuseSiblings(
    schema: JsonSchema,
    path: string,
    keyword: string,
    allowed: readonly string[],
  ): void {
    const sibling = validatingKeys(schema).find((key) => key !== keyword && !allowed.includes(key));
    if (sibling !== undefined)
      this.refuse(schemaPath(path, sibling), sibling, `'${sibling}' next to '${keyword}' is not supported`);
  }

  private primitive(name: string): string {
    return addPrimitiveRule(name, this.prefix, this.rules);
  }

  private get space(): string {
    return this.primitive("space");
  }

  /** Defines a rule named after `hint` (a schema path), unique among the rules, and returns its name. */
  private defineRule(hint: string, body: string): string {
    const name = this.reserveRule(hint);
    this.rules.set(name, body);
    return name;
  }

  private reserveRule(hint: string): string {
    const readable =
      hint
        .replace(/[^A-Za-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 60) || "root";
    const base = `${this.prefix}s-${readable}`;
    let name = base;
    for (let suffix = 2; this.rules.has(name); suffix++) name = `${base}-${suffix}`;
    this.rules.set(name, "");
    return name;
  }

  private ref(ref: unknown, refPath: string): string {
    const { target, path } = resolveSchemaRef(this.root, ref, refPath);
    const known = this.refRules.get(ref as string);
    if (known !== undefined) return known;
    const name = this.reserveRule(`ref-${path}`);
    this.refRules.set(ref as string, name);
    this.rules.set(name, this.compile(target, path));
    return name;
  }

  private alternatives(schema: JsonSchema, path: string, keyword: "anyOf" | "oneOf"): string {
    // oneOf is compiled like anyOf: the value matches at least one branch (branches are not made exclusive).
    this.refuseSiblings(schema, path, keyword, ["nullable"]);
    const branches = schema[keyword];
    const keywordPath = schemaPath(path, keyword);
    if (!Array.isArray(branches) || branches.length === 0)
      throw new UnsupportedJsonSchemaError(keywordPath, `${keyword} must be a non-empty array`);
    const alternatives = branches.map((branch, index) =>
      this.compile(branch, schemaPath(keywordPath, index)),
    );
    if (schema.nullable === true) alternatives.push(this.primitive("null"));
    return this.defineRule(keywordPath, alternatives.join(" | "));
  }

  private literals(schema: JsonSchema, path: string): string {
    const keyword = "const" in schema ? "const" : "enum";
    this.refuseSiblings(schema, path, keyword, ["enum", "type", "nullable"]);
    if ("enum" in schema && !Array.isArray(schema.enum))
      throw new UnsupportedJsonSchemaError(schemaPath(path, "enum"), "enum must be an array");
    const enumValues = (schema.enum ?? []) as unknown[];
    let values = "const" in schema ? [schema.const] : enumValues;
    if ("const" in schema && "enum" in schema)
      values = values.filter((value) =>
        enumValues.some((other) => JSON.stringify(other) === JSON.stringify(value)),
      );
    const types = schema.type === undefined ? undefined : this.typesOf(schema, path);
    values = values.filter((value) => !types || types.some((type) => matchesType(value, type)));
    if (schema.nullable === true && !values.includes(null)) values.push(null);
    if (values.length === 0)
      throw new UnsupportedJsonSchemaError(schemaPath(path, keyword), `No value satisfies this ${keyword}`);
    const literals = [...new Set(values.map((value) => gbnfLiteral(JSON.stringify(value))))];
    return this.defineRule(schemaPath(path, keyword), literals.join(" | "));
  }

  private typesOf(schema: JsonSchema, path: string): JsonType[] | undefined {
    if (schema.type === undefined) return hintedTypes(schema);
    const listed: unknown[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const typePath = schemaPath(path, "type");
    for (const type of listed)
      if (!JSON_TYPES.includes(type as JsonType))
        throw new UnsupportedJsonSchemaError(typePath, `Unknown type ${JSON.stringify(type)}`);
    if (listed.length === 0)
      throw new UnsupportedJsonSchemaError(typePath, "An empty type list accepts no value");
    const types = [...new Set(listed as JsonType[])];
    // "number" already includes the integers.
    return types.includes("number") ? types.filter((type) => type !== "integer") : types;
  }

  private compileType(type: JsonType, schema: JsonSchema, path: string): string {
    switch (type) {
      case "string":
        return this.string(schema, path);
      case "number":
      case "integer":
        return this.numeric(type, schema, path);
      case "object":
        return this.object(schema, path);
      case "array":
        return this.array(schema, path);
      default:
        return this.primitive(type);
    }
  }

  private count(schema: JsonSchema, keyword: string, path: string): number | undefined {
    const value = schema[keyword];
    if (value === undefined) return undefined;
    const keywordPath = schemaPath(path, keyword);
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
      throw new UnsupportedJsonSchemaError(keywordPath, `${keyword} must be a non-negative integer`);
    if (value > MAX_COUNT) this.refuse(keywordPath, keyword, `values above ${MAX_COUNT} are not supported`);
    return value;
  }

  private string(schema: JsonSchema, path: string): string {
    if ("pattern" in schema) return this.patternString(schema, path);
    const format = schema.format;
    // Other formats (email, uri, ...) are annotations here: the value is any string.
    if (typeof format === "string" && ENFORCED_STRING_FORMATS.has(format)) {
      const lengthKeyword = ["minLength", "maxLength"].find((keyword) => keyword in schema);
      if (lengthKeyword)
        this.refuse(
          schemaPath(path, lengthKeyword),
          lengthKeyword,
          `${lengthKeyword} together with format '${format}' is not supported`,
        );
      return this.primitive(format);
    }
    const min = this.count(schema, "minLength", path) ?? 0;
    const max = this.count(schema, "maxLength", path);
    if (min === 0 && max === undefined) return this.primitive("string");
    if (max !== undefined && max < min)
      throw new UnsupportedJsonSchemaError(schemaPath(path, "maxLength"), "maxLength is below minLength");
    const chars = gbnfRepeat(this.primitive("char"), min, max);
    return this.defineRule(path, gbnfSequence(`"\\""`, chars, `"\\""`));
  }

  /** A string matching `pattern` (anywhere, as JSON Schema reads it, unless anchored), as JSON writes it. */
  private patternString(schema: JsonSchema, path: string): string {
    const patternPath = schemaPath(path, "pattern");
    if (typeof schema.pattern !== "string")
      throw new UnsupportedJsonSchemaError(patternPath, "pattern must be a string");
    const sibling = ["minLength", "maxLength", "format"].find((keyword) => keyword in schema);
    if (sibling)
      this.refuse(schemaPath(path, sibling), sibling, `${sibling} together with pattern is not supported`);
    try {
      const body = regexExpression(schema.pattern, "jsonString", "search");
      return this.defineRule(path, gbnfSequence(`"\\""`, body, `"\\""`));
    } catch (error) {
      if (error instanceof UnsupportedRegexError) this.refuse(patternPath, "pattern", error.message);
      throw error;
    }
  }

  /** The tighter of `inclusiveKey` and `exclusiveKey` (a number, or draft-04's boolean flag). */
  private bound(schema: JsonSchema, path: string, side: "Minimum" | "Maximum"): Bound | undefined {
    const inclusive = schema[side.toLowerCase()];
    const exclusive = schema[`exclusive${side}`];
    const bounds: Bound[] = [];
    for (const [key, value] of [
      [side.toLowerCase(), inclusive],
      [`exclusive${side}`, exclusive],
    ] as const) {
      if (value === undefined || (typeof value === "boolean" && key !== side.toLowerCase())) continue;
      if (typeof value !== "number" || !Number.isFinite(value))
        throw new UnsupportedJsonSchemaError(schemaPath(path, key), `${key} must be a number`);
      bounds.push({ value, exclusive: key !== side.toLowerCase() || exclusive === true });
    }
    const tighter = (a: Bound, b: Bound): Bound => {
      if (a.value === b.value) return a.exclusive ? a : b;
      return (side === "Minimum" ? a.value > b.value : a.value < b.value) ? a : b;
    };
    return bounds.length ? bounds.reduce(tighter) : undefined;
  }

  private numeric(type: "number" | "integer", schema: JsonSchema, path: string): string {
    const lower = this.bound(schema, path, "Minimum");
    const upper = this.bound(schema, path, "Maximum");
    const boundPath = schemaPath(path, lower ? "minimum" : "maximum");
    if (!lower && !upper) return this.primitive(type);
    if (type === "integer") {
      const low = lower
        ? lower.exclusive
          ? Math.floor(lower.value) + 1
          : Math.ceil(lower.value)
        : -MAX_MAGNITUDE;
      const high = upper
        ? upper.exclusive
          ? Math.ceil(upper.value) - 1
          : Math.floor(upper.value)
        : MAX_MAGNITUDE;
      const range = integerRange(Math.max(low, -MAX_MAGNITUDE), Math.min(high, MAX_MAGNITUDE));
      if (range === undefined)
        throw new UnsupportedJsonSchemaError(
          boundPath,
          `No integer of at most 15 digits lies within the bounds (${low} to ${high})`,
        );
      return this.defineRule(path, range);
    }
    for (const [bound, keyword] of [
      [lower, "minimum"],
      [upper, "maximum"],
    ] as const)
      if (bound && !Number.isInteger(bound.value))
        this.refuse(schemaPath(path, keyword), keyword, "non-integer bounds on numbers are not supported");
    // Bounds beyond what a number of at most 15 integer digits reaches constrain nothing.
    const range = decimalRange(
      lower && lower.value >= -MAX_MAGNITUDE
        ? { ...lower, value: Math.min(lower.value, MAX_MAGNITUDE + 1) }
        : undefined,
      upper && upper.value <= MAX_MAGNITUDE
        ? { ...upper, value: Math.max(upper.value, -MAX_MAGNITUDE - 1) }
        : undefined,
    );
    if (range === undefined)
      throw new UnsupportedJsonSchemaError(
        boundPath,
        "No number of at most 15 integer digits lies within the bounds",
      );
    return this.defineRule(path, range);
  }

  private object(schema: JsonSchema, path: string): string {
    const properties = schema.properties ?? {};
    if (!isSchemaObject(properties))
      throw new UnsupportedJsonSchemaError(schemaPath(path, "properties"), "properties must be an object");
    const required = schema.required ?? [];
    if (!Array.isArray(required) || !required.every((name) => typeof name === "string"))
      throw new UnsupportedJsonSchemaError(
        schemaPath(path, "required"),
        "required must be an array of names",
      );
    const requiredNames = new Set<string>(required);
    const minProperties = this.count(schema, "minProperties", path) ?? 0;
    if (minProperties > requiredNames.size)
      this.refuse(
        schemaPath(path, "minProperties"),
        "minProperties",
        "minProperties above the number of required properties is not supported",
      );
    const additional = schema.additionalProperties;
    const names = Object.keys(properties);
    if (names.length === 0 && requiredNames.size === 0 && (additional === undefined || additional === true))
      return this.primitive("any-object");

    const additionalPath = schemaPath(path, "additionalProperties");
    let additionalValue: string | undefined;
    const additionalRule = () => {
      additionalValue ??=
        additional === undefined ? this.primitive("any") : this.compile(additional, additionalPath);
      return additionalValue;
    };
    const members: ObjectMember[] = names.map((name) => {
      const propertyPath = schemaPath(schemaPath(path, "properties"), name);
      return {
        name,
        member: this.member(name, this.compile(properties[name], propertyPath), propertyPath),
        required: requiredNames.has(name),
      };
    });
    for (const name of requiredNames) {
      if (name in properties) continue;
      if (additional === false)
        throw new UnsupportedJsonSchemaError(
          schemaPath(path, "required"),
          `'${name}' is required, but additionalProperties is false and properties does not define it`,
        );
      members.push({ name, member: this.member(name, additionalRule(), `${path}-${name}`), required: true });
    }
    // Without additionalProperties, an object with declared properties gets no others (as in llama.cpp):
    // a model filling in extra keys is rarely what the schema's author wanted.
    const extra =
      additional === undefined || additional === false
        ? undefined
        : this.extraMember(
            members.map((member) => member.name),
            additionalRule(),
            additionalPath,
          );
    return this.defineRule(path, `"{" ${this.space} ${this.objectBody(members, extra)} "}"`);
  }

  private member(name: string, value: string, path: string): string {
    const space = this.space;
    return this.defineRule(
      `${path}-member`,
      `${gbnfLiteral(JSON.stringify(name))} ${space} ":" ${space} ${value} ${space}`,
    );
  }

  private extraMember(declared: string[], value: string, path: string): string {
    const key = declared.length
      ? this.defineRule(`${path}-key`, extraKeyExpression(declared, this.primitive("key-char")))
      : this.primitive("string");
    const space = this.space;
    return this.defineRule(`${path}-member`, `${key} ${space} ":" ${space} ${value} ${space}`);
  }

  /**
   * Members in declared order, each optional one free to be absent, then any extra members; commas
   * only between members.
   */
  private objectBody(members: readonly ObjectMember[], extra: string | undefined): string {
    const comma = `"," ${this.space}`;
    const extras = extra ? `(${comma} ${extra})*` : "";
    // Members from `from` on, once some member is already written.
    const rest = (from: number) =>
      gbnfSequence(
        ...members
          .slice(from)
          .map(({ member, required }) => (required ? `${comma} ${member}` : `(${comma} ${member})?`)),
        extras,
      );
    // Members from `index` on, when none is written yet.
    const first = (index: number): string => {
      if (index === members.length) return extra ? `(${extra} ${extras})?` : "";
      const { member, required } = members[index];
      const withIt = gbnfSequence(member, rest(index + 1));
      if (required) return withIt;
      const without = first(index + 1);
      return without === "" ? `(${withIt})?` : `(${withIt} | ${without})`;
    };
    return first(0);
  }

  private array(schema: JsonSchema, path: string): string {
    const { items, prefixItems } = schema;
    let tuple: unknown[] = [];
    let tuplePath = schemaPath(path, "items");
    let rest: unknown = items;
    let restPath = schemaPath(path, "items");
    if (prefixItems !== undefined) {
      tuplePath = schemaPath(path, "prefixItems");
      if (!Array.isArray(prefixItems))
        throw new UnsupportedJsonSchemaError(tuplePath, "prefixItems must be an array");
      tuple = prefixItems;
    } else if (Array.isArray(items)) {
      tuple = items;
      rest = schema.additionalItems;
      restPath = schemaPath(path, "additionalItems");
    }
    const min = this.count(schema, "minItems", path) ?? 0;
    let max = this.count(schema, "maxItems", path);
    if (rest === false) max = Math.min(max ?? tuple.length, tuple.length);
    if (max !== undefined && max < min)
      throw new UnsupportedJsonSchemaError(
        schemaPath(path, "minItems"),
        "No array length satisfies minItems",
      );
    const elements = tuple
      .slice(0, max ?? tuple.length)
      .map((element, index) => this.compile(element, schemaPath(tuplePath, index)));
    const restRule =
      rest === false || (max !== undefined && max <= elements.length)
        ? undefined
        : rest === undefined
          ? this.primitive("any")
          : this.compile(rest, restPath);
    const space = this.space;
    const comma = `"," ${space}`;
    // Elements from `index` on, given the ones before it are written.
    const from = (index: number): string => {
      if (index === elements.length) {
        if (!restRule) return "";
        const least = Math.max(0, min - index);
        const most = max === undefined ? undefined : max - index;
        if (index > 0) return gbnfRepeat(`${comma} ${restRule} ${space}`, least, most);
        const tail = gbnfRepeat(`${comma} ${restRule} ${space}`, Math.max(0, least - 1), most && most - 1);
        const written = gbnfSequence(restRule, space, tail);
        return least >= 1 ? written : `(${written})?`;
      }
      const written = gbnfSequence(index === 0 ? "" : comma, elements[index], space, from(index + 1));
      return index >= min ? `(${written})?` : written;
    };
    return this.defineRule(path, gbnfSequence(`"["`, space, from(0), `"]"`));
  }
}
