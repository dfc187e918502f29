// Which Host headers the server answers: a defence against DNS rebinding. A page on another site can
// make its own host name resolve to 127.0.0.1 and then call this server as "same-origin" (CORS
// compares Origin with Host), reaching an open local API. The browser still sends the rebound name
// as Host, so only names this server is known by are let in. An IP address as Host involves no DNS
// and cannot be rebound: any is let in.
import { isIP } from "node:net";

export interface HostCheckOptions {
  /** The address the server listens on (`--host`); when it is a name, that name is allowed. */
  listenHost?: string;
  /**
   * More names (`--allowed-hosts`): `api.example.com` exactly, `.example.com` for it and its
   * subdomains, or `*` for any Host (the check is off).
   */
  allowedHosts?: readonly string[];
}

export class HostCheck {
  private readonly anyHost: boolean;
  private readonly names = new Set<string>(["localhost"]);
  private readonly suffixes: string[] = [".localhost"];

  constructor({ listenHost, allowedHosts = [] }: HostCheckOptions = {}) {
    this.anyHost = allowedHosts.includes("*");
    if (listenHost !== undefined && isIP(listenHost) === 0) this.names.add(normalizeName(listenHost));
    for (const entry of allowedHosts) {
      if (entry === "*") continue;
      const name = normalizeName(entry);
      if (name.startsWith(".")) {
        this.suffixes.push(name);
        this.names.add(name.slice(1));
      } else this.names.add(name);
    }
  }

  /**
   * Whether a request with this Host header (any port) may be served. A request without one is
   * not from a browser (browsers always send it), so rebinding cannot be at play.
   */
  allows(hostHeader: string | undefined): boolean {
    if (this.anyHost || hostHeader === undefined) return true;
    const hostname = hostnameOf(hostHeader);
    if (hostname === undefined) return false;
    if (isIP(hostname) !== 0) return true;
    const name = normalizeName(hostname);
    return this.names.has(name) || this.suffixes.some((suffix) => name.endsWith(suffix));
  }
}

/** The host name or IP address of a Host header (`name`, `name:port`, `1.2.3.4:port`, `[::1]:port`). */
function hostnameOf(hostHeader: string): string | undefined {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(hostHeader);
  if (bracketed) return isIP(bracketed[1]) === 6 ? bracketed[1] : undefined;
  const plain = /^([A-Za-z0-9._-]+)(?::\d{1,5})?$/.exec(hostHeader);
  return plain?.[1];
}

/** Host names compare without case and without the trailing dot of a fully qualified name. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** A valid `--allowed-hosts` entry: `*`, a host name, or `.` and a domain. */
export function isAllowedHostEntry(entry: string): boolean {
  return entry === "*" || /^\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(entry);
}
