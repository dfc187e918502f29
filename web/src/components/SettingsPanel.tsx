// Model, system prompt, sampling, output format, reasoning, tools and API key: every control labelled,
// the one a problem was found in marked invalid and described.
import { useEffect, useState } from "preact/hooks";
import type { ServedModel } from "../hooks/useServerState.js";
import type { OutputMode, ReasoningFormat, Settings } from "../settings.js";
import { describedBy, Field } from "./Field.js";
import { ToolsSettings } from "./ToolsSettings.js";

export interface SettingsProblem {
  field: keyof Settings;
  message: string;
}

interface SettingsPanelProps {
  settings: Settings;
  onChange(settings: Settings): void;
  models: readonly ServedModel[];
  problem?: SettingsProblem;
  apiKey: string;
  onApiKeyChange(apiKey: string): void;
  /** Collapsed at first on narrow screens. */
  initiallyOpen: boolean;
}

export function SettingsPanel(props: SettingsPanelProps) {
  const { settings, onChange, models, problem, apiKey, onApiKeyChange, initiallyOpen } = props;
  const [apiKeyDraft, setApiKeyDraft] = useState(apiKey);
  useEffect(() => setApiKeyDraft(apiKey), [apiKey]);
  const errorOf = (field: keyof Settings) => (problem?.field === field ? problem.message : undefined);
  const set =
    (field: keyof Settings) =>
    (event: Event): void => {
      const target = event.currentTarget as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
      onChange({ ...settings, [field]: target.value });
    };
  const selectedModel = models.find((model) => model.id === settings.model) ?? models[0];

  return (
    <details class="panel settings" open={initiallyOpen}>
      <summary class="panel__title">
        <h2 class="panel__heading">Settings</h2>
      </summary>
      <form class="settings__form" onSubmit={(event) => event.preventDefault()}>
        <Field id="model" label="Model">
          <select id="model" value={settings.model} onChange={set("model")}>
            <option value="">{models[0] ? `${models[0].id} (default)` : "Server default"}</option>
            {models.slice(1).map((model) => (
              <option key={model.id} value={model.id}>
                {model.id}
              </option>
            ))}
          </select>
        </Field>

        <Field id="system-prompt" label="System prompt">
          <textarea id="system-prompt" rows={3} value={settings.systemPrompt} onInput={set("systemPrompt")} />
        </Field>

        <div class="field-row">
          <Field id="temperature" label="Temperature" error={errorOf("temperature")} wide={false}>
            <input
              id="temperature"
              type="number"
              inputMode="decimal"
              min={0}
              max={2}
              step={0.05}
              value={settings.temperature}
              onInput={set("temperature")}
              {...describedBy("temperature", false, errorOf("temperature"))}
            />
          </Field>
          <Field id="top-p" label="Top-p" error={errorOf("topP")} wide={false}>
            <input
              id="top-p"
              type="number"
              inputMode="decimal"
              min={0}
              max={1}
              step={0.05}
              value={settings.topP}
              onInput={set("topP")}
              {...describedBy("top-p", false, errorOf("topP"))}
            />
          </Field>
        </div>

        <div class="field-row">
          <Field id="max-tokens" label="Max tokens" error={errorOf("maxTokens")} wide={false}>
            <input
              id="max-tokens"
              type="number"
              inputMode="numeric"
              min={1}
              max={selectedModel?.contextSize}
              step={1}
              value={settings.maxTokens}
              onInput={set("maxTokens")}
              {...describedBy("max-tokens", false, errorOf("maxTokens"))}
            />
          </Field>
          <Field id="seed" label="Seed" error={errorOf("seed")} wide={false}>
            <input
              id="seed"
              type="number"
              inputMode="numeric"
              step={1}
              placeholder="random"
              value={settings.seed}
              onInput={set("seed")}
              {...describedBy("seed", false, errorOf("seed"))}
            />
          </Field>
        </div>

        <Field id="output-mode" label="Output">
          <select
            id="output-mode"
            value={settings.outputMode}
            onChange={(event) =>
              onChange({ ...settings, outputMode: event.currentTarget.value as OutputMode })
            }
          >
            <option value="TEXT">Text</option>
            <option value="JSON_OBJECT">JSON (any object)</option>
            <option value="JSON_SCHEMA">JSON following a schema</option>
          </select>
        </Field>

        {settings.outputMode === "JSON_SCHEMA" && (
          <Field
            id="json-schema"
            label="JSON schema"
            hint="The answer is constrained to JSON that follows it."
            error={errorOf("jsonSchema")}
          >
            <textarea
              id="json-schema"
              class="mono"
              rows={8}
              spellcheck={false}
              value={settings.jsonSchema}
              onInput={set("jsonSchema")}
              {...describedBy("json-schema", true, errorOf("jsonSchema"))}
            />
          </Field>
        )}

        <Field id="reasoning-format" label="Reasoning">
          <select
            id="reasoning-format"
            value={settings.reasoningFormat}
            onChange={(event) =>
              onChange({ ...settings, reasoningFormat: event.currentTarget.value as ReasoningFormat })
            }
          >
            <option value="SEPARATE">Separate, above the answer</option>
            <option value="INLINE">Inline, in the answer</option>
          </select>
        </Field>

        <ToolsSettings settings={settings} onChange={onChange} sendError={errorOf("tools")} />

        <Field
          id="api-key"
          label="API key"
          hint="Only needed when the server requires one. Kept in this browser (localStorage)."
        >
          <input
            id="api-key"
            type="password"
            autocomplete="off"
            spellcheck={false}
            placeholder="none"
            value={apiKeyDraft}
            onInput={(event) => setApiKeyDraft(event.currentTarget.value)}
            onChange={(event) => onApiKeyChange(event.currentTarget.value.trim())}
            {...describedBy("api-key", true, undefined)}
          />
        </Field>
      </form>
    </details>
  );
}
