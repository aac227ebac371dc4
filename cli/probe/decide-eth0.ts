/**
 * The lines about the machine's own network: eth0's MTU (flannel sizes its
 * device from it), its addresses, whether the 6PN address (FLY_PRIVATE_IP,
 * the node's first node-ip) is on eth0, and what `.internal` DNS answers for
 * the control plane's name and, as a control, the probe app's own. Pure.
 */
import * as ipaddr from "ipaddr.js";
import { apiServerUrlOn } from "../../config/naming";
import { FlannelBackend } from "../../config/schema";
import { Capability, DnsAnswer, ScriptFacts } from "./types";

/** What flannel takes off eth0's MTU for its device and for pods (README, "Pod network"). */
const MTU_OVERHEAD: Record<FlannelBackend, { device: number; pods: number }> = {
  vxlan: { device: 70, pods: 120 },
  wireguard: { device: 0, pods: 80 },
};

export function mtuLine(f: ScriptFacts, backend: FlannelBackend): Capability {
  const mtu = f.eth0.mtu;
  if (mtu === undefined) {
    return {
      name: "eth0 MTU",
      result: "missing",
      detail: "no eth0",
      node: "the node has no eth0 to carry 6PN: flannel cannot size its device",
      required: true,
    };
  }
  const o = MTU_OVERHEAD[backend];
  return {
    name: "eth0 MTU",
    result: "ok",
    detail: String(mtu),
    node:
      backend === "vxlan"
        ? `flannel VXLAN device ${mtu - o.device}, pods ${mtu - o.pods}`
        : `flannel WireGuard device from eth0, pods ${mtu - o.pods}`,
    required: false,
  };
}

const bare = (a: string) => a.split("/")[0];
const globalV6 = (f: ScriptFacts) =>
  f.eth0.addresses.filter((a) => a.family === "inet6" && a.scope === "global");

function sameAddress(a: string, b: string): boolean {
  try {
    return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
  } catch {
    return a === b;
  }
}

export function addressesLine(f: ScriptFacts): Capability {
  const all = f.eth0.addresses;
  const v4 = all.filter((a) => a.family === "inet").map((a) => a.address);
  return {
    name: "eth0 addresses",
    result: all.length > 0 ? "ok" : "unknown",
    detail:
      all.length > 0
        ? all
            .map((a) => `${a.address} ${a.scope}${a.flags.length ? ` ${a.flags.join(",")}` : ""}`)
            .join(", ")
        : "none listed (no ip command in this image, or no eth0 in this network namespace)",
    node:
      v4.length > 0
        ? `IPv4 ${v4.join(", ")} is eth0's, not routed between machines: nodes talk over 6PN`
        : "nodes talk over 6PN",
    required: false,
  };
}

export function sixPnLine(f: ScriptFacts): Capability {
  const ip = f.flyPrivateIp;
  const base = { name: "6PN address", required: true };
  if (!ip) {
    return {
      ...base,
      result: "unknown",
      detail: "FLY_PRIVATE_IP is not set in the exec environment",
      node: "the node refuses to start without FLY_PRIVATE_IP",
    };
  }
  const globals = globalV6(f);
  if (f.eth0.addresses.length === 0) {
    return {
      ...base,
      result: "unknown",
      detail: `FLY_PRIVATE_IP ${ip}; eth0's addresses could not be listed`,
      node: "waits for it on eth0, then uses it as its first node-ip",
    };
  }
  const at = globals.findIndex((a) => sameAddress(bare(a.address), ip));
  if (at < 0) {
    return {
      ...base,
      result: "missing",
      detail: `FLY_PRIVATE_IP ${ip} is not on eth0 (global IPv6: ${globals.map((a) => a.address).join(", ") || "none"})`,
      node: "the node waits for it on eth0 and never starts k3s",
    };
  }
  return {
    ...base,
    result: "ok",
    detail:
      at === 0
        ? `${ip} is eth0's first global IPv6 (FLY_PRIVATE_IP)`
        : `${ip} (FLY_PRIVATE_IP) is on eth0, after ${bare(globals[0].address)}`,
    node: `first node-ip ${ip}: etcd, flannel and the kubelet use it`,
  };
}

function answerOf(f: ScriptFacts, name: string, type: "AAAA" | "A"): DnsAnswer | undefined {
  return f.dns.find((d) => d.name === name && d.type === type);
}

const NO_TOOL = "no resolver tool in this image (getent, nslookup)";

/** AAAA and A for the probe app's own name (the control) and the control plane's. */
export function dnsLines(f: ScriptFacts, selfHost: string, cpHost: string): Capability[] {
  const selfV6 = answerOf(f, selfHost, "AAAA");
  const selfWorks = (selfV6?.answers.length ?? 0) > 0;
  const aLine = (name: string): Capability => {
    const a = answerOf(f, name, "A");
    return {
      name: `DNS A ${name}`,
      result: !a || a.tool === "none" ? "unknown" : "ok",
      detail:
        !a || a.tool === "none"
          ? NO_TOOL
          : a.answers.join(" ") || "no A answer (6PN names are IPv6 only)",
      node: "nothing: nodes find each other by AAAA only",
      required: false,
    };
  };
  const cp = answerOf(f, cpHost, "AAAA");
  const cpLine: Capability =
    !cp || cp.tool === "none"
      ? {
          name: `DNS AAAA ${cpHost}`,
          result: "unknown",
          detail: NO_TOOL,
          node: "",
          required: false,
        }
      : cp.answers.length > 0
        ? {
            name: `DNS AAAA ${cpHost}`,
            result: "ok",
            detail: cp.answers.join(" "),
            node: "",
            required: false,
          }
        : {
            name: `DNS AAAA ${cpHost}`,
            result: selfWorks ? "ok" : "missing",
            detail: selfWorks
              ? "no answer yet: no control-plane machine has started (expected before the first deploy)"
              : "no answer",
            node: "",
            required: false,
          };
  return [
    {
      name: `DNS AAAA ${selfHost}`,
      result: !selfV6 || selfV6.tool === "none" ? "unknown" : selfWorks ? "ok" : "missing",
      detail:
        !selfV6 || selfV6.tool === "none"
          ? NO_TOOL
          : selfWorks
            ? `${selfV6.answers.join(" ")} (this probe's own app, the control)`
            : "no answer for this probe's own app after 10 s",
      node: selfWorks
        ? ".internal names answer over 6PN"
        : "agents cannot find the servers by name (they join at <cluster>-cp.internal)",
      required: true,
    },
    aLine(selfHost),
    { ...cpLine, node: `agents join ${apiServerUrlOn(cpHost)} once a server runs` },
    aLine(cpHost),
  ];
}
