// Each HTTP request (WebSocket upgrades included) gets a request id from the server, which every
// transport passes along with the work it asks for, so a generation's log line names the request.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { RequestOrigin } from "../resolvers/index.js";
import { callerOf } from "../security/accessControl.js";

export type { RequestOrigin };

const origins = new WeakMap<IncomingMessage, RequestOrigin>();

export function tagRequestOrigin(request: IncomingMessage, origin: RequestOrigin): void {
  origins.set(request, origin);
}

/**
 * The origin the server gave this request (for a WebSocket operation: its socket's upgrade request),
 * with the API key it was authenticated with (see AccessControl), which owns what it starts.
 */
export function requestOriginOf(request: IncomingMessage | undefined): RequestOrigin | undefined {
  const origin = request && origins.get(request);
  const caller = callerOf(request);
  return origin && caller ? { ...origin, caller } : origin;
}

/** A client-supplied id is kept when it is short and plain; otherwise a new one is made. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\w.:-]{1,128}$/.test(value) ? value : randomUUID();
}
