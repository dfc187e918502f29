// The playground: settings and the live scheduler beside the chat.
import { useEffect, useState } from "preact/hooks";
import { useChat } from "./chat/useChat.js";
import { ChatLog } from "./components/ChatLog.js";
import { Composer } from "./components/Composer.js";
import { ConnectionBadge, ConnectionBanner } from "./components/ConnectionBadge.js";
import { SchedulerPanel } from "./components/SchedulerPanel.js";
import { SettingsPanel, type SettingsProblem } from "./components/SettingsPanel.js";
import { usePlaygroundClient } from "./hooks/usePlaygroundClient.js";
import { useModels, useSchedulerFeed } from "./hooks/useServerState.js";
import { loadApiKey, loadSettings, type SettingsError, saveApiKey, saveSettings } from "./settings.js";

const NARROW_SCREEN = "(max-width: 760px)";

export function App() {
  const [apiKey, setApiKey] = useState(loadApiKey);
  const [settings, setSettings] = useState(loadSettings);
  const [problem, setProblem] = useState<SettingsProblem>();
  const [panelsOpen] = useState(() => !window.matchMedia(NARROW_SCREEN).matches);
  const { client, connection } = usePlaygroundClient(apiKey);
  const models = useModels(client, connection);
  const scheduler = useSchedulerFeed(client);
  const chat = useChat(client);

  useEffect(() => saveSettings(settings), [settings]);
  // A model remembered from another server: fall back to this server's default.
  useEffect(() => {
    if (settings.model && models.length > 0 && !models.some((model) => model.id === settings.model))
      setSettings((current) => ({ ...current, model: "" }));
  }, [models, settings.model]);

  const report = (error: SettingsError | undefined) => {
    setProblem(error ? { field: error.field, message: error.message } : undefined);
    return error === undefined;
  };

  return (
    <div class="app">
      <header class="topbar">
        <h1 class="topbar__title">
          inferql <span class="muted">playground</span>
        </h1>
        <nav class="topbar__links" aria-label="Elsewhere">
          <a href="/graphql">GraphiQL</a>
          <button
            type="button"
            class="button button--quiet"
            onClick={chat.clear}
            disabled={chat.turns.length === 0}
          >
            New chat
          </button>
        </nav>
        <ConnectionBadge status={connection} />
      </header>
      <ConnectionBanner status={connection} />
      <aside class="sidebar">
        <SettingsPanel
          settings={settings}
          onChange={(next) => {
            setSettings(next);
            if (problem) setProblem(undefined);
          }}
          models={models}
          problem={problem}
          apiKey={apiKey}
          onApiKeyChange={(next) => {
            saveApiKey(next);
            setApiKey(next);
          }}
          initiallyOpen={panelsOpen}
        />
        <SchedulerPanel feed={scheduler} live={connection.state === "connected"} initiallyOpen={panelsOpen} />
      </aside>
      <main class="chat">
        <ChatLog
          turns={chat.turns}
          busy={chat.busy}
          onRetry={() => report(chat.retry(settings))}
          onAnswerToolCall={(callIndex, result) => report(chat.answerToolCall(callIndex, result, settings))}
        />
        <Composer
          busy={chat.busy}
          problem={problem ? `Check the settings: ${problem.message}` : undefined}
          onSend={(prompt) => report(chat.send(prompt, settings))}
          onStop={chat.stop}
        />
      </main>
    </div>
  );
}
