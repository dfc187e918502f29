// The scripted family fixtures: each loads in node-llama-cpp, resolves to its family's chat wrapper, carries the real
// chat template, and answers every selector exactly, whether the prompt comes from the template or the wrapper.
import { Template } from "@huggingface/jinja";
import {
  type ChatWrapper,
  getLlama,
  type Llama,
  type LlamaContext,
  LlamaLogLevel,
  type LlamaModel,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultThreadsFor } from "../../src/inference/engine/loadLlama.js";
import {
  CHAT_FAMILIES,
  type ChatFamily,
  FAMILY_SCRIPTS,
  familyAnswerText,
  familyFixturePath,
  familyTemplate,
} from "../support/familyFixtures.js";

/** What node-llama-cpp's resolveChatWrapper picks for each fixture (as for the real model). */
const EXPECTED_WRAPPER: Record<ChatFamily, string> = {
  "qwen2.5": "Qwen",
  qwen3: "Qwen",
  "llama3.1": "Llama 3.1",
  "mistral-nemo": "Mistral",
  "gpt-oss": "Harmony",
  "deepseek-r1": "DeepSeek",
};

/** Extra template variables: DeepSeek's template closes the think block at once unless thinking is on. */
const TEMPLATE_VARIABLES: Partial<Record<ChatFamily, Record<string, unknown>>> = {
  "deepseek-r1": { enable_thinking: true },
};

/** The tools the scripts call, offered to the wrapper (their names and schemas land in the prompt). */
const TOOLS = {
  get_weather: {
    description: "Current weather in a city",
    params: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
  get_time: {
    description: "Current time in a time zone",
    params: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
  },
} as const;

/** The answer text after the part of it the prompt already ends with (a template may open the think block). */
function continuationOf(prompt: string, answer: string): string {
  for (let overlap = Math.min(prompt.length, answer.length); overlap > 0; overlap--) {
    if (prompt.endsWith(answer.slice(0, overlap))) return answer.slice(overlap);
  }
  return answer;
}

describe.each(CHAT_FAMILIES)("%s fixture", (family) => {
  let llama: Llama;
  let model: LlamaModel;
  let context: LlamaContext;
  let wrapper: ChatWrapper;

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: familyFixturePath(family) });
    context = await model.createContext({ contextSize: 4096, threads: defaultThreadsFor(llama) });
    wrapper = resolveChatWrapper(model);
  });
  afterAll(async () => {
    await context?.dispose();
    await model?.dispose();
  });

  /** Greedy (temperature 0) tokens after `prompt`, EOG tokens included, until their text is `length` long. */
  async function generate(prompt: Token[], length: number): Promise<Token[]> {
    const sequence = context.getSequence();
    try {
      const output: Token[] = [];
      for await (const token of sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
        output.push(token);
        if (model.detokenize(output, true).length >= length || output.length >= 64) break;
      }
      return output;
    } finally {
      sequence.dispose();
    }
  }

  const textOf = (token: Token | null): string => (token === null ? "" : model.detokenize([token], true));

  async function expectAnswer(promptText: string, prompt: Token[], selector: string): Promise<void> {
    const expected = continuationOf(promptText, familyAnswerText(family, selector));
    const output = await generate(prompt, expected.length);
    expect(model.detokenize(output, true)).toBe(expected);
    expect(model.isEogToken(output[output.length - 1])).toBe(true);
  }

  it(`resolves to node-llama-cpp's ${EXPECTED_WRAPPER[family]} chat wrapper`, () => {
    expect(wrapper.wrapperName).toBe(EXPECTED_WRAPPER[family]);
  });

  it("carries the real model's chat template", () => {
    expect(model.fileInfo.metadata.tokenizer.chat_template).toBe(familyTemplate(family));
  });

  it.each(Object.keys(FAMILY_SCRIPTS[family]))(
    "answers %s through the Jinja template, tools offered",
    async (selector) => {
      const promptText = new Template(familyTemplate(family)).render({
        messages: [{ role: "user", content: `Please ${selector} now` }],
        tools: Object.entries(TOOLS).map(([name, { description, params }]) => ({
          type: "function",
          function: { name, description, parameters: params },
        })),
        add_generation_prompt: true,
        bos_token: textOf(model.tokens.bos),
        eos_token: textOf(model.tokens.eos),
        ...TEMPLATE_VARIABLES[family],
      });
      await expectAnswer(promptText, model.tokenize(promptText, true), selector);
    },
  );

  it.each(Object.keys(FAMILY_SCRIPTS[family]))(
    "answers %s through the resolved chat wrapper, tools offered",
    async (selector) => {
      const { contextText } = wrapper.generateContextState({
        chatHistory: [
          { type: "system", text: "You are a helpful assistant." },
          { type: "user", text: `Please ${selector} now` },
          { type: "model", response: [] },
        ],
        availableFunctions: TOOLS,
      });
      await expectAnswer(contextText.toString(), contextText.tokenize(model.tokenizer), selector);
    },
  );
});
