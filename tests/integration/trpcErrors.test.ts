// How the tRPC mount turns each domain error into a tRPC code, and masks unexpected ones.
// Resolvers that fail on demand stand in for the real ones, so no model is needed.
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createHttpServer } from "../../src/api/http.js";
import { type AppRouter, createTrpcMount } from "../../src/api/trpc/index.js";
import {
  CancelledError,
  InternalError,
  InvalidInputError,
  ModelNotFoundError,
  ModelNotReadyError,
  OverloadedError,
} from "../../src/errors.js";
import type { Resolvers } from "../../src/resolvers/index.js";

const failures: Record<string, () => Error> = {
  notFound: () => new ModelNotFoundError("ghost"),
  notReady: () => new ModelNotReadyError(),
  overloaded: () => new OverloadedError(7),
  cancelled: () => new CancelledError(),
  invalid: () => new InvalidInputError("text", "Invalid 'text': too long"),
  internal: () => new InternalError(new Error("llama exploded at 0xdeadbeef")),
  bug: () => new TypeError("Cannot read properties of undefined (reading 'secretToken')"),
};

const logLines: string[] = [];
let server: ReturnType<typeof createHttpServer>;
let baseUrl: string;
let client: ReturnType<typeof createTRPCClient<AppRouter>>;

beforeAll(async () => {
  const resolvers = {
    // The tokenize resolver fails with whatever its text names.
    tokenize: (input: unknown) => {
      const fail = failures[(input as { text: string }).text];
      throw fail();
    },
  } as unknown as Resolvers;
  const logger = pino(
    { level: "error" },
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  server = createHttpServer([createTrpcMount(resolvers, logger)], logger);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}/trpc`;
  client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: baseUrl })] });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

async function errorFor(text: string): Promise<TRPCClientError<AppRouter>> {
  const error = await client.tokenizer.tokenize.query({ text }).catch((caught: unknown) => caught);
  if (!(error instanceof TRPCClientError))
    throw new Error(`expected a TRPCClientError, got ${String(error)}`);
  return error as TRPCClientError<AppRouter>;
}

it.each([
  ["notFound", "NOT_FOUND", 404],
  ["notReady", "SERVICE_UNAVAILABLE", 503],
  ["overloaded", "TOO_MANY_REQUESTS", 429],
  ["cancelled", "CLIENT_CLOSED_REQUEST", 499],
  ["invalid", "BAD_REQUEST", 400],
])("maps %s to %s (HTTP %i)", async (failure, code, httpStatus) => {
  const error = await errorFor(failure);
  expect(error.data?.code).toBe(code);
  expect(error.data?.httpStatus).toBe(httpStatus);
  expect(error.message).toBe(failures[failure]().message);
  const response = await fetch(
    `${baseUrl}/tokenizer.tokenize?input=${encodeURIComponent(JSON.stringify({ text: failure }))}`,
  );
  expect(response.status).toBe(httpStatus);
});

it("carries the field of invalid input and the retry delay of an overload", async () => {
  expect((await errorFor("invalid")).data?.field).toBe("text");
  expect((await errorFor("overloaded")).data?.retryAfterSeconds).toBe(7);
});

it.each([
  ["internal", /deadbeef/],
  ["bug", /secretToken/],
])("masks an unexpected failure (%s) and logs its cause", async (failure, detail) => {
  const error = await errorFor(failure);
  expect(error.data?.code).toBe("INTERNAL_SERVER_ERROR");
  expect(error.data?.httpStatus).toBe(500);
  expect(error.message).toBe("Internal server error");
  const response = await fetch(
    `${baseUrl}/tokenizer.tokenize?input=${encodeURIComponent(JSON.stringify({ text: failure }))}`,
  );
  expect(response.status).toBe(500);
  expect(JSON.stringify(error.shape)).not.toMatch(detail);
  expect(logLines.some((line) => detail.test(line))).toBe(true);
});
