/**
 * flannel's tunnels between the machines: recent WireGuard handshakes or
 * VXLAN forwarding entries, and IPv6 pod routes, to every other node (7).
 * Pure.
 */
import { FlannelBackend } from "../../config/schema";
import { MEANINGS, MachineFacts, VerifyLine, line, plural } from "./checks";
import { FLANNEL_VXLAN_V6_DEVICE, FLANNEL_WG_DEVICE } from "./commands";
import { Answer, NodeFacts, canonicalIp, said } from "./parse";
import { covers, parseFdb, parseHandshakes, parseRoutes } from "./parse-net";

/** What a node's tunnel commands answered. */
export interface TunnelFacts {
  readonly label: string;
  readonly node?: NodeFacts;
  readonly machine: MachineFacts;
  /** WG_HANDSHAKES (wireguard) or VXLAN_FDB (vxlan). */
  readonly device?: Answer;
  readonly routes?: Answer;
}

/** WireGuard keeps using a session for at most 180 s after its handshake (Reject-After-Time). */
export const HANDSHAKE_MAX_AGE_SEC = 180;

/** flannel's lease annotations on each node (flannel pkg/subnet/kube: backend-v6-data holds the WireGuard key). */
export const FLANNEL_V6_DATA_ANNOTATION = "flannel.alpha.coreos.com/backend-v6-data";
export const FLANNEL_PUBLIC_IPV6_ANNOTATION = "flannel.alpha.coreos.com/public-ipv6";

function wireguardKey(n: NodeFacts | undefined): string | undefined {
  const data = n?.annotations[FLANNEL_V6_DATA_ANNOTATION];
  try {
    const key = (JSON.parse(data ?? "") as { PublicKey?: unknown }).PublicKey;
    return typeof key === "string" ? key : undefined;
  } catch {
    return undefined;
  }
}

/** 7. flannel's tunnels: recent WireGuard handshakes, or VXLAN forwarding entries, and routes, to every other node. */
export function checkTunnels(backend: FlannelBackend, facts: readonly TunnelFacts[]): VerifyLine {
  const device = backend === "wireguard" ? FLANNEL_WG_DEVICE : FLANNEL_VXLAN_V6_DEVICE;
  const problems: string[] = [];
  for (const f of facts) {
    const others = facts.filter((o) => o !== f);
    const lacking: string[] = [];
    if (!f.device || !f.device.answered || f.device.exitCode !== 0) {
      problems.push(`${f.label}: ${f.device ? said(f.device) : "not asked"}`);
      continue;
    }
    if (backend === "wireguard") {
      const hs = parseHandshakes(f.device.stdout);
      if (!hs) {
        problems.push(`${f.label}: unreadable handshakes (${said(f.device)})`);
        continue;
      }
      const never: string[] = [];
      for (const o of others) {
        const key = wireguardKey(o.node);
        const peer = key ? hs.peers.find((p) => p.publicKey === key) : undefined;
        if (!key) lacking.push(`${o.label} (no key in its lease)`);
        else if (!peer) lacking.push(`${o.label} (not a peer)`);
        else if (peer.latest === 0) never.push(o.label);
        else if (hs.now - peer.latest > HANDSHAKE_MAX_AGE_SEC)
          lacking.push(`${o.label} (${hs.now - peer.latest} s ago)`);
      }
      if (never.length === others.length && others.length > 1)
        problems.push(`${f.label}: no handshake ever with any of its ${others.length} peers`);
      else if (never.length + lacking.length > 0)
        problems.push(
          `${f.label}: no recent handshake with ${[...never.map((l) => `${l} (never)`), ...lacking].join(", ")}`,
        );
    } else {
      const fdb = parseFdb(f.device.stdout);
      for (const o of others) {
        const want = canonicalIp(
          o.node?.annotations[FLANNEL_PUBLIC_IPV6_ANNOTATION] ?? o.machine.privateIp,
        );
        if (!fdb.some((e) => e.dst !== undefined && canonicalIp(e.dst) === want))
          lacking.push(o.label);
      }
      if (lacking.length)
        problems.push(`${f.label}: no forwarding entry for ${lacking.join(", ")}`);
    }
    const routes =
      f.routes?.answered && f.routes.exitCode === 0 ? parseRoutes(f.routes.stdout) : [];
    const unrouted = others.filter((o) => {
      const range = o.node?.podCidrs.find((c) => c.includes(":"));
      return !range || !routes.some((r) => r.dev === device && covers(r.dst, range));
    });
    if (unrouted.length)
      problems.push(
        `${f.label}: no route via ${device} to the IPv6 pods of ${unrouted.map((o) => o.label).join(", ")}`,
      );
  }
  // The same trouble on every node is said once.
  const rest = problems.map((p) => p.slice(p.indexOf(": ") + 2));
  if (facts.length > 1 && problems.length === facts.length && rest.every((r) => r === rest[0]))
    problems.splice(0, problems.length, `every node: ${rest[0]}`);
  const what =
    backend === "wireguard"
      ? `a handshake within ${HANDSHAKE_MAX_AGE_SEC} s`
      : "a forwarding entry at its 6PN address";
  return line(
    "tunnels",
    problems,
    `${plural(facts.length, "node")}: each has ${what} and a route via ${device} for every other node`,
    backend === "wireguard" ? MEANINGS.tunnelsWireguard : MEANINGS.tunnelsVxlan,
  );
}
