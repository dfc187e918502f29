// Scripted "real family" fixture models: a chat family's real Jinja template, special tokens, BOS/EOS and name on
// designed weights that answer fixed token sequences at temperature 0 (see src/inference/generatedModel/scriptedAnswers.ts).
//
// A model answers a selector (e.g. "@@call") found anywhere in the prompt, once the prompt ends with the family's
// generation-prompt token. Limits worth knowing: one selector per conversation (two selectors in a prompt mix their
// answers, so a follow-up turn after a tool result repeats the first answer), and a family's markers must not occur
// in prompts (they pick the later successor of a repeated answer token).
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";
import {
  type GeneratedModelOptions,
  writeGeneratedModel,
} from "../../src/inference/generatedModel/llamaModel.js";
import type { ScriptedAnswers } from "../../src/inference/generatedModel/scriptedAnswers.js";

export type ChatFamily = "qwen2.5" | "qwen3" | "llama3.1" | "mistral-nemo" | "gpt-oss" | "deepseek-r1";
export const CHAT_FAMILIES: readonly ChatFamily[] = [
  "qwen2.5",
  "qwen3",
  "llama3.1",
  "mistral-nemo",
  "gpt-oss",
  "deepseek-r1",
];

/**
 * A newline that prompts never contain: the byte token <0x0A>. Prompt newlines tokenize to the user-defined "\n",
 * so an answer newline that must not be mistaken for the generation prompt's last "\n" uses this one.
 */
const ANSWER_NEWLINE = "<0x0A>";
/** SentencePiece's space: the normal token "▁", which decodes to " " (a user-defined " " would split every prompt). */
const SPACE = "\u2581";

interface FamilyFixtureSpec {
  /** File under tests/fixtures/templates. */
  templateFile: string;
  model: Partial<GeneratedModelOptions>;
  script: ScriptedAnswers;
}

/** A Qwen tool call of one string argument, token by token; `newline` is the token after <tool_call>. */
const qwenCall = (name: string, key: string, value: string, newline = ANSWER_NEWLINE) => [
  "<tool_call>",
  newline,
  '{"name": "',
  name,
  '", "arguments": ',
  `{"${key}": `,
  `"${value}"`,
  "}",
  "}\n",
  "</tool_call>",
];
const QWEN_CALL_PARIS = qwenCall("get_weather", "city", "Paris");
const QWEN_CALL_UTC = qwenCall("get_time", "zone", "UTC");
const QWEN_CONTROL_TOKENS = ["<|im_start|>", "<|im_end|>", "<|endoftext|>"];
/** Qwen's tokenizer: no BOS added, <|im_end|> ends a turn; "\n" is the last token of the generation prompt. */
const QWEN_TOKENS = {
  bosToken: "<|endoftext|>",
  eosToken: "<|im_end|>",
  addBosToken: false,
} as const;

