// GraphQL gives absent optional inputs as null or undefined; the resolvers' schemas want undefined.

export function orUndefined<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}

/** An optional ID argument (Pothos types IDs as string | number) as the resolvers' string. */
export function optionalId(value: string | number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}
