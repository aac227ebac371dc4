/**
 * Readers of the network answers: the in-pod PROBE_SCRIPT and RESOLVE_SCRIPT
 * (commands.ts), and the machines' `wg show`, `bridge fdb` and `ip -6 route`.
 * None decides pass or fail (the check-*.ts files do). Pure.
 */
import * as ipaddr from "ipaddr.js";

/** One line of PROBE_SCRIPT: `probe TARGET ok ANSWER` or `probe TARGET fail`. */
export interface ProbeResult {
  /** As asked: an IPv6 literal in brackets, or an IPv4 address. */
  readonly target: string;
  readonly ok: boolean;
  readonly answer: string;
}

export function parseProbes(stdout: string): ProbeResult[] {
  const out: ProbeResult[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^probe (\S+) (ok|fail)(?: (.*))?$/.exec(line.trim());
    if (m) out.push({ target: m[1], ok: m[2] === "ok", answer: (m[3] ?? "").trim() });
  }
  return out;
}

/** One line of RESOLVE_SCRIPT: `resolve NAME ok ADDRESS` or `resolve NAME fail WHAT`. */
export interface ResolveResult {
  readonly name: string;
  readonly ok: boolean;
  /** The address on success, what the resolver said otherwise. */
  readonly text: string;
}

export function parseResolves(stdout: string): ResolveResult[] {
  const out: ResolveResult[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^resolve (\S+) (ok|fail)(?: (.*))?$/.exec(line.trim());
    if (m) out.push({ name: m[1], ok: m[2] === "ok", text: (m[3] ?? "").trim() });
  }
  return out;
}

/** WG_HANDSHAKES: the machine's clock, then `wg show … latest-handshakes`. */
export interface Handshakes {
  readonly now: number;
  /** Seconds since the epoch of each peer's latest handshake; 0 for never. */
  readonly peers: readonly { readonly publicKey: string; readonly latest: number }[];
}

export function parseHandshakes(stdout: string): Handshakes | undefined {
  const [first, ...rest] = stdout.split("\n");
  if (!/^\d+$/.test(first?.trim() ?? "")) return undefined;
  const peers: { publicKey: string; latest: number }[] = [];
  for (const line of rest) {
    if (!line.trim()) continue;
    const m = /^(\S+)\t(\d+)$/.exec(line.trim());
    if (!m) return undefined;
    peers.push({ publicKey: m[1], latest: Number(m[2]) });
  }
  return { now: Number(first.trim()), peers };
}

/** One forwarding entry of `bridge fdb show dev DEV`: `MAC [dst IP] ... FLAGS STATE`. */
export interface FdbEntry {
  readonly mac: string;
  readonly dst?: string;
}

export function parseFdb(stdout: string): FdbEntry[] {
  const out: FdbEntry[] = [];
  for (const line of stdout.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(words[0] ?? "")) continue;
    const at = words.indexOf("dst");
    out.push({ mac: words[0], ...(at > 0 && words[at + 1] ? { dst: words[at + 1] } : {}) });
  }
  return out;
}

/** One route of `ip -6 route show`: `DST [via GW] dev DEV ...`. */
export interface Route {
  readonly dst: string;
  readonly dev?: string;
  readonly via?: string;
}

export function parseRoutes(stdout: string): Route[] {
  const out: Route[] = [];
  for (const line of stdout.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (!words[0]) continue;
    const after = (key: string) => {
      const at = words.indexOf(key);
      return at >= 0 ? words[at + 1] : undefined;
    };
    const dev = after("dev");
    const via = after("via");
    out.push({ dst: words[0], ...(dev ? { dev } : {}), ...(via ? { via } : {}) });
  }
  return out;
}

/** Whether `cidr` (a route's destination) holds all of `inner` (a node's pod range). */
export function covers(cidr: string, inner: string): boolean {
  try {
    const [net, bits] = ipaddr.parseCIDR(cidr === "default" ? "::/0" : cidr);
    const [addr, innerBits] = ipaddr.parseCIDR(inner);
    return addr.kind() === net.kind() && innerBits >= bits && addr.match(net, bits);
  } catch {
    return false;
  }
}
