// The chat settings as the form holds them (strings, so a field may be blank), their defaults,
// their persistence in localStorage, and their translation into a ChatCompletionInput.
import type { ChatCompletionInput, ChatMessageInput } from "./graphql/documents.js";
import { readToolsText } from "./toolsText.js";

export type OutputMode = "TEXT" | "JSON_OBJECT" | "JSON_SCHEMA";
export type ToolChoiceMode = "AUTO" | "REQUIRED" | "NONE";
export type ReasoningFormat = "SEPARATE" | "INLINE";

export interface Settings {
  /** A served model id; blank means the server's default (its first model). */
  model: string;
  systemPrompt: string;
  temperature: string;
  topP: string;
  maxTokens: string;
  /** Blank: a different answer each time. */
  seed: string;
  outputMode: OutputMode;
  jsonSchema: string;
  /** A JSON array of OpenAI-style tools; blank offers none. */
  tools: string;
  /** Sent only with tools. */
  toolChoice: ToolChoiceMode;
  reasoningFormat: ReasoningFormat;
}

/** Strings without `maxLength` can run on for long with small models, so the example bounds them. */
export const EXAMPLE_JSON_SCHEMA = JSON.stringify(
  {
    type: "object",
    properties: {
      answer: { type: "string", maxLength: 120 },
      confidence: { type: "string", enum: ["low", "medium", "high"] },
    },
    required: ["answer", "confidence"],
  },
  null,
  2,
);

export const DEFAULT_SETTINGS: Settings = {
  model: "",
  systemPrompt: "You are a concise, helpful assistant.",
  temperature: "0.8",
  topP: "0.95",
  maxTokens: "256",
  seed: "",
  outputMode: "TEXT",
  jsonSchema: EXAMPLE_JSON_SCHEMA,
  tools: "",
  toolChoice: "AUTO",
  reasoningFormat: "SEPARATE",
};

const SETTINGS_KEY = "inferql.playground.settings";
const API_KEY_KEY = "inferql.playground.apiKey";
/** The settings held as one of a few values, and those values (a stored one outside them is ignored). */
const CHOICES: Partial<Record<keyof Settings, readonly string[]>> = {
  outputMode: ["TEXT", "JSON_OBJECT", "JSON_SCHEMA"] satisfies OutputMode[],
  toolChoice: ["AUTO", "REQUIRED", "NONE"] satisfies ToolChoiceMode[],
  reasoningFormat: ["SEPARATE", "INLINE"] satisfies ReasoningFormat[],
};

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: the page still works, it just forgets
  }
}

function writeStorage(key: string, value: string): void {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    // storage disabled or full: nothing to keep
  }
}

export function loadSettings(): Settings {
  const settings = { ...DEFAULT_SETTINGS };
  const stored = readStorage(SETTINGS_KEY);
  if (!stored) return settings;
  try {
    const parsed: unknown = JSON.parse(stored);
    if (typeof parsed !== "object" || parsed === null) return settings;
    const record = parsed as Record<string, unknown>;
    const known: Record<string, string> = {};
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      const value = record[key];
      if (typeof value === "string" && (CHOICES[key]?.includes(value) ?? true)) known[key] = value;
    }
    // Each value is a string its field's type allows (checked against CHOICES above).
    return { ...settings, ...(known as Partial<Settings>) };
  } catch {
    // a corrupt entry: start from the defaults
  }
  return settings;
}

export function saveSettings(settings: Settings): void {
  writeStorage(SETTINGS_KEY, JSON.stringify(settings));
}

export function loadApiKey(): string {
  return readStorage(API_KEY_KEY) ?? "";
}

export function saveApiKey(apiKey: string): void {
  writeStorage(API_KEY_KEY, apiKey);
}

/** A setting that cannot be sent as it is; names the field so the form can mark it. */
export class SettingsError extends Error {
  constructor(
    readonly field: keyof Settings,
    message: string,
  ) {
    super(message);
    this.name = "SettingsError";
  }
}

function optionalNumber(settings: Settings, field: keyof Settings, label: string, integer: boolean) {
  const text = settings[field].trim();
  if (text === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw new SettingsError(field, `${label} must be ${integer ? "a whole number" : "a number"}.`);
  return value;
}

function responseFormatOf(settings: Settings): ChatCompletionInput["responseFormat"] {
  switch (settings.outputMode) {
    case "TEXT":
      return undefined;
    case "JSON_OBJECT":
      return { type: "JSON_OBJECT" };
    case "JSON_SCHEMA": {
      let schema: unknown;
      try {
        schema = JSON.parse(settings.jsonSchema);
      } catch (error) {
        const detail = error instanceof Error ? ` (${error.message})` : "";
        throw new SettingsError("jsonSchema", `The JSON schema is not valid JSON${detail}.`);
      }
      if (typeof schema !== "object" || schema === null || Array.isArray(schema))
        throw new SettingsError("jsonSchema", "The JSON schema must be a JSON object.");
      return { type: "JSON_SCHEMA", jsonSchema: { name: "playground", schema } };
    }
  }
}

function toolsOf(settings: Settings): Pick<ChatCompletionInput, "tools" | "toolChoice"> {
  const reading = readToolsText(settings.tools);
  if (reading.error !== undefined) throw new SettingsError("tools", reading.error);
  if (reading.tools.length === 0) return {};
  return { tools: reading.tools, toolChoice: { mode: settings.toolChoice } };
}

/**
 * The request for the conversation so far: the system prompt (when set), then the turns.
 * Blank numeric fields are left out, so the server's defaults apply. Throws a SettingsError.
 */
export function toChatInput(
  settings: Settings,
  conversation: readonly ChatMessageInput[],
): ChatCompletionInput {
  const system = settings.systemPrompt.trim();
  return {
    model: settings.model || undefined,
    messages: [...(system ? [{ role: "SYSTEM" as const, content: system }] : []), ...conversation],
    temperature: optionalNumber(settings, "temperature", "Temperature", false),
    topP: optionalNumber(settings, "topP", "Top-p", false),
    maxTokens: optionalNumber(settings, "maxTokens", "Max tokens", true),
    seed: optionalNumber(settings, "seed", "Seed", true),
    responseFormat: responseFormatOf(settings),
    reasoningFormat: settings.reasoningFormat,
    ...toolsOf(settings),
  };
}
