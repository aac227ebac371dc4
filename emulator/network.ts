/**
 * 6PN emulation: one podman network per org, dual-stack, MTU 1420.
 *
 *  - IPv6 (the 6PN): org prefix fdaa:0:<org>::/48 like Fly's; machines live in
 *    the /64 fdaa:0:<org>:1::/64 with addresses fdaa:0:<org>:1:<zone>:<r>:<r>:2,
 *    so the "host" part of the address is the machine's zone, as on Fly.
 *  - The org's DNS server listens on <org prefix>::3 (Fly's address over
 *    WireGuard), put on the host's loopback. Machines use Fly's `fdaa::3` as
 *    their resolver: a DNAT rule per org sends it to the org's server, so
 *    several emulators (one per state dir) can share a host.
 *  - IPv4 (172.19.<n>.0/24) exists only for egress, like Fly's private IPv4 on
 *    eth0: an ebtables rule drops IPv4 bridged between two machines of the org.
 *  - Orgs are isolated: rules in CNI-ADMIN (the chain the CNI firewall plugin
 *    leaves to admins, checked before its own accepts) drop traffic routed
 *    from one org's subnets to another emulated org's (fdaa::/16, 172.19/16).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { LABEL, LABEL_INSTANCE } from "../contract/podman-labels";
import type { Podman } from "./podman";
import type { OrgRecord } from "./types";

export const MTU = 1420;

export function orgHex(org: OrgRecord): string {
  return org.prefix.toString(16);
}

export function dnsAddress(org: OrgRecord): string {
  return `fdaa:0:${orgHex(org)}::3`;
}

export function v6Subnet(org: OrgRecord): string {
  return `fdaa:0:${orgHex(org)}:1::/64`;
}

export function v4Subnet(org: OrgRecord): string {
  return `172.19.${org.v4Octet}.0/24`;
}

/** A fresh 6PN address for a machine in `zone` (4 hex chars). */
export function machineAddress(org: OrgRecord, zone: string, taken: Set<string>): string {
  for (;;) {
    const r = createHash("sha256").update(`${Math.random()}`).digest();
    const a = r.readUInt16BE(0) || 1;
    const b = r.readUInt16BE(2) || 1;
    const ip = `fdaa:0:${orgHex(org)}:1:${zone.replace(/^0+(?=.)/, "")}:${a.toString(16)}:${b.toString(16)}:2`;
    if (!taken.has(ip)) return ip;
  }
}

