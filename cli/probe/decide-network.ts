/**
 * The pod-network lines of the report: whether a WireGuard and a VXLAN device
 * can be created, what that means for the cluster's FLANNEL_BACKEND (the
 * entrypoint makes the same test at boot and refuses to start without the
 * device), and the netfilter tools the node's components call. Pure.
 */
import { FLANNEL_BACKENDS, FlannelBackend } from "../../config/schema";
import { Capability, LinkTry, Outcome, ScriptFacts, ToolTry } from "./types";

/** What flannel carries between nodes with each backend (README, "Pod network"). */
const CARRIES: Record<FlannelBackend, string> = {
  vxlan: "IPv6 pod traffic across nodes over 6PN, IPv4 within a node (and egress)",
  wireguard: "IPv4 and IPv6 pod traffic across nodes, encrypted, over 6PN",
};

/** The kernel has no such link type (iproute2 and busybox say it differently). */
const NO_LINK_TYPE = /not supported|unknown device type/i;

function linkOutcome(t: LinkTry | undefined): { result: Outcome; detail: string } {
  if (!t) return { result: "unknown", detail: "not tried" };
  if (t.state === "created") return { result: "ok", detail: "created and removed" };
  if (t.state === "untried") return { result: "unknown", detail: `could not try: ${t.message}` };
  if (NO_LINK_TYPE.test(t.message)) return { result: "missing", detail: t.message };
  return { result: "unknown", detail: `could not tell: ${t.message}` };
}

const other = (b: FlannelBackend): FlannelBackend => FLANNEL_BACKENDS.find((x) => x !== b) ?? b;

/** One line per device type, saying what the chosen backend does with it. */
export function deviceLines(f: ScriptFacts, backend: FlannelBackend): Capability[] {
  return FLANNEL_BACKENDS.map((kind) => {
    const o = linkOutcome(f.links[kind]);
    const chosen = kind === backend;
    let node: string;
    if (chosen) {
      node =
        o.result === "ok"
          ? `flannel's device (FLANNEL_BACKEND=${kind})`
          : o.result === "missing"
            ? `the node refuses to start (FLANNEL_BACKEND=${kind})`
            : `the node tries it at boot and refuses to start without it (FLANNEL_BACKEND=${kind})`;
    } else {
      node =
        o.result === "ok"
          ? `not used; FLANNEL_BACKEND=${kind} would work: ${CARRIES[kind]}`
          : `not used (FLANNEL_BACKEND=${backend})`;
    }
    // The pod network line carries the refusal, once.
    return { name: `${kind} device`, ...o, node, required: false };
  });
}

/** The decision line for the cluster's backend. */
export function podNetworkLine(f: ScriptFacts, backend: FlannelBackend): Capability {
  const o = linkOutcome(f.links[backend]);
  const alt = other(backend);
  const altWorks = linkOutcome(f.links[alt]).result === "ok";
  const base = { name: "pod network", result: o.result, required: true };
  if (o.result === "ok") {
    return { ...base, detail: `${backend}: ok`, node: CARRIES[backend] };
  }
  if (o.result === "missing") {
    return {
      ...base,
      detail: `${backend}: missing`,
      node: altWorks
        ? `the node refuses to start; set FLANNEL_BACKEND=${alt} (${CARRIES[alt]})`
        : `the node refuses to start, and ${alt} is not available either: no pod network on this kernel`,
    };
  }
  return {
    ...base,
    detail: `${backend}: unknown (${o.detail})`,
    node: `the node tries the device at boot and refuses to start without it`,
  };
}

function toolOutcome(t: ToolTry | undefined, what: string): { result: Outcome; detail: string } {
  if (!t || t.state === "absent") return { result: "unknown", detail: `no ${what} in this image` };
  if (t.state === "ok") return { result: "ok", detail: t.message || what };
  return { result: "missing", detail: `${what} failed: ${t.message}` };
}

/** iptables-legacy for both families (what the node image selects), then nft for information. */
export function iptablesLines(f: ScriptFacts): Capability[] {
  const v4 = toolOutcome(f.tools["iptables-legacy"], "iptables-legacy");
  const v6 = toolOutcome(f.tools["ip6tables-legacy"], "ip6tables-legacy");
  const worst: Outcome = [v4, v6].some((x) => x.result === "missing")
    ? "missing"
    : [v4, v6].some((x) => x.result === "unknown")
      ? "unknown"
      : "ok";
  const nft = toolOutcome(f.tools["iptables-nft"], "iptables-nft");
  return [
    {
      name: "iptables legacy",
      result: worst,
      detail: v4.detail === v6.detail ? v4.detail : `${v4.detail}; ${v6.detail}`,
      node:
        worst === "missing"
          ? "kube-proxy and flannel cannot write their rules: k3s fails (the node image selects iptables-legacy)"
          : worst === "unknown"
            ? "the node image brings iptables-legacy; its kernel side is the netfilter options below"
            : "kube-proxy, flannel and the network policy controller write their rules with it",
      required: true,
    },
    {
      name: "iptables nft",
      result: nft.result,
      detail: nft.detail,
      node: "not used: the node image selects iptables-legacy",
      required: false,
    },
  ];
}

export function ipsetLine(f: ScriptFacts): Capability {
  const t = f.tools.ipset;
  const o =
    !t || t.state === "absent"
      ? { result: "missing" as Outcome, detail: "no ipset in this image" }
      : toolOutcome(t, "ipset");
  return {
    name: "ipset",
    ...o,
    node:
      o.result === "ok"
        ? "the network policy controller keeps pod and namespace selectors in ipsets"
        : "network policies need it: the node image (images/k3s-node) installs ipset",
    required: false,
  };
}
