// The Responses way of streaming (streamAsSse's dialect): `event: <type>` and `data: <json>` per event,
// each stamped with its sequence number, a failure as the assembly's response.failed, and no `[DONE]`.
import type { SseDialect } from "../http/streamAsSse.js";
import type { ResponseAssembly } from "./events.js";
import type { ResponseStreamEvent } from "./protocol.js";

export function responsesSse(assembly: ResponseAssembly): SseDialect<ResponseStreamEvent> {
  let sequenceNumber = 0;
  return {
    name: "openai responses",
    write: (sse, message) => sse.sendEvent(message.type, { ...message, sequence_number: sequenceNumber++ }),
    failure: () => assembly.fail(),
    end: async (sse) => sse.end(),
  };
}
