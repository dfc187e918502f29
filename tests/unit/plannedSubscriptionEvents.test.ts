// The pre-planned projection of subscription events (src/api/graphql/plannedSubscriptionEvents.ts)
// against graphql's own `execute` of the same event, on the real schema: for every selection shape
// here, the planned result is byte for byte what `execute` gives (key order included), and the plan
// leaves to the executor what it cannot do exactly (a field with its own resolver, an error, a null
// in a non-null position, a throwing serializer).
import fc from "fast-check";
import { type ExecutionResult, execute, parse } from "graphql";
import { describe, expect, test } from "vitest";
import { planSubscriptionEvents } from "../../src/api/graphql/plannedSubscriptionEvents.js";
import { schema } from "../../src/api/graphql/schema.js";
import { StreamFailure } from "../../src/api/graphql/subscriptionStream.js";

const CHAT_INPUT = { messages: [{ role: "USER", content: "hi" }] };

const usage = { promptTokens: 5, completionTokens: 3, totalTokens: 8, cachedPromptTokens: 2 };
const timings = {
  queueMs: 0.5,
  promptMs: 12.25,
  generationMs: 40,
  promptTokensPerSecond: 400.125,
  generatedTokensPerSecond: 75,
};
const logprob = (token: string) => ({
  token,
  logprob: -0.25,
  bytes: [...Buffer.from(token)],
  topLogprobs: [
    { token, logprob: -0.25, bytes: [...Buffer.from(token)] },
    { token: "x", logprob: -3.5, bytes: [120] },
  ],
});

const CHAT_EVENTS = {
  started: {
    type: "started",
    id: "chatcmpl-1",
    model: "tiny",
    created: 1_760_000_000,
    promptTokens: 5,
    cachedPromptTokens: 2,
    choiceCount: 1,
  },
  content: { type: "contentDelta", id: "chatcmpl-1", choiceIndex: 0, content: 'He said "hi" ✓\n' },
  contentWithLogprobs: {
    type: "contentDelta",
    id: "chatcmpl-1",
    choiceIndex: 1,
    content: "é",
    logprobs: [logprob("é"), logprob(" ")],
  },
  reasoning: { type: "reasoningDelta", id: "chatcmpl-1", choiceIndex: 0, reasoning: "hmm" },
  toolCallStart: {
    type: "toolCallDelta",
    id: "chatcmpl-1",
    choiceIndex: 0,
    index: 0,
    callId: "call-1",
    name: "lookup",
    argumentsDelta: '{"q":',
  },
  toolCallRest: { type: "toolCallDelta", id: "chatcmpl-1", choiceIndex: 0, index: 0, argumentsDelta: '"x"}' },
  finished: {
    type: "finished",
    id: "chatcmpl-1",
    choiceIndex: 0,
    finishReason: "tool_calls",
    usage,
    timings,
    totalUsage: usage,
    content: null,
    toolCalls: [{ id: "call-1", name: "lookup", arguments: '{"q":"x"}' }],
  },
  finishedEarlierChoice: {
    type: "finished",
    id: "chatcmpl-1",
    choiceIndex: 1,
    finishReason: "stop",
    usage,
    timings,
    content: "done",
    reasoning: "because",
    toolCalls: [],
    stopSequence: "\n\n",
  },
} as const;

const BENCH_SELECTION = `
  __typename
  ... on ContentDelta { content }
  ... on GenerationFinished { usage { promptTokens completionTokens cachedPromptTokens } }
`;

/** Selections of `chatCompletion` the plan covers for every event above but GenerationStarted's createdAt. */
const PLANNED_CHAT_SELECTIONS: Record<string, { selection: string; fragments?: string }> = {
  bench: { selection: BENCH_SELECTION },
  "every type, fields in an order unlike the objects'": {
    selection: `
      ... on GenerationStarted { promptTokens model id cachedPromptTokens __typename }
      ... on ContentDelta { logprobs { topLogprobs { bytes logprob token } token bytes logprob } content choiceIndex id }
      ... on ReasoningDelta { reasoning choiceIndex }
      ... on ToolCallDelta { name callId argumentsDelta index choiceIndex }
      ... on GenerationFinished {
        stopSequence toolCalls { arguments name id } totalUsage { totalTokens } finishReason
        timings { generatedTokensPerSecond queueMs promptMs generationMs promptTokensPerSecond }
        usage { totalTokens cachedPromptTokens } choiceIndex id
      }
    `,
  },
  "aliases, a field selected twice and __typename renamed": {
    selection: `
      kind: __typename
      ... on ContentDelta { text: content again: content content choiceIndex i: choiceIndex }
      ... on GenerationFinished { why: finishReason tokens: usage { n: totalTokens } why2: finishReason }
      ... on GenerationEvent { generation: id }
    `,
  },
  "named fragments, nested and spread twice, and fragments on the interface": {
    selection: `
      ...Event
      ... on ContentDelta { ...Delta ...Delta }
      ...Finish
      ... on GenerationEvent { id ... on ToolCallDelta { ...Event index } }
    `,
    fragments: `
      fragment Event on GenerationEvent { __typename id }
      fragment Delta on ContentDelta { content ...Event }
      fragment Finish on GenerationFinished { usage { ...Counts } totalUsage { ...Counts } }
      fragment Counts on Usage { promptTokens completionTokens }
    `,
  },
  "a fragment on the union itself and one on another type that never matches": {
    selection: `
      ... on ChatCompletionEvent { __typename }
      ... on ChatCompletionEvent { ... on ReasoningDelta { reasoning } }
      ... { ... on ContentDelta { choiceIndex } }
    `,
  },
  "@skip and @include with variables and literals": {
    selection: `
      __typename @skip(if: $yes)
      id @include(if: $yes)
      ... on ContentDelta @include(if: $no) { content }
      ... on ContentDelta @skip(if: $no) { choiceIndex content @skip(if: false) c2: content @include(if: false) }
      ...Finish @skip(if: $yes)
      ...Finish @include(if: $yes)
      ... on GenerationFinished { usage @include(if: $yes) @skip(if: $yes) { totalTokens } }
    `,
    fragments: "fragment Finish on GenerationFinished { finishReason }",
  },
};