const SPECS: Record<ChatFamily, FamilyFixtureSpec> = {
  "qwen2.5": {
    templateFile: "Qwen-Qwen2.5-7B-Instruct.jinja",
    model: {
      architecture: "qwen2",
      name: "Qwen2.5 7B Instruct",
      basename: "Qwen2.5",
      controlTokens: QWEN_CONTROL_TOKENS,
      userDefinedTokens: ["<tool_call>", "</tool_call>", "\n"],
      ...QWEN_TOKENS,
    },
    script: {
      startTokens: ["\n"],
      answers: {
        "@@call": [...QWEN_CALL_PARIS, "<|im_end|>"],
        "@@two": [...QWEN_CALL_PARIS, "\n", ...QWEN_CALL_UTC, "<|im_end|>"],
        "@@bracket": ["[", "1", ",", " 2", "]", " are", " numbers", "<|im_end|>"],
        "@@plain": ["Hello", " there", "<|im_end|>"],
        // ".\n" is one token: the prompt's "\n" here would tie with @@two's "\n" between calls
        "@@textcall": ["Let", " me", " check", ".\n", ...QWEN_CALL_PARIS, "<|im_end|>"],
      },
      markers: ['"Paris"', '"UTC"'],
    },
  },
  qwen3: {
    templateFile: "Qwen-Qwen3-0.6B.jinja",
    model: {
      architecture: "qwen3",
      name: "Qwen3 0.6B",
      basename: "Qwen3",
      controlTokens: QWEN_CONTROL_TOKENS,
      userDefinedTokens: [
        "<tool_call>",
        "</tool_call>",
        "<tool_response>",
        "</tool_response>",
        "<think>",
        "</think>",
        "\n",
        "\n\n",
      ],
      ...QWEN_TOKENS,
    },
    script: {
      startTokens: ["\n"],
      answers: {
        "@@think": [
          "<think>",
          ANSWER_NEWLINE,
          "Let",
          " me",
          " think",
          ANSWER_NEWLINE,
          "</think>",
          "\n\n",
          "Sunny",
          " today",
          "<|im_end|>",
        ],
        "@@thinkcall": [
          "<think>",
          ANSWER_NEWLINE,
          "Checking",
          ANSWER_NEWLINE,
          "</think>",
          "\n\n",
          // the prompt's "\n" (the start token) may follow <tool_call> here: "Checking" marks the later use
          ...qwenCall("get_weather", "city", "Paris", "\n"),
          "<|im_end|>",
        ],
        "@@plain": ["Hello", " there", "<|im_end|>"],
        // Ends its turn inside its reasoning: what tool_choice "required" must not let it do.
        "@@thinkstop": ["<think>", ANSWER_NEWLINE, "Hmm", "<|im_end|>"],
      },
      markers: ["Let", "Checking", "Hmm"],
    },
  },
  "llama3.1": {
    templateFile: "meta-llama-Llama-3.1-8B-Instruct.jinja",
    model: {
      name: "Meta Llama 3.1 8B Instruct",
      basename: "Meta-Llama-3.1",
      controlTokens: [
        "<|begin_of_text|>",
        "<|end_of_text|>",
        "<|start_header_id|>",
        "<|end_header_id|>",
        "<|eot_id|>",
        "<|eom_id|>",
        "<|python_tag|>",
      ],
      userDefinedTokens: ["\n\n"],
      bosToken: "<|begin_of_text|>",
      eosToken: "<|eot_id|>",
      eotToken: "<|eot_id|>",
    },
    script: {
      startTokens: ["\n\n"],
      answers: {
        // the template's format (JSON, then <|eot_id|> as the template closes a tool call without builtin tools)
        "@@call": [
          '{"name": "',
          "get_weather",
          '", "parameters": ',
          '{"city": ',
          '"Paris"',
          "}}",
          "<|eot_id|>",
        ],
        // node-llama-cpp's Llama 3.1 wrapper's own function syntax
        "@@function": [
          "<function=",
          "get_weather",
          ">",
          '{"city": ',
          '"Paris"',
          "}",
          "</function>",
          "<|eom_id|>",
        ],
        "@@plain": ["Hello", " there", "<|eot_id|>"],
      },
      markers: [],
    },
  },
  "mistral-nemo": {
    templateFile: "mistralai-Mistral-Nemo-Instruct-2407.jinja",
    model: {
      name: "Mistral Nemo Instruct 2407",
      basename: "Mistral-Nemo",
      controlTokens: [
        "<s>",
        "</s>",
        "[INST]",
        "[/INST]",
        "[TOOL_CALLS]",
        "[AVAILABLE_TOOLS]",
        "[/AVAILABLE_TOOLS]",
        "[TOOL_RESULTS]",
        "[/TOOL_RESULTS]",
      ],
      bosToken: "<s>",
      eosToken: "</s>",
    },
    script: {
      startTokens: ["[/INST]"],
      answers: {
        // the real model's calls carry a 9-character id
        "@@call": [
          "[TOOL_CALLS]",
          '[{"name": "',
          "get_weather",
          '", "arguments": ',
          '{"city": ',
          '"Paris"',
          "}",
          ', "id": "',
          "abc123def",
          '"}]',
          "</s>",
        ],
        // node-llama-cpp's Mistral wrapper's syntax: no id
        "@@callnoid": [
          "[TOOL_CALLS]",
          '[{"name": "',
          "get_weather",
          '", "arguments": ',
          '{"city": ',
          '"Paris"',
          "}",
          "}]",
          "</s>",
        ],
        "@@plain": ["Hello", " there", "</s>"],
      },
      markers: [],
    },
  },
  "gpt-oss": {
    templateFile: "openai-gpt-oss-120b.jinja",
    model: {
      name: "gpt-oss-120b",
      basename: "gpt-oss",
      controlTokens: [
        "<|startoftext|>",
        "<|endoftext|>",
        "<|start|>",
        "<|end|>",
        "<|message|>",
        "<|channel|>",
        "<|constrain|>",
        "<|return|>",
        "<|call|>",
      ],
      // a single token, so that "<|start|>assistant" ends with it whatever the SPM merges make of the word
      userDefinedTokens: ["assistant"],
      bosToken: "<|startoftext|>",
      eosToken: "<|return|>",
      addBosToken: false,
    },
    script: {
      startTokens: ["assistant"],
      answers: {
        "@@think": [
          "<|channel|>",
          "analysis",
          "<|message|>",
          "Thinking",
          " hard",
          "<|end|>",
          "<|start|>",
          "assistant",
          "<|channel|>",
          "final",
          "<|message|>",
          "Sunny",
          "<|return|>",
        ],
        // the real model's call (a space before <|constrain|>, which node-llama-cpp's Harmony wrapper leaves out)
        "@@call": [
          "<|channel|>",
          "commentary",
          " to=",
          "functions.",
          "get_weather",
          SPACE,
          "<|constrain|>",
          "json",
          "<|message|>",
          '{"city": ',
          '"Paris"',
          "}",
          "<|call|>",
        ],
        "@@plain": ["<|channel|>", "final", "<|message|>", "Hello", " there", "<|return|>"],
      },
      markers: ["Thinking"],
    },
  },
  "deepseek-r1": {
    templateFile: "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja",
    model: {
      architecture: "qwen2",
      name: "DeepSeek R1 Distill Qwen 32B",
      basename: "DeepSeek-R1-Distill-Qwen",
      controlTokens: [
        "<｜begin▁of▁sentence｜>",
        "<｜end▁of▁sentence｜>",
        "<｜User｜>",
        "<｜Assistant｜>",
        "<｜tool▁calls▁begin｜>",
        "<｜tool▁calls▁end｜>",
        "<｜tool▁call▁begin｜>",
        "<｜tool▁call▁end｜>",
        "<｜tool▁outputs▁begin｜>",
        "<｜tool▁outputs▁end｜>",
        "<｜tool▁output▁begin｜>",
        "<｜tool▁output▁end｜>",
        "<｜tool▁sep｜>",
      ],
      // as in the real tokenizer, <think> and </think> are not special
      userDefinedTokens: ["<think>", "</think>", "\n", "\n\n"],
      bosToken: "<｜begin▁of▁sentence｜>",
      eosToken: "<｜end▁of▁sentence｜>",
    },
    script: {
      // the wrapper's generation prompt ends with <｜Assistant｜>; the template's with "<think>\n" (thinking) or
      // "<think>\n</think>", which the answer continues from its middle
      startTokens: ["<｜Assistant｜>"],
      answers: {
        "@@think": ["<think>", "\n", "Hmm", "\n", "</think>", "\n\n", "Sunny", "<｜end▁of▁sentence｜>"],
      },
      markers: ["Hmm"],
    },
  },
};

