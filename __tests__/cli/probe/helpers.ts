/** Shared by the probe's unit tests: the local cluster's config and records built from script output. */
import * as fs from "fs";
import * as path from "path";
import { validateConfigText } from "../../../config/load";
import { ClusterConfig } from "../../../config/schema";
import { KERNEL_OPTION_LIST_PATH, parseKernelOptionList } from "../../../cli/probe/kernel-options";
import { parseProbeOutput } from "../../../cli/probe/parse";
import { QUOTING_COMMAND, QUOTING_EXPECTED } from "../../../cli/probe/script";
import { KernelOption, ProbeRecord } from "../../../cli/probe/types";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const FIXTURES = path.join(ROOT, "__tests__", "fixtures", "probe");

const LOCAL = fs.readFileSync(path.join(ROOT, "clusters/local/config"), "utf8");

/** clusters/local/config with KEY=VALUE lines replaced or added. */
export function localConfig(set: Record<string, string> = {}): ClusterConfig {
  let text = LOCAL;
  for (const [k, v] of Object.entries(set)) {
    const line = new RegExp(`^${k}=.*$`, "m");
    text = line.test(text) ? text.replace(line, `${k}=${v}`) : `${text}${k}=${v}\n`;
  }
  return validateConfigText("clusters/local/config", text);
}

export function kernelOptions(): KernelOption[] {
  return parseKernelOptionList(fs.readFileSync(path.join(ROOT, KERNEL_OPTION_LIST_PATH), "utf8"));
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), "utf8");
}

/** A record of script output, as runProbe would cache it for clusters/local. */
export function recordOf(
  stdout: string,
  over: { got?: string; startMs?: number; options?: KernelOption[]; image?: string } = {},
): ProbeRecord {
  return {
    version: 1,
    takenAt: "2026-11-26T10:00:00.000Z",
    target: "local",
    org: "personal",
    region: "sjc",
    image: over.image ?? "localhost/fly-emulator-test:latest",
    probeApp: "local-probe",
    cpHost: "local-cp.internal",
    kernelOptions: over.options ?? kernelOptions(),
    facts: {
      script: parseProbeOutput(stdout),
      quoting: {
        sent: QUOTING_COMMAND,
        expected: QUOTING_EXPECTED,
        got: over.got ?? QUOTING_EXPECTED,
        exitCode: 0,
      },
      startMs: over.startMs ?? 1234,
    },
  };
}

/** What the script prints, built line by line (the keys of images/k3s-node/capabilities.sh). */
export interface FakeMachine {
  config?: "read" | "unreadable" | "none";
  modules?: string;
  /** Option values; options not named are =y. */
  options?: Record<string, string>;
  wireguard?: [string, string];
  vxlan?: [string, string];
  tools?: Record<string, [string, string]>;
  cgroup?: string[];
  mtu?: number | null;
  addresses?: string[][];
  privateIp?: string;
  dns?: string[][];
  nofile?: string;
  end?: boolean;
}

const FLY_IP = "fdaa:0:18:a7b:7d:f066:b83b:2";

/** A Debian node image on a Fly-like kernel that has everything, unless told otherwise. */
export function fakeOutput(m: FakeMachine = {}): string {
  const tab = (...f: string[]) => f.join("\t");
  const state = m.config ?? "read";
  const tools = {
    ipset: ["ok", "ipset v7.17, protocol version: 7"],
    "iptables-legacy": ["ok", "iptables v1.8.9 (legacy)"],
    "ip6tables-legacy": ["ok", "ip6tables v1.8.9 (legacy)"],
    "iptables-nft": ["ok", "iptables v1.8.9 (nf_tables)"],
    ...m.tools,
  };
  const lines = [
    tab("kernel.release", "6.1.0-fly"),
    tab("kernel.config", state, state === "none" ? "" : "/proc/config.gz"),
    ...(state === "read"
      ? [
          tab("kernel.modules", m.modules ?? ""),
          ...kernelOptions().map((o) => tab("option", o.name, m.options?.[o.name] ?? "y")),
        ]
      : []),
    tab("link", "wireguard", ...(m.wireguard ?? ["created", ""])),
    tab("link", "vxlan", ...(m.vxlan ?? ["created", ""])),
    ...Object.entries(tools).map(([k, v]) => tab("tool", k, ...v)),
    ...(m.cgroup ?? [
      tab("cgroup.fstype", "cgroup2fs"),
      tab("cgroup.controllers", "cpuset cpu io memory pids"),
    ]),
    ...(m.mtu === null ? [] : [tab("eth0.mtu", String(m.mtu ?? 1420))]),
    ...(
      m.addresses ?? [
        ["inet", "172.19.4.18/29", "global", ""],
        ["inet6", `${FLY_IP}/112`, "global", ""],
        ["inet6", "fe80::3c:1ff:fe2a:b1/64", "link", ""],
      ]
    ).map((a) => tab("eth0.addr", ...a)),
    tab("fly.private_ip", m.privateIp ?? FLY_IP),
    ...(
      m.dns ?? [
        ["local-probe.internal", "AAAA", "getent", FLY_IP],
        ["local-probe.internal", "A", "getent", ""],
        ["local-cp.internal", "AAAA", "getent", ""],
        ["local-cp.internal", "A", "getent", ""],
      ]
    ).map((d) => tab("dns", ...d)),
    tab("nofile.hard", m.nofile ?? "10240"),
    ...(m.end === false ? [] : [tab("end", "ok")]),
  ];
  return lines.join("\n") + "\n";
}