interface Operation {
  query: string;
  variables: Record<string, unknown>;
}

function chatOperation({ selection, fragments = "" }: { selection: string; fragments?: string }): Operation {
  return {
    query: `subscription S($input: ChatCompletionInput!, $yes: Boolean! = true, $no: Boolean = false) {
      chatCompletion(input: $input) { ${selection} }
    } ${fragments}`,
    variables: { input: CHAT_INPUT },
  };
}

/** The planned result of one event (undefined: left to the executor) and what `execute` gives for it. */
async function plannedAndExecuted(operation: Operation, event: unknown) {
  const args = {
    schema,
    document: parse(operation.query),
    variableValues: operation.variables,
    contextValue: {},
  };
  const project = planSubscriptionEvents(args);
  if (!project) throw new Error(`not planned: ${operation.query}`);
  const executed = (await execute({ ...args, rootValue: event })) as ExecutionResult;
  return { planned: project(event), executed };
}

describe("planned events are what execute gives, byte for byte", () => {
  for (const [shape, selection] of Object.entries(PLANNED_CHAT_SELECTIONS)) {
    test(shape, async () => {
      for (const [name, event] of Object.entries(CHAT_EVENTS)) {
        const { planned, executed } = await plannedAndExecuted(chatOperation(selection), event);
        expect(executed.errors, name).toBeUndefined();
        expect(planned, name).toBeDefined();
        expect(JSON.stringify(planned), name).toBe(JSON.stringify(executed));
      }
    });
  }

  test("variables decide @skip/@include per subscription", async () => {
    const operation = chatOperation(
      PLANNED_CHAT_SELECTIONS["@skip and @include with variables and literals"],
    );
    for (const flags of [{ yes: false, no: true }, { yes: true }, { no: false }]) {
      const { planned, executed } = await plannedAndExecuted(
        { ...operation, variables: { ...operation.variables, ...flags } },
        CHAT_EVENTS.content,
      );
      expect(planned).toBeDefined();
      expect(JSON.stringify(planned)).toBe(JSON.stringify(executed));
    }
  });

  test("the completion subscription, an alias on the subscription field, and the scheduler's state", async () => {
    const completion: Operation = {
      query: `subscription { events: completion(input: { prompt: "x" }) {
        __typename ... on TextDelta { text logprobs { token } } ... on CompletionFinished { finishReason text stopSequence }
      } }`,
      variables: {},
    };
    for (const event of [
      { type: "textDelta", id: "cmpl-1", text: "abc" },
      { type: "finished", id: "cmpl-1", finishReason: "length", usage, timings, text: "abc" },
    ]) {
      const { planned, executed } = await plannedAndExecuted(completion, event);
      expect(planned).toBeDefined();
      expect(JSON.stringify(planned)).toBe(JSON.stringify(executed));
    }
    const scheduler: Operation = {
      query: `subscription { schedulerEvents { busySlots models { nodeId slots { index busy requestId cachedTokens } queued } } }`,
      variables: {},
    };
    const state = {
      nodeId: "n1",
      busySlots: 1,
      totalSlots: 2,
      queued: 0,
      models: [
        {
          model: "tiny",
          nodeId: "n1",
          busySlots: 1,
          queued: 0,
          queueCapacity: 8,
          slots: [
            { index: 0, busy: true, requestId: "r1", cachedTokens: 12 },
            { index: 1, busy: false, cachedTokens: 0 },
          ],
        },
      ],
    };
    const { planned, executed } = await plannedAndExecuted(scheduler, state);
    expect(planned).toBeDefined();
    expect(JSON.stringify(planned)).toBe(JSON.stringify(executed));
  });
});

