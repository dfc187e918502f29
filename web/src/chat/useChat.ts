// The conversation: sending a prompt with the current settings, streaming its reply into the turn
// (pieces are painted once per animation frame, not once per token), stopping and retrying, and
// answering the model's tool calls (the model goes on once every call of its reply is answered).
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { PlaygroundClient } from "../graphql/client.js";
import type { ChatMessageInput } from "../graphql/documents.js";
import { describeError } from "../graphql/errors.js";
import { type Settings, SettingsError, toChatInput } from "../settings.js";
import { conversationBefore } from "./conversation.js";
import { type ChatStreamHandle, streamChat } from "./streamChat.js";
import { noPieces, withPieces } from "./streamedReply.js";
import { EMPTY_REPLY, type Reply, type Turn } from "./types.js";

export interface Chat {
  turns: readonly Turn[];
  /** Whether a reply is being generated (only one at a time). */
  busy: boolean;
  /** Sends `prompt`; returns the settings problem instead when the settings cannot be sent. */
  send(prompt: string, settings: Settings): SettingsError | undefined;
  stop(): void;
  /** Runs the last turn again with the current settings. */
  retry(settings: Settings): SettingsError | undefined;
  /**
   * Records a tool's result for a call of the last turn's reply; once all its calls have results,
   * the model continues with them (a turn without a prompt).
   */
  answerToolCall(callIndex: number, result: string, settings: Settings): SettingsError | undefined;
  clear(): void;
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

  const run = (
    turnId: number,
    prompt: string | undefined,
    history: ChatMessageInput[],
    settings: Settings,
  ) => {
    if (!client) return new SettingsError("model", "Not connected to the server yet.");
    let input: ReturnType<typeof toChatInput>;
    try {
      input = toChatInput(
        settings,
        prompt === undefined ? history : [...history, { role: "USER", content: prompt }],
      );
    } catch (error) {
      if (error instanceof SettingsError) return error;
      throw error;
    }
    let unpainted = noPieces();
    let frame = 0;
    const takeUnpainted = () => {
      const pieces = unpainted;
      unpainted = noPieces();
      return pieces;
    };
    const paint = () => {
      frame = 0;
      const pieces = takeUnpainted();
      updateReply(turnId, (reply) => ({ ...withPieces(reply, pieces), status: "streaming" }));
    };
    const paintSoon = () => {
      if (!frame) frame = requestAnimationFrame(paint);
    };
    const end = (update: (reply: Reply) => Reply) => {
      if (frame) cancelAnimationFrame(frame);
      const pieces = takeUnpainted();
      updateReply(turnId, (reply) => update({ ...withPieces(reply, pieces), stopping: false }));
      active.current = undefined;
      setBusy(false);
    };

    setBusy(true);
    active.current = streamChat(client, input, {
      started: (event) =>
        updateReply(turnId, (reply) => ({ ...reply, status: "streaming", model: event.model })),
      reasoning: (text) => {
        unpainted.reasoning += text;
        paintSoon();
      },
      content: (text) => {
        unpainted.content += text;
        paintSoon();
      },
      toolCall: (delta) => {
        unpainted.toolCallDeltas.push(delta);
        paintSoon();
      },
      finished: (event, timeToFirstTokenMs) =>
        end((reply) => ({
          ...reply,
          // The assembled calls are the complete ones (a call cut off by maxTokens is not listed).
          toolCalls: event.toolCalls.map((call) => ({
            id: call.id,
            name: call.name,
            arguments: call.arguments,
          })),
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

  /** Starts a new turn after `before`: the person's prompt, or (without one) the model going on. */
  const startTurn = (prompt: string | undefined, before: readonly Turn[], settings: Settings) => {
    const turnId = nextTurnId.current++;
    const error = run(turnId, prompt, conversationBefore(before, turnId), settings);
    if (error) return error;
    setTurns([...before, { id: turnId, prompt, reply: EMPTY_REPLY }]);
    return undefined;
  };

  const send = (prompt: string, settings: Settings) => {
    if (active.current) return undefined;
    return startTurn(prompt, turns, settings);
  };

  const retry = (settings: Settings) => {
    const last = turns.at(-1);
    if (!last || active.current) return undefined;
    const error = run(last.id, last.prompt, conversationBefore(turns, last.id), settings);
    if (!error) updateReply(last.id, () => EMPTY_REPLY);
    return error;
  };

  const answerToolCall = (callIndex: number, result: string, settings: Settings) => {
    const last = turns.at(-1);
    if (!last || active.current) return undefined;
    const toolCalls = last.reply.toolCalls.map((call, index) =>
      index === callIndex ? { ...call, result } : call,
    );
    const answered: readonly Turn[] = [
      ...turns.slice(0, -1),
      { ...last, reply: { ...last.reply, toolCalls } },
    ];
    if (toolCalls.some((call) => call.result === undefined)) {
      setTurns(answered);
      return undefined;
    }
    // Kept only when the model can go on with it, so that the answer can be given again.
    return startTurn(undefined, answered, settings);
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

  return { turns, busy, send, stop, retry, answerToolCall, clear };
}