function host(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  // -w: wait for the xtables lock, so emulators started in parallel (tests) do not race.
  const argv = cmd === "iptables" || cmd === "ip6tables" ? ["-w", ...args] : args;
  return new Promise((resolve) => {
    execFile(cmd, argv, { encoding: "utf8", timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === "number"
          ? Number((err as { code: number }).code)
          : 127
        : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** The resolver address machines see, as on Fly. */
export const FLY_DNS = "fdaa::3";

function dnatRule(org: OrgRecord): string[] {
  return [
    "PREROUTING",
    "-s",
    v6Subnet(org),
    "-d",
    `${FLY_DNS}/128`,
    "-p",
    "udp",
    "--dport",
    "53",
    "-j",
    "DNAT",
    "--to-destination",
    dnsAddress(org),
  ];
}

const ADMIN_CHAIN = "CNI-ADMIN";

/** [binary, rule] pairs, in the order they must end up in CNI-ADMIN. */
function isolationRules(org: OrgRecord): [string, string[]][] {
  const own6 = `fdaa:0:${orgHex(org)}::/48`;
  return [
    ["ip6tables", [ADMIN_CHAIN, "-s", own6, "-d", own6, "-j", "ACCEPT"]],
    ["ip6tables", [ADMIN_CHAIN, "-s", own6, "-d", "fdaa::/16", "-j", "DROP"]],
    ["iptables", [ADMIN_CHAIN, "-s", v4Subnet(org), "-d", "172.19.0.0/16", "-j", "DROP"]],
  ];
}

function ebtablesRule(org: OrgRecord): string[] {
  const s = v4Subnet(org);
  return ["FORWARD", "-p", "IPv4", "--ip-src", s, "--ip-dst", s, "-j", "DROP"];
}

/** ebtables-nft has no -C: look for the rule in the chain listing instead. */
async function ebtablesHas(rule: string[]): Promise<boolean> {
  const [chain, ...spec] = rule;
  const list = await host("ebtables", ["-L", chain]);
  const want = spec.join(" ");
  return list.out.split("\n").some((l) => l.trim() === want);
}

export class Networks {
  constructor(
    private readonly podman: Podman,
    private readonly instance: string,
  ) {}

  networkName(slug: string): string {
    return `flyemu-${this.instance}-${slug.replace(/[^a-zA-Z0-9_.-]/g, "_")}`;
  }

  /** Pick an unused org prefix and IPv4 octet (unused by any emulator instance on this host). */
  async allocate(slug: string, known: OrgRecord[], attempt = 0): Promise<OrgRecord> {
    const subnets = new Set(await this.podman.networkSubnets());
    for (const o of known) {
      subnets.add(v6Subnet(o));
      subnets.add(v4Subnet(o));
    }
    const seed = createHash("sha256").update(`${this.instance}/${slug}/${attempt}`).digest();
    let prefix = 0x10 + (seed.readUInt16BE(0) % 0xffe0);
    let octet = seed[2];
    const probe = (): OrgRecord => ({
      slug,
      prefix,
      v4Octet: octet,
      podmanNetwork: this.networkName(slug),
    });
    for (let i = 0; subnets.has(v6Subnet(probe())) && i < 0x10000; i++) {
      prefix = 0x10 + ((prefix - 0x10 + 1) % 0xffe0);
    }
    for (let i = 0; subnets.has(v4Subnet(probe())) && i < 256; i++) octet = (octet + 1) % 256;
    if (subnets.has(v4Subnet(probe())))
      throw new Error("no free 172.19.x.0/24 for a new org network");
    return probe();
  }

  /** Make sure the org's network, DNS address and isolation rule exist (idempotent; Apps.ensureOrg runs it once at a time per org). */
  async ensure(org: OrgRecord): Promise<void> {
    if (!(await this.podman.networkExists(org.podmanNetwork))) {
      await this.podman.networkCreate({
        name: org.podmanNetwork,
        v6Subnet: v6Subnet(org),
        v6Gateway: `fdaa:0:${orgHex(org)}:1::1`,
        v4Subnet: v4Subnet(org),
        mtu: MTU,
        labels: { [LABEL]: "1", [LABEL_INSTANCE]: this.instance, [`${LABEL}.org`]: org.slug },
      });
    }
    const add = await host("ip", ["-6", "addr", "replace", `${dnsAddress(org)}/128`, "dev", "lo"]);
    if (add.code !== 0) throw new Error(`cannot add ${dnsAddress(org)} to lo: ${add.out.trim()}`);
    const dnat = dnatRule(org);
    if ((await host("ip6tables", ["-t", "nat", "-C", ...dnat])).code !== 0) {
      const r = await host("ip6tables", ["-t", "nat", "-I", ...dnat]);
      if (r.code !== 0)
        throw new Error(`ip6tables: cannot route ${FLY_DNS} for ${org.slug}: ${r.out.trim()}`);
    }
    for (const [bin, rule] of isolationRules(org)) {
      await host(bin, ["-N", ADMIN_CHAIN]); // fails harmlessly when it exists
      if ((await host(bin, ["-C", ...rule])).code !== 0) {
        const r = await host(bin, ["-A", ...rule]);
        if (r.code !== 0)
          throw new Error(`${bin}: cannot isolate org ${org.slug}: ${r.out.trim()}`);
      }
    }
    const rule = ebtablesRule(org);
    if (!(await ebtablesHas(rule))) {
      const r = await host("ebtables", ["-I", ...rule]);
      if (r.code !== 0)
        throw new Error(`ebtables: cannot isolate IPv4 of ${org.slug}: ${r.out.trim()}`);
    }
  }

  /** Remove what `ensure` made; errors are ignored (used by reset). */
  async teardown(org: OrgRecord): Promise<void> {
    await this.podman.remove("network", org.podmanNetwork);
    await host("ip", ["-6", "addr", "del", `${dnsAddress(org)}/128`, "dev", "lo"]);
    const dnat = dnatRule(org);
    while ((await host("ip6tables", ["-t", "nat", "-C", ...dnat])).code === 0) {
      if ((await host("ip6tables", ["-t", "nat", "-D", ...dnat])).code !== 0) break;
    }
    for (const [bin, r] of isolationRules(org)) {
      while ((await host(bin, ["-C", ...r])).code === 0) {
        if ((await host(bin, ["-D", ...r])).code !== 0) break;
      }
    }
    const rule = ebtablesRule(org);
    while (await ebtablesHas(rule)) {
      if ((await host("ebtables", ["-D", ...rule])).code !== 0) break;
    }
  }
}
