/**
 * A JSON schema uses a keyword (or a combination) that inferql's grammar compiler cannot enforce
 * exactly. `path` names the keyword inside the schema, dot-separated ("properties.age.pattern").
 */
export class UnsupportedJsonSchemaError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "UnsupportedJsonSchemaError";
  }
}

/** `path.key`, or `key` at the schema root. */
export function schemaPath(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}
