// LangChain JS's ChatOpenAI against the real server, as its users point it at a local one
// (`configuration.baseURL`): invoke and stream with usage, bindTools and a ToolMessage sent back,
// withStructuredOutput in both of its methods, and the Responses API (`useResponsesApi`).
// The answers come from the scripted Qwen2.5 fixture (its real template and tool-call syntax) and,
// for structured output, from the random tiny model under the schema's grammar.
import { type AIMessageChunk, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI, type ChatOpenAIFields, OpenAIEmbeddings } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningInferql } from "../../src/app.js";
import { eventually } from "../support/collect.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;

beforeAll(async () => {
  app = await startTestServer({
    flags: ["qwen2.5", "qwen3"].flatMap((family) => [
      "--model",
      `${family}=${familyFixturePath(family as "qwen2.5" | "qwen3")}`,
    ]),
  });
});

afterAll(async () => {
  await app?.close();
});

const chatModel = (fields: ChatOpenAIFields) =>
  new ChatOpenAI({
    apiKey: "not-needed",
    configuration: { baseURL: `${app.url}/v1` },
    maxRetries: 0,
    ...fields,
  });

/** The scripted fixture's argument value is kept out of the prompt (it steers the script). */
const getWeather = tool(async ({ city }) => `sunny in ${city.length} letters`, {
  name: "get_weather",
  description: "The weather in a city",
  schema: z.object({ city: z.string() }),
});

/** A schema whose every value the grammar bounds (enums, a ranged integer, a boolean): no open strings. */
const verdictSchema = z.object({
  color: z.enum(["red", "green", "blue"]),
  count: z.number().int().min(0).max(9),
  done: z.boolean(),
});

