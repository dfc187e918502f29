// The OpenAI Agents SDK (JS) against the real server, with its client pointed at inferql: agents on
// its Responses model (its default) and its chat completions model, their tools, structured final
// output, a reasoning model's items replayed in the next turn, and previousResponseId. The answers
// come from the scripted Qwen fixtures and, for structured output, the tiny model under the grammar.
import {
  Agent,
  type Model,
  OpenAIChatCompletionsModel,
  OpenAIResponsesModel,
  run,
  setTracingDisabled,
  tool,
} from "@openai/agents";
import type { OpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningInferql } from "../../src/app.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let client: OpenAI;

beforeAll(async () => {
  // Traces would be exported to OpenAI's platform.
  setTracingDisabled(true);
  app = await startTestServer({
    flags: ["qwen2.5", "qwen3"].flatMap((family) => [
      "--model",
      `${family}=${familyFixturePath(family as "qwen2.5" | "qwen3")}`,
    ]),
  });
  client = openAiClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

const models: [string, (id: string) => Model][] = [
  ["responses", (id) => new OpenAIResponsesModel(client, id)],
  ["chat completions", (id) => new OpenAIChatCompletionsModel(client, id)],
];

/** A schema whose every value the grammar bounds (enums, a ranged integer): no open strings. */
const verdictSchema = z.object({
  color: z.enum(["red", "green", "blue"]),
  count: z.number().int().min(0).max(9),
});

describe("the OpenAI Agents SDK", () => {
  it.each(models)("an agent on the %s model answers", async (_, model) => {
    const agent = new Agent({
      name: "brief",
      instructions: "Be brief.",
      model: model("qwen2.5"),
      modelSettings: { temperature: 0 },
    });
    const result = await run(agent, "Please answer @@plain");
    expect(result.finalOutput).toBe("Hello there");
  });

  it.each(models)("a streamed run on the %s model yields the answer's text", async (_, model) => {
    const agent = new Agent({ name: "brief", model: model("qwen2.5"), modelSettings: { temperature: 0 } });
    const result = await run(agent, "Please answer @@plain", { stream: true });
    let text = "";
    for await (const delta of result.toTextStream()) text += delta;
    await result.completed;
    expect(text).toBe("Hello there");
  });

  it.each(models)("on the %s model, the tool the model calls runs with its arguments", async (_, model) => {
    const cities: string[] = [];
    const getWeather = tool({
      name: "get_weather",
      description: "The weather in a city",
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        cities.push(city);
        return "sunny";
      },
    });
    const agent = new Agent({
      name: "weather",
      model: model("qwen2.5"),
      tools: [getWeather],
      toolUseBehavior: "stop_on_first_tool",
      modelSettings: { temperature: 0 },
    });
    const result = await run(agent, "Please answer @@call");
    expect(cities).toEqual(["Paris"]);
    expect(result.finalOutput).toBe("sunny");
  });

  it.each(models)("outputType on the %s model: the final output follows the schema", async (_, model) => {
    const agent = new Agent({
      name: "judge",
      model: model("tiny"),
      outputType: verdictSchema,
      modelSettings: { maxTokens: 200 },
    });
    const { finalOutput } = await run(agent, "Give a verdict.");
    expect(verdictSchema.parse(finalOutput)).toEqual(finalOutput);
  });

  it("a reasoning model's reasoning item comes back, is accepted in the next turn's history, and is counted", async () => {
    const agent = new Agent({
      name: "thinker",
      model: new OpenAIResponsesModel(client, "qwen3"),
      modelSettings: { temperature: 0 },
    });
    const first = await run(agent, "Please answer @@think");
    expect(first.finalOutput).toBe("Sunny today");
    expect(first.newItems.map((item) => item.type)).toEqual(["reasoning_item", "message_output_item"]);
    expect(first.rawResponses[0].usage.outputTokensDetails).toEqual([{ reasoning_tokens: 5 }]);
    const next = await run(agent, [...first.history, { role: "user", content: "And tomorrow?" }]);
    expect(next.finalOutput).toBeTruthy();
  });

  it("previousResponseId continues the stored conversation", async () => {
    const agent = new Agent({
      name: "brief",
      model: new OpenAIResponsesModel(client, "qwen2.5"),
      modelSettings: { temperature: 0 },
    });
    const first = await run(agent, "Please answer @@plain");
    expect(first.lastResponseId).toMatch(/^resp_/);
    const next = await run(agent, "Again, please.", { previousResponseId: first.lastResponseId });
    expect(next.finalOutput).toBe("Hello there");
    // The stored turn is part of the continued prompt.
    expect(next.rawResponses[0].usage.inputTokens).toBeGreaterThan(first.rawResponses[0].usage.inputTokens);
  });
});
