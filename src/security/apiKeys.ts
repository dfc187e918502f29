// API keys, compared in constant time: each key is kept only as its SHA-256 digest, and a presented
// key is digested and compared against every known digest with timingSafeEqual (no early exit), so
// neither the key's content nor its length nor which key matched shows in the response time.
import { createHash, timingSafeEqual } from "node:crypto";

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

export class ApiKeySet {
  private readonly digests: readonly Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(sha256);
  }

  /** Whether any key is configured (no keys: nothing is required). */
  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** A short, stable, non-secret name for the matching key (for rate limits and logs); undefined when none matches. */
  match(presented: string | undefined): string | undefined {
    if (presented === undefined) return undefined;
    const digest = sha256(presented);
    let matched: Buffer | undefined;
    for (const candidate of this.digests) if (timingSafeEqual(candidate, digest)) matched = candidate;
    return matched ? `key:${matched.subarray(0, 6).toString("hex")}` : undefined;
  }
}

/** The token of an `Authorization: Bearer <token>` value (scheme case-insensitive); undefined otherwise. */
export function bearerToken(authorization: unknown): string | undefined {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  if (typeof value !== "string") return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  return match?.[1];
}
