/**
 * The org's internal DNS server (Fly's fdaa::3), one UDP socket per org, built
 * on `dns-packet` for the wire format. Answers the `.internal` names of Fly's
 * private-networking docs from live emulator state; forwards other names to
 * the host's resolver (from /etc/resolv.conf), or SERVFAILs if there is none.
 */
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import * as packet from "dns-packet";

export interface DnsMachine {
  id: string;
  region: string;
  ip: string;
  started: boolean;
  /** The machine's config.metadata (process group, kv names). */
  metadata: Record<string, string>;
}

/** What the DNS server needs to know about one org. */
export interface DnsView {
  apps(): string[];
  machines(app: string): DnsMachine[];
  /** The API address advertised as `_api.internal` (the DNS address itself). */
  apiAddress: string;
}

const TTL = 5;
const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3 } as const;

type Answer = packet.Answer;

function aaaa(name: string, ips: string[]): Answer[] {
  return ips.map((ip) => ({ type: "AAAA", name, ttl: TTL, class: "IN", data: ip }) as Answer);
}

function txt(name: string, items: string[]): Answer[] {
  return [{ type: "TXT", name, ttl: TTL, class: "IN", data: items.join(",") } as Answer];
}

export interface Resolution {
  rcode: "NOERROR" | "NXDOMAIN";
  answers: Answer[];
}

/** Resolve one `.internal` question; `undefined` means "not ours, forward it". */
export function resolveInternal(
  view: DnsView,
  qname: string,
  qtype: string,
): Resolution | undefined {
  const name = qname.toLowerCase().replace(/\.$/, "");
  if (name !== "internal" && !name.endsWith(".internal")) return undefined;
  const labels = name.split(".").slice(0, -1); // drop "internal"
  const apps = view.apps();
  const want = (t: string): boolean => qtype === t || qtype === "ANY";
  const found = (answers: Answer[]): Resolution => ({ rcode: "NOERROR", answers });

  if (labels.length === 1 && labels[0] === "_apps")
    return found(want("TXT") ? txt(qname, [...apps].sort()) : []);
  if (labels.length === 1 && labels[0] === "_api")
    return found(want("AAAA") ? aaaa(qname, [view.apiAddress]) : []);
  const instances = (all: boolean): string[] =>
    apps.flatMap((a) =>
      view
        .machines(a)
        .filter((m) => all || m.started)
        .map((m) => `instance=${m.id},app=${a},ip=${m.ip},region=${m.region}`),
    );
  if (name === "_instances.internal") return found(want("TXT") ? txt(qname, instances(false)) : []);
  if (name === "all._instances.internal")
    return found(want("TXT") ? txt(qname, instances(true)) : []);

  const app = labels[labels.length - 1];
  if (!apps.includes(app)) return { rcode: "NXDOMAIN", answers: [] };
  const machines = view.machines(app);
  const started = machines.filter((m) => m.started);
  const rest = labels.slice(0, -1);
  const ips = (ms: DnsMachine[]): Answer[] =>
    want("AAAA")
      ? aaaa(
          qname,
          ms.map((m) => m.ip),
        )
      : [];
  const uniq = (xs: string[]): string[] => [...new Set(xs)].sort();

  if (rest.length === 0 || (rest.length === 1 && rest[0] === "global")) return found(ips(started));
  if (rest.length === 1 && rest[0] === "vms") {
    return found(
      want("TXT")
        ? txt(
            qname,
            started.map((m) => `${m.id} ${m.region}`),
          )
        : [],
    );
  }
  if (rest.length === 2 && rest[0] === "all" && rest[1] === "vms") {
    return found(
      want("TXT")
        ? txt(
            qname,
            machines.map((m) => `${m.id} ${m.region}`),
          )
        : [],
    );
  }
  if (rest.length === 1 && rest[0] === "regions") {
    return found(want("TXT") ? txt(qname, uniq(started.map((m) => m.region))) : []);
  }
  if (rest.length === 2 && rest[0] === "all" && rest[1] === "regions") {
    return found(want("TXT") ? txt(qname, uniq(machines.map((m) => m.region))) : []);
  }
  if (rest.length === 2 && rest[1] === "vm") {
    const m = started.filter((x) => x.id === rest[0]);
    return m.length || machines.some((x) => x.id === rest[0])
      ? found(ips(m))
      : { rcode: "NXDOMAIN", answers: [] };
  }
  if (rest.length === 2 && rest[1] === "process") {
    return found(ips(started.filter((m) => m.metadata.fly_process_group === rest[0])));
  }
  if (rest.length === 4 && rest[2] === "kv" && rest[3] === "_metadata") {
    const [value, key] = rest;
    return found(ips(started.filter((m) => m.metadata[key]?.toLowerCase() === value)));
  }
  const nearest = /^top(\d+)$/.exec(rest[0] ?? "");
  if (rest.length === 3 && nearest && rest[1] === "nearest" && rest[2] === "of") {
    // One host: every machine is as near as any other; keep creation order.
    return found(ips(started.slice(0, Number(nearest[1]))));
  }
  if (rest.length === 1) {
    const inRegion = started.filter((m) => m.region === rest[0]);
    if (inRegion.length || machines.some((m) => m.region === rest[0])) return found(ips(inRegion));
  }
  return { rcode: "NXDOMAIN", answers: [] };
}

