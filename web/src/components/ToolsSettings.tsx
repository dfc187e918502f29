// The tools the model may call, as a JSON array checked while it is typed, and whether it must call them.

import type { Settings, ToolChoiceMode } from "../settings.js";
import { EXAMPLE_TOOLS, readToolsText } from "../toolsText.js";
import { describedBy, Field } from "./Field.js";

interface ToolsSettingsProps {
  settings: Settings;
  onChange(settings: Settings): void;
  /** The problem found when sending, if it was in the tools. */
  sendError?: string;
}

export function ToolsSettings({ settings, onChange, sendError }: ToolsSettingsProps) {
  const reading = readToolsText(settings.tools);
  const error = reading.error ?? sendError;
  const offered = (reading.tools?.length ?? 0) > 0;
  return (
    <>
      <Field
        id="tools"
        label="Tools"
        hint="A JSON array of OpenAI-style function tools; blank offers none."
        error={error}
      >
        <textarea
          id="tools"
          class="mono"
          rows={offered ? 8 : 3}
          spellcheck={false}
          placeholder='[{"type": "function", "function": {"name": …, "parameters": {…}}}]'
          value={settings.tools}
          onInput={(event) => onChange({ ...settings, tools: event.currentTarget.value })}
          {...describedBy("tools", true, error)}
        />
        {settings.tools.trim() === "" && (
          <button
            type="button"
            class="button button--quiet button--small"
            onClick={() => onChange({ ...settings, tools: EXAMPLE_TOOLS })}
          >
            Add an example tool
          </button>
        )}
      </Field>
      <Field id="tool-choice" label="Tool choice">
        <select
          id="tool-choice"
          value={settings.toolChoice}
          disabled={!offered}
          onChange={(event) =>
            onChange({ ...settings, toolChoice: event.currentTarget.value as ToolChoiceMode })
          }
        >
          <option value="AUTO">Auto: answer or call</option>
          <option value="REQUIRED">Required: must call</option>
          <option value="NONE">None: never call</option>
        </select>
      </Field>
    </>
  );
}