/** Small dims: one working block (the script needs about a dim per answer token), so a fixture loads in ms. */
const FIXTURE_DIMENSIONS: Partial<GeneratedModelOptions> = {
  nEmbd: 128,
  nLayer: 1,
  nHead: 2,
  nHeadKv: 2,
  nFf: 32,
  contextLength: 8192,
};

const TEMPLATES_DIR = fileURLToPath(new URL("../fixtures/templates/", import.meta.url));
const GENERATOR_SOURCES = [
  "../../src/inference/generatedModel/llamaModel.ts",
  "../../src/inference/generatedModel/scriptedAnswers.ts",
  "../../src/inference/generatedModel/vocab.ts",
  "../../src/inference/gguf/ggufWriter.ts",
].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));

/** The family's chat template, as stored in its fixture's `tokenizer.chat_template`. */
export function familyTemplate(family: ChatFamily): string {
  return fs.readFileSync(path.join(TEMPLATES_DIR, SPECS[family].templateFile), "utf8");
}

/** The text an answer token decodes to: a byte token to its byte, SentencePiece's "▁" to a space, others as written. */
function decodeTokenText(text: string): string {
  const byte = /^<0x([0-9A-F]{2})>$/.exec(text);
  if (byte) return String.fromCharCode(Number.parseInt(byte[1], 16));
  return text === SPACE ? " " : text;
}