describe("LangChain's ChatOpenAI", () => {
  it("invoke returns the answer with its token usage", async () => {
    const answer = await chatModel({ model: "qwen2.5", temperature: 0 }).invoke("Please answer @@plain");
    expect(answer.content).toBe("Hello there");
    expect(answer.response_metadata.finish_reason).toBe("stop");
    expect(answer.usage_metadata).toMatchObject({ output_tokens: 2 });
    expect(answer.usage_metadata?.input_tokens).toBeGreaterThan(0);
  });

  it("stream yields the answer in chunks and its usage at the end", async () => {
    const stream = await chatModel({ model: "qwen2.5", temperature: 0 }).stream("Please answer @@plain");
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const whole = chunks.reduce((sum, chunk) => sum.concat(chunk));
    expect(whole.content).toBe("Hello there");
    expect(chunks.filter((chunk) => chunk.content !== "").length).toBeGreaterThan(1);
    expect(whole.usage_metadata).toMatchObject({ output_tokens: 2 });
  });

  it("reasoning comes apart from the answer, as additional_kwargs.reasoning_content, streamed and not", async () => {
    const model = chatModel({ model: "qwen3", temperature: 0 });
    const answer = await model.invoke("Please answer @@think");
    expect(answer.content).toBe("Sunny today");
    expect(answer.additional_kwargs.reasoning_content).toContain("Let me think");
    expect(answer.usage_metadata?.output_token_details?.reasoning).toBe(5);
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream("Please answer @@think")) chunks.push(chunk);
    const whole = chunks.reduce((sum, chunk) => sum.concat(chunk));
    expect(whole.content).toBe("Sunny today");
    expect(whole.additional_kwargs.reasoning_content).toContain("Let me think");
  });

  it("stream with a signal: aborting mid-stream cancels the generation", async () => {
    const reasons: string[] = [];
    const unsubscribe = app.scheduler.onEvent((event) => {
      if (event.type === "finished") reasons.push(event.reason);
    });
    try {
      const controller = new AbortController();
      const stream = await chatModel({ model: "tiny", maxTokens: 2000 }).stream("Tell a long story.", {
        signal: controller.signal,
      });
      await expect(
        (async () => {
          for await (const _chunk of stream) controller.abort();
        })(),
      ).rejects.toThrow(/abort/i);
      await eventually(() => app.scheduler.state().busySlots === 0 && app.scheduler.activeCount === 0);
      expect(reasons).toEqual(["cancelled"]);
    } finally {
      unsubscribe();
    }
  });

  it("bindTools: the call comes back parsed, and the conversation with its ToolMessage is answered", async () => {
    const model = chatModel({ model: "qwen2.5", temperature: 0, maxTokens: 40 }).bindTools([getWeather]);
    const question = new HumanMessage("Please answer @@call");
    const call = await model.invoke([question]);
    expect(call.tool_calls).toEqual([
      expect.objectContaining({ name: "get_weather", args: { city: "Paris" }, type: "tool_call" }),
    ]);
    const [toolCall] = call.tool_calls ?? [];
    expect(toolCall.id).toBeTruthy();
    const result = new ToolMessage({
      tool_call_id: toolCall.id as string,
      content: await getWeather.invoke(toolCall.args as { city: string }),
    });
    // What the fixture answers after a tool result is beside the point: the follow-up is accepted.
    const followUp = await model.invoke([question, call, result]);
    expect(followUp.id).toBeTruthy();
    expect(followUp.response_metadata.finish_reason).toMatch(/^(stop|length|tool_calls)$/);
  });

  it.each([false, true])(
    "a streamed tool call is assembled from its chunks (useResponsesApi: %s)",
    async (useResponsesApi) => {
      const model = chatModel({ model: "qwen2.5", temperature: 0, useResponsesApi }).bindTools([getWeather]);
      const chunks: AIMessageChunk[] = [];
      for await (const chunk of await model.stream("Please answer @@call")) chunks.push(chunk);
      const whole = chunks.reduce((sum, chunk) => sum.concat(chunk));
      expect(whole.tool_calls).toEqual([
        expect.objectContaining({ name: "get_weather", args: { city: "Paris" } }),
      ]);
      expect(whole.tool_calls?.[0].id).toBeTruthy();
    },
  );

  it("batch answers each input (concurrent requests on the server's slots)", async () => {
    const answers = await chatModel({ model: "qwen2.5", temperature: 0 }).batch(
      Array.from({ length: 3 }, () => "Please answer @@plain"),
    );
    expect(answers.map((answer) => answer.content)).toEqual(["Hello there", "Hello there", "Hello there"]);
  });

  it.each(["jsonSchema", "functionCalling", undefined] as const)(
    "withStructuredOutput (method %s) returns an object that follows the schema",
    async (method) => {
      const model = chatModel({ model: "tiny", maxTokens: 200 }).withStructuredOutput(verdictSchema, {
        method,
        name: "verdict",
      });
      for (let attempt = 0; attempt < 2; attempt++) {
        const verdict = await model.invoke("Give a verdict.");
        expect(verdictSchema.parse(verdict)).toEqual(verdict);
      }
    },
  );

  it("OpenAIEmbeddings embeds documents and a query", async () => {
    const embeddings = new OpenAIEmbeddings({
      model: "tiny",
      apiKey: "not-needed",
      configuration: { baseURL: `${app.url}/v1` },
      maxRetries: 0,
    });
    const documents = await embeddings.embedDocuments(["one", "two"]);
    const query = await embeddings.embedQuery("one");
    expect(documents).toHaveLength(2);
    expect(query).toHaveLength(documents[0].length);
    expect(query).toEqual(documents[0]);
    expect(Math.hypot(...query)).toBeCloseTo(1, 5);
  });

  it("useResponsesApi: invoke and a bound tool's call go through /v1/responses", async () => {
    const model = chatModel({ model: "qwen2.5", temperature: 0, useResponsesApi: true });
    const answer = await model.invoke("Please answer @@plain");
    expect(answer.text).toBe("Hello there");
    expect(answer.id).toMatch(/^resp_/);
    const call = await model.bindTools([getWeather]).invoke("Please answer @@call");
    expect(call.tool_calls).toEqual([
      expect.objectContaining({ name: "get_weather", args: { city: "Paris" } }),
    ]);
  });
});