function upstreamServer(): string | undefined {
  try {
    const conf = readFileSync("/etc/resolv.conf", "utf8");
    const m = /^\s*nameserver\s+(\S+)/m.exec(conf);
    return m?.[1];
  } catch {
    return undefined;
  }
}

export class DnsServer {
  private socket?: Socket;
  private readonly upstream = upstreamServer();

  constructor(
    readonly address: string,
    private readonly view: DnsView,
    readonly port = 53,
  ) {}

  async listen(): Promise<void> {
    const sock = createSocket({ type: isIPv6(this.address) ? "udp6" : "udp4", reuseAddr: true });
    sock.on("message", (msg, rinfo) => {
      void this.handle(msg).then(
        (reply) => reply && sock.send(reply, rinfo.port, rinfo.address),
        () => undefined,
      );
    });
    await new Promise<void>((resolve, reject) => {
      sock.once("error", reject);
      sock.bind(this.port, this.address, () => {
        sock.off("error", reject);
        sock.on("error", () => undefined);
        resolve();
      });
    });
    this.socket = sock;
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  async handle(msg: Buffer): Promise<Buffer | undefined> {
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return undefined;
    }
    const q = query.questions?.[0];
    // dns-packet encodes the rcode only through the low 4 bits of `flags`.
    const reply = (rcode: keyof typeof RCODES, answers: Answer[]): Buffer =>
      packet.encode({
        id: query.id,
        type: "response",
        flags:
          packet.AUTHORITATIVE_ANSWER |
          ((query.flags ?? 0) & packet.RECURSION_DESIRED) |
          packet.RECURSION_AVAILABLE |
          RCODES[rcode],
        questions: query.questions,
        answers,
      });
    if (!q) return reply("FORMERR", []);
    const res = resolveInternal(this.view, q.name, q.type);
    if (res) return reply(res.rcode, res.answers);
    return (await this.forward(msg)) ?? reply("SERVFAIL", []);
  }

  private forward(msg: Buffer): Promise<Buffer | undefined> {
    const up = this.upstream;
    if (!up) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const s = createSocket(isIPv6(up) ? "udp6" : "udp4");
      const done = (b?: Buffer): void => {
        clearTimeout(timer);
        s.close();
        resolve(b);
      };
      const timer = setTimeout(() => done(undefined), 2000);
      s.on("error", () => done(undefined));
      s.on("message", (b) => done(b));
      s.send(msg, 53, up);
    });
  }
}
