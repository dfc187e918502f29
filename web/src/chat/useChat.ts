// The conversation: sending a prompt with the current settings, streaming its reply into the turn
// (text is painted once per animation frame, not once per token), stopping and retrying.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { PlaygroundClient } from "../graphql/client.js";
import type { ChatMessageInput } from "../graphql/documents.js";
import { describeError } from "../graphql/errors.js";
import { type Settings, SettingsError, toChatInput } from "../settings.js";
import { type ChatStreamHandle, streamChat } from "./streamChat.js";
import type { Reply, Turn } from "./types.js";

export interface Chat {
  turns: readonly Turn[];
  /** Whether a reply is being generated (only one at a time). */
  busy: boolean;
  /** Sends `prompt`; returns the settings problem instead when the settings cannot be sent. */
  send(prompt: string, settings: Settings): SettingsError | undefined;
  stop(): void;
  /** Runs the last turn's prompt again with the current settings. */
  retry(settings: Settings): SettingsError | undefined;
  clear(): void;
}

/** The conversation before `turnId`; turns whose reply has no text are left out with their prompt. */
function conversationBefore(turns: readonly Turn[], turnId: number): ChatMessageInput[] {
  const messages: ChatMessageInput[] = [];
  for (const turn of turns) {
    if (turn.id === turnId) break;
    if (!turn.reply.content) continue;
    messages.push({ role: "USER", content: turn.prompt }, { role: "ASSISTANT", content: turn.reply.content });
  }
  return messages;
}

export function useChat(client: PlaygroundClient | undefined): Chat {
  const [turns, setTurns] = useState<readonly Turn[]>([]);
  const [busy, setBusy] = useState(false);
  const active = useRef<ChatStreamHandle | undefined>(undefined);
  const nextTurnId = useRef(1);

  const updateReply = useCallback((turnId: number, update: (reply: Reply) => Reply) => {
    setTurns((current) =>
      current.map((turn) => (turn.id === turnId ? { ...turn, reply: update(turn.reply) } : turn)),
    );
  }, []);

  const run = (turnId: number, prompt: string, history: ChatMessageInput[], settings: Settings) => {
    if (!client) return new SettingsError("model", "Not connected to the server yet.");
    let input: ReturnType<typeof toChatInput>;
    try {
      input = toChatInput(settings, [...history, { role: "USER", content: prompt }]);
    } catch (error) {
      if (error instanceof SettingsError) return error;
      throw error;
    }
    let unpainted = "";
    let frame = 0;
    const paint = () => {
      frame = 0;
      const text = unpainted;
      unpainted = "";
      updateReply(turnId, (reply) => ({ ...reply, status: "streaming", content: reply.content + text }));
    };
    const end = (update: (reply: Reply) => Reply) => {
      if (frame) cancelAnimationFrame(frame);
      const text = unpainted;
      unpainted = "";
      updateReply(turnId, (reply) => update({ ...reply, content: reply.content + text, stopping: false }));
      active.current = undefined;
      setBusy(false);
    };

    setBusy(true);
    active.current = streamChat(client, input, {
      started: (event) =>
        updateReply(turnId, (reply) => ({ ...reply, status: "streaming", model: event.model })),
      content: (text) => {
        unpainted += text;
        if (!frame) frame = requestAnimationFrame(paint);
      },
      finished: (event, timeToFirstTokenMs) =>
        end((reply) => ({
          ...reply,
          status:
            event.finishReason === "CANCELLED"
              ? "cancelled"
              : event.finishReason === "ERROR"
                ? "error"
                : "done",
          error: event.finishReason === "ERROR" ? "The generation failed on the server." : undefined,
          stats: {
            finishReason: event.finishReason,
            promptTokens: event.usage.promptTokens,
            cachedPromptTokens: event.usage.cachedPromptTokens,
            completionTokens: event.usage.completionTokens,
            timeToFirstTokenMs,
            tokensPerSecond: event.timings.generatedTokensPerSecond,
            queueMs: event.timings.queueMs,
          },
        })),
      stopped: () => end((reply) => ({ ...reply, status: "cancelled" })),
      failed: (error) => end((reply) => ({ ...reply, status: "error", error: describeError(error) })),
    });
    return undefined;
  };

  const send = (prompt: string, settings: Settings) => {
    if (active.current) return undefined;
    const turnId = nextTurnId.current++;
    const error = run(turnId, prompt, conversationBefore(turns, turnId), settings);
    if (error) return error;
    setTurns((current) => [...current, { id: turnId, prompt, reply: { status: "waiting", content: "" } }]);
    return undefined;
  };

  const retry = (settings: Settings) => {
    const last = turns.at(-1);
    if (!last || active.current) return undefined;
    const error = run(last.id, last.prompt, conversationBefore(turns, last.id), settings);
    if (!error) updateReply(last.id, () => ({ status: "waiting", content: "" }));
    return error;
  };

  const stop = () => {
    if (!active.current) return;
    const last = turns.at(-1);
    if (last) updateReply(last.id, (reply) => ({ ...reply, stopping: true }));
    active.current.stop();
  };

  const clear = () => {
    active.current?.stop();
    setTurns([]);
  };

  // Leaving the page (or a new connection) ends the stream; the server frees the slot.
  useEffect(() => () => active.current?.stop(), []);

  return { turns, busy, send, stop, retry, clear };
}