/** Selector → the answer's tokens as the text each decodes to (with special tokens), per family. */
export const FAMILY_SCRIPTS: Readonly<Record<ChatFamily, Readonly<Record<string, readonly string[]>>>> =
  Object.fromEntries(
    CHAT_FAMILIES.map((family) => [
      family,
      Object.fromEntries(
        Object.entries(SPECS[family].script.answers).map(([selector, tokens]) => [
          selector,
          tokens.map(decodeTokenText),
        ]),
      ),
    ]),
  ) as Record<ChatFamily, Record<string, string[]>>;

/** The tokens of each family that must not occur in prompts (they steer the answers; see ScriptedAnswers.markers). */
export const FAMILY_MARKERS: Readonly<Record<ChatFamily, readonly string[]>> = Object.fromEntries(
  CHAT_FAMILIES.map((family) => [family, (SPECS[family].script.markers ?? []).map(decodeTokenText)]),
) as Record<ChatFamily, string[]>;

/** The exact text a family's fixture writes for a selector (special tokens included). */
export function familyAnswerText(family: ChatFamily, selector: string): string {
  const tokens = FAMILY_SCRIPTS[family][selector];
  if (!tokens) throw new Error(`no script answer ${selector} for ${family}`);
  return tokens.join("");
}

const writtenFixtures = new Map<ChatFamily, string>();

/** Writes (once per process, cached in a temp dir keyed by content) a scripted fixture of that family and returns its path. */
export function familyFixturePath(family: ChatFamily): string {
  const written = writtenFixtures.get(family);
  if (written) return written;
  const spec = SPECS[family];
  const options: Partial<GeneratedModelOptions> = {
    ...FIXTURE_DIMENSIONS,
    ...spec.model,
    addSpacePrefix: false, // the real families' BPE tokenizers add no space before text
    chatTemplate: familyTemplate(family),
    script: spec.script,
  };
  const key = createHash("sha256").update(JSON.stringify(options));
  for (const source of GENERATOR_SOURCES) key.update(fs.readFileSync(source));
  const filePath = path.join(
    os.tmpdir(),
    "inferql-family-fixtures",
    `${family}-${key.digest("hex").slice(0, 16)}.gguf`,
  );
  // The writer renames a finished temp file into place, so a concurrent writer is harmless.
  if (!fs.existsSync(filePath)) writeGeneratedModel(filePath, options);
  writtenFixtures.set(family, filePath);
  return filePath;
}

/**
 * Tools whose arguments are the scripts' own values ("Paris", "UTC") as enums: for forced calls
 * (tool_choice required or named), where the grammar, not the prompt, steers the arguments.
 */
export const FORCED_CALL_TOOLS: ChatCompletionFunctionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "The weather in a city",
      parameters: {
        type: "object",
        properties: { city: { type: "string", enum: ["Paris", "Tokyo"] } },
        required: ["city"],
        additionalProperties: false,
      },
    },
  },
  {
    type: "function",
    function: {
      name: "get_time",
      description: "The time in a zone",
      parameters: {
        type: "object",
        properties: { zone: { type: "string", enum: ["UTC", "CET"] } },
        required: ["zone"],
        additionalProperties: false,
      },
    },
  },
];