describe("what the plan leaves to the executor", () => {
  const everyField = chatOperation(
    PLANNED_CHAT_SELECTIONS["every type, fields in an order unlike the objects'"],
  );

  test.each([
    ["a null in a non-null position", { ...CHAT_EVENTS.content, content: null }],
    ["a missing non-null list item", { ...CHAT_EVENTS.contentWithLogprobs, logprobs: [logprob("a"), null] }],
    ["Int's serialize throwing", { ...CHAT_EVENTS.content, choiceIndex: 1.5 }],
    ["an enum value the enum does not have", { ...CHAT_EVENTS.finished, finishReason: "bogus" }],
    ["a list that is not an array", { ...CHAT_EVENTS.finished, toolCalls: "call-1" }],
    ["an object that is a string", { ...CHAT_EVENTS.finished, usage: "lots" }],
    ["an Error as a value", { ...CHAT_EVENTS.finished, stopSequence: new Error("no") }],
    ["an event of no type", { ...CHAT_EVENTS.content, type: "unknown" }],
    ["the stream's failure", new StreamFailure(new Error("engine died"))],
  ])("%s: an error", async (_name, event) => {
    const { planned, executed } = await plannedAndExecuted(everyField, event);
    expect(planned).toBeUndefined();
    expect(executed.errors?.length).toBeGreaterThan(0);
  });

  test("a null where @include needs a Boolean: an error", async () => {
    const operation = chatOperation(
      PLANNED_CHAT_SELECTIONS["@skip and @include with variables and literals"],
    );
    const { planned, executed } = await plannedAndExecuted(
      { ...operation, variables: { ...operation.variables, no: null } },
      CHAT_EVENTS.content,
    );
    expect(planned).toBeUndefined();
    expect(executed.errors?.length).toBeGreaterThan(0);
  });

  test.each([
    ["a function where a value belongs (the default resolver calls it)", () => "text"],
    ["a promise where a value belongs", Promise.resolve("text")],
  ])("%s", async (_name, content) => {
    const { planned, executed } = await plannedAndExecuted(everyField, { ...CHAT_EVENTS.content, content });
    expect(planned).toBeUndefined();
    expect(executed).toEqual({ data: { chatCompletion: expect.objectContaining({ content: "text" }) } });
  });

  test("a field with its own resolver (createdAt, fullContent) is left to the executor for its type only", async () => {
    const operation = chatOperation({
      selection: `__typename ... on GenerationStarted { createdAt } ... on GenerationFinished { fullContent } ... on ContentDelta { content }`,
    });
    expect((await plannedAndExecuted(operation, CHAT_EVENTS.started)).planned).toBeUndefined();
    expect((await plannedAndExecuted(operation, CHAT_EVENTS.finishedEarlierChoice)).planned).toBeUndefined();
    const { planned, executed } = await plannedAndExecuted(operation, CHAT_EVENTS.content);
    expect(JSON.stringify(planned)).toBe(JSON.stringify(executed));
  });

  test("no plan for queries, variables that do not coerce, or a response name JSON objects would not keep", () => {
    const plan = (query: string, variableValues: Record<string, unknown> = { input: CHAT_INPUT }) =>
      planSubscriptionEvents({ schema, document: parse(query), variableValues, contextValue: {} });
    expect(plan("{ health { status } }")).toBeUndefined();
    expect(
      plan(`subscription S($input: ChatCompletionInput!) { chatCompletion(input: $input) { __typename } }`, {
        input: { messages: "none" },
      }),
    ).toBeUndefined();
    expect(
      plan(
        `subscription S($input: ChatCompletionInput!) { __proto__: chatCompletion(input: $input) { __typename } }`,
      ),
    ).toBeUndefined();
    const protoAlias = plan(
      `subscription S($input: ChatCompletionInput!) { chatCompletion(input: $input) { __proto__: __typename } }`,
    );
    expect(protoAlias?.(CHAT_EVENTS.content)).toBeUndefined();
  });

  test("for any values in the events, a planned result is exactly execute's", async () => {
    const operation = chatOperation(
      PLANNED_CHAT_SELECTIONS["every type, fields in an order unlike the objects'"],
    );
    const anyValue = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constantFrom("stop", "length", "tool_calls", "STOP"),
      fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constant(null)), { maxLength: 3 }),
    );
    const anyEvent = fc
      .tuple(
        fc.constantFrom(...Object.values(CHAT_EVENTS)),
        fc.dictionary(fc.string(), anyValue),
        fc.boolean(),
      )
      .map(([event, noise, replaceFields]) => {
        const mutated: Record<string, unknown> = { ...event };
        for (const [index, key] of Object.keys(event).entries())
          if (key !== "type" && replaceFields) mutated[key] = Object.values(noise)[index] ?? mutated[key];
        return mutated;
      });
    await fc.assert(
      fc.asyncProperty(anyEvent, async (event) => {
        const { planned, executed } = await plannedAndExecuted(operation, event);
        if (planned !== undefined) expect(JSON.stringify(planned)).toBe(JSON.stringify(executed));
        if (!executed.errors) expect(planned).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
