// An AbortSignal that fires when the client goes away before its response is complete.
import type { ServerResponse } from "node:http";

export function abortWhenClientGoes(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  // 'close' also follows a normal end; only a close before end() means the client left.
  response.once("close", () => {
    if (!response.writableEnded) controller.abort();
  });
  return controller.signal;
}
