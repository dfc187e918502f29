// The typed client infers inputs, outputs and stream events from AppRouter alone, with no codegen.
// These are compile-time checks: `npm run typecheck` fails when an inference breaks.
import type { TRPCClientError } from "@trpc/client";
import { describe, expectTypeOf, it } from "vitest";
import type {
  AppRouter,
  createInferqlClient,
  InferqlClient,
  RouterInputs,
  RouterOutputs,
} from "../../src/client/index.js";
import type {
  ChatCompletion,
  ChatCompletionEvent,
  ChatCompletionInput,
  CompletionEvent,
  CompletionInput,
  FinishReason,
  TokenizeInput,
} from "../../src/resolvers/index.js";

describe("the typed client", () => {
  it("takes each resolver's zod input type", () => {
    expectTypeOf<RouterInputs["chat"]["create"]>().toEqualTypeOf<ChatCompletionInput>();
    expectTypeOf<RouterInputs["chat"]["stream"]>().toEqualTypeOf<ChatCompletionInput>();
    expectTypeOf<RouterInputs["completion"]["stream"]>().toEqualTypeOf<CompletionInput>();
    expectTypeOf<RouterInputs["tokenizer"]["tokenize"]>().toEqualTypeOf<TokenizeInput>();
    expectTypeOf<RouterInputs["scheduler"]["cancel"]>().toEqualTypeOf<{ id: string }>();
  });

  it("returns each resolver's result type", () => {
    expectTypeOf<RouterOutputs["chat"]["create"]>().toEqualTypeOf<ChatCompletion>();
    expectTypeOf<RouterOutputs["scheduler"]["cancel"]>().toEqualTypeOf<boolean>();
  });

  it("yields the stream event unions from subscriptions", () => {
    expectTypeOf<ReturnType<InferqlClient["chat"]["stream"]["subscribe"]>>().toEqualTypeOf<
      AsyncIterableIterator<ChatCompletionEvent>
    >();
    expectTypeOf<ReturnType<InferqlClient["completion"]["stream"]["subscribe"]>>().toEqualTypeOf<
      AsyncIterableIterator<CompletionEvent>
    >();
  });

  it("narrows events by type and types the error data", () => {
    // Never called: it only has to compile.
    const usage = (client: InferqlClient) => {
      client.chat.stream.subscribe(
        { messages: [{ role: "user", content: "Hi" }], maxTokens: 8 },
        {
          onData: (event) => {
            expectTypeOf(event).toEqualTypeOf<ChatCompletionEvent>();
            if (event.type === "contentDelta") expectTypeOf(event.content).toEqualTypeOf<string>();
            if (event.type === "finished") expectTypeOf(event.finishReason).toEqualTypeOf<FinishReason>();
          },
          onError: (error) => {
            expectTypeOf(error).toEqualTypeOf<TRPCClientError<AppRouter>>();
            expectTypeOf(error.data?.field).toEqualTypeOf<string | undefined>();
            expectTypeOf(error.data?.retryAfterSeconds).toEqualTypeOf<number | undefined>();
          },
        },
      );
      // @ts-expect-error messages is required
      void client.chat.create.mutate({ maxTokens: 8 });
      // @ts-expect-error temperature is a number
      void client.completion.create.mutate({ prompt: "Hi", temperature: "hot" });
      // @ts-expect-error no such procedure
      void client.chat.delete;
    };
    expectTypeOf(usage).parameter(0).toEqualTypeOf<ReturnType<typeof createInferqlClient>>();
  });
});
