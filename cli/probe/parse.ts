/**
 * Reads what images/k3s-node/capabilities.sh printed: one fact per line,
 * `KEY<TAB>FIELD…` (the keys are listed at the top of the script). Unknown
 * keys are skipped, so an older CLI reads a newer script. Pure.
 */
import { DnsAnswer, Eth0Address, LinkTry, ScriptFacts, ToolTry } from "./types";

const LINK_STATES = ["created", "failed", "untried"] as const;
const TOOL_STATES = ["ok", "failed", "absent"] as const;
const CONFIG_STATES = ["read", "unreadable", "none"] as const;

function oneOf<T extends string>(allowed: readonly T[], value: string, what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${what}: ${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
}

const words = (s: string | undefined): string[] => (s ?? "").split(" ").filter(Boolean);

/** The script's facts; throws when the output stops before its `end` line. */
export function parseProbeOutput(stdout: string): ScriptFacts {
  let kernelRelease = "";
  let kernelConfig: ScriptFacts["kernelConfig"] = { state: "none", path: "" };
  let kernelModules: string | undefined;
  const options: Record<string, string> = {};
  const links: Record<string, LinkTry> = {};
  const tools: Record<string, ToolTry> = {};
  const cgroup: { fstype: string; controllers?: string; dirs?: string } = { fstype: "" };
  let mtu: number | undefined;
  const addresses: Eth0Address[] = [];
  let flyPrivateIp = "";
  const dns: DnsAnswer[] = [];
  let nofileHard = "";
  let ended = false;

  stdout.split("\n").forEach((line, i) => {
    if (line === "") return;
    const [key, ...f] = line.split("\t");
    const where = `capability line ${i + 1} (${JSON.stringify(line)})`;
    switch (key) {
      case "kernel.release":
        kernelRelease = f[0] ?? "";
        break;
      case "kernel.config":
        kernelConfig = { state: oneOf(CONFIG_STATES, f[0] ?? "", where), path: f[1] ?? "" };
        break;
      case "kernel.modules":
        kernelModules = f[0] ?? "";
        break;
      case "option":
        options[f[0] ?? ""] = f[1] ?? "";
        break;
      case "link":
        links[f[0] ?? ""] = { state: oneOf(LINK_STATES, f[1] ?? "", where), message: f[2] ?? "" };
        break;
      case "tool":
        tools[f[0] ?? ""] = { state: oneOf(TOOL_STATES, f[1] ?? "", where), message: f[2] ?? "" };
        break;
      case "cgroup.fstype":
        cgroup.fstype = f[0] ?? "";
        break;
      case "cgroup.controllers":
        cgroup.controllers = f[0] ?? "";
        break;
      case "cgroup.dirs":
        cgroup.dirs = f[0] ?? "";
        break;
      case "eth0.mtu":
        mtu = /^\d+$/.test(f[0] ?? "") ? Number(f[0]) : undefined;
        break;
      case "eth0.addr":
        addresses.push({
          family: oneOf(["inet", "inet6"] as const, f[0] ?? "", where),
          address: f[1] ?? "",
          scope: f[2] ?? "",
          flags: words(f[3]),
        });
        break;
      case "fly.private_ip":
        flyPrivateIp = f[0] ?? "";
        break;
      case "dns":
        dns.push({
          name: f[0] ?? "",
          type: oneOf(["AAAA", "A"] as const, f[1] ?? "", where),
          tool: f[2] ?? "none",
          answers: words(f[3]),
        });
        break;
      case "nofile.hard":
        nofileHard = f[0] ?? "";
        break;
      case "end":
        ended = true;
        break;
      default:
      // a newer script's fact: skipped
    }
  });
  if (!ended) {
    throw new Error(
      "the capability script stopped before its last line (no `end`): its output was cut short",
    );
  }
  return {
    kernelRelease,
    kernelConfig,
    ...(kernelModules === undefined ? {} : { kernelModules }),
    options,
    links,
    tools,
    cgroup,
    eth0: { ...(mtu === undefined ? {} : { mtu }), addresses },
    flyPrivateIp,
    dns,
    nofileHard,
  };
}
