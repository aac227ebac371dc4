/**
 * What a probe's facts mean for a cluster: one line per capability (ok,
 * missing or unknown, the detail, what the node will do), in the report's
 * order, and the reasons a deploy stops. Decided again from the cached facts
 * each time, with the config's FLANNEL_BACKEND. Pure.
 */
import { appInternalHost } from "../../config/naming";
import { FlannelBackend } from "../../config/schema";
import { kernelConfigLine, kernelOptionLine, kernelReleaseLine } from "./decide-kernel";
import { addressesLine, dnsLines, mtuLine, sixPnLine } from "./decide-eth0";
import { deviceLines, iptablesLines, ipsetLine, podNetworkLine } from "./decide-network";
import { Capability, ProbeFacts, ProbeRecord, ScriptFacts } from "./types";

/** The open-file limit k3s's own systemd unit sets, and the entrypoint asks for. */
const NOFILE_TARGET = 1048576;

/** cgroup controllers the kubelet cannot run pods without. */
const NEEDED_CONTROLLERS = ["cpu", "memory", "pids"];

function cgroupLine(f: ScriptFacts): Capability {
  const { fstype, controllers, dirs } = f.cgroup;
  const base = { name: "cgroups", required: true };
  if (fstype === "cgroup2fs" || fstype === "cgroup2") {
    const have = (controllers ?? "").split(" ").filter(Boolean);
    const lacking = NEEDED_CONTROLLERS.filter((c) => !have.includes(c));
    return lacking.length === 0
      ? {
          ...base,
          result: "ok",
          detail: `v2 (${fstype}): ${have.join(" ")}`,
          node: "the kubelet and containerd use cgroup v2",
        }
      : {
          ...base,
          result: "missing",
          detail: `v2 without ${lacking.join(", ")} (has: ${have.join(" ") || "none"})`,
          node: "the kubelet cannot limit pods: k3s fails",
        };
  }
  if (fstype === "tmpfs") {
    return {
      ...base,
      result: "ok",
      detail: `v1 (tmpfs): ${dirs ?? ""}`.trim(),
      node: "the kubelet and containerd use cgroup v1",
    };
  }
  return {
    ...base,
    result: fstype ? "unknown" : "missing",
    detail: fstype ? `/sys/fs/cgroup is ${fstype}` : "nothing mounted at /sys/fs/cgroup",
    node: fstype ? "k3s decides at start" : "containers cannot start: k3s fails",
  };
}

function quotingLine(p: ProbeFacts): Capability {
  const q = p.quoting;
  const ok = q.exitCode === 0 && q.got === q.expected;
  return {
    name: "exec arguments",
    result: ok ? "ok" : "missing",
    detail: ok
      ? `spaces and quotes arrive as sent: ${q.got}`
      : `sent ${q.expected}, got ${JSON.stringify(q.got)} (exit ${q.exitCode})`,
    node: ok
      ? "the deploy's exec steps (join token, decision file) get their arguments as sent"
      : "the deploy's exec steps would get other arguments than they send: deploy refused",
    required: true,
  };
}

function nofileLine(f: ScriptFacts): Capability {
  const v = f.nofileHard;
  const n = Number(v);
  const known = v === "unlimited" || /^\d+$/.test(v);
  return {
    name: "open files (hard)",
    result: known ? "ok" : "unknown",
    detail: known ? v : "not readable",
    node:
      v === "unlimited" || n >= NOFILE_TARGET
        ? `keeps it (at least ${NOFILE_TARGET})`
        : `raises it to ${NOFILE_TARGET} at boot; without CAP_SYS_RESOURCE keeps ${known ? v : "it"}`,
    required: false,
  };
}

function startLine(p: ProbeFacts): Capability {
  return {
    name: "machine start",
    result: "ok",
    detail: `${(p.startMs / 1000).toFixed(1)} s from create to started`,
    node: "a new node takes about this long before its entrypoint runs (image pull included)",
    required: false,
  };
}

/** Every line of the report for this record and backend. */
export function decideCapabilities(record: ProbeRecord, backend: FlannelBackend): Capability[] {
  const p = record.facts;
  const f = p.script;
  return [
    kernelReleaseLine(f),
    kernelConfigLine(f),
    podNetworkLine(f, backend),
    ...deviceLines(f, backend),
    ...iptablesLines(f),
    ipsetLine(f),
    cgroupLine(f),
    mtuLine(f, backend),
    addressesLine(f),
    sixPnLine(f),
    ...dnsLines(f, appInternalHost(record.probeApp), record.cpHost),
    quotingLine(p),
    nofileLine(f),
    startLine(p),
    ...record.kernelOptions.map((o) => kernelOptionLine(f, o)),
  ];
}

/** Why a deploy stops: each required capability that is missing, with what the node does. */
export function refusals(capabilities: readonly Capability[]): string[] {
  return capabilities
    .filter((c) => c.required && c.result === "missing")
    .map((c) => `${c.name}: ${c.detail}: ${c.node}`);
}
