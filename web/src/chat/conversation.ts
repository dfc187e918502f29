// The messages a turn is sent with: the earlier turns as the model saw them, its reasoning and tool
// calls included, each call followed by the result the person answered it with.
import type { ChatMessageInput } from "../graphql/documents.js";
import type { Reply, Turn } from "./types.js";

function assistantMessages(reply: Reply): ChatMessageInput[] {
  const calls = reply.toolCalls.filter((call) => call.id && call.name);
  const message: ChatMessageInput = {
    role: "ASSISTANT",
    content: reply.content || (calls.length > 0 ? undefined : ""),
    reasoning: reply.reasoning || undefined,
    toolCalls:
      calls.length > 0
        ? calls.map((call) => ({ id: call.id, function: { name: call.name, arguments: call.arguments } }))
        : undefined,
  };
  const results = calls.flatMap((call): ChatMessageInput[] =>
    call.result === undefined ? [] : [{ role: "TOOL", toolCallId: call.id, content: call.result }],
  );
  return [message, ...results];
}

/** The conversation before `turnId`; turns whose reply has neither text nor calls are left out with their prompt. */
export function conversationBefore(turns: readonly Turn[], turnId: number): ChatMessageInput[] {
  const messages: ChatMessageInput[] = [];
  for (const turn of turns) {
    if (turn.id === turnId) break;
    if (!turn.reply.content && turn.reply.toolCalls.length === 0) continue;
    if (turn.prompt !== undefined) messages.push({ role: "USER", content: turn.prompt });
    messages.push(...assistantMessages(turn.reply));
  }
  return messages;
}
