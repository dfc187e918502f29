// Fields few requests send (vLLM's extensions), checked only when a request sends one of them. Every
// field a wire schema declares costs each request's validation, sent or not: the fifteen of vLLM's
// added ~30 µs to a chat request's validation on this project's VMs when run cold (as a server runs
// it between requests), on the path to every first token. A key test costs well under 1 µs.
import { z } from "zod";

export interface RareFields<Shape extends z.ZodRawShape> {
  readonly schema: z.ZodObject<Shape>;
  readonly keys: readonly string[];
}

/** What a request's rare fields parse to: none of them, when it sends none. */
export type RareFieldsOf<Fields> =
  Fields extends RareFields<infer Shape> ? Partial<z.output<z.ZodObject<Shape>>> : never;

export function rareFields<Shape extends z.ZodRawShape>(shape: Shape): RareFields<Shape> {
  return { schema: z.object(shape), keys: Object.keys(shape) };
}

/** Whether the raw body sends any of `fields`. */
export function sendsAny(body: unknown, fields: RareFields<z.ZodRawShape>): boolean {
  return typeof body === "object" && body !== null && fields.keys.some((key) => key in body);
}
