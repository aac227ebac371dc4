/**
 * What a probe finds (the facts, as images/k3s-node/capabilities.sh and the
 * CLI measured them) and what they mean for a node (the capabilities). Only
 * the facts are cached: what they mean is decided again from the cluster's
 * config each time, so a changed FLANNEL_BACKEND needs no new probe. Pure.
 */

/** One option of images/k3s-node/kernel/k3s-fly.config. */
export interface KernelOption {
  readonly name: string;
  readonly required: boolean;
  readonly reason: string;
}

/** How `ip link add … type <kind>` went: created (then removed), failed, or not tried. */
export interface LinkTry {
  readonly state: "created" | "failed" | "untried";
  readonly message: string;
}

/** How a userspace tool went against this kernel: ok, failed, or absent from the image. */
export interface ToolTry {
  readonly state: "ok" | "failed" | "absent";
  readonly message: string;
}

export interface Eth0Address {
  readonly family: "inet" | "inet6";
  /** As `ip addr` prints it: `ADDRESS/PREFIX`. */
  readonly address: string;
  readonly scope: string;
  readonly flags: readonly string[];
}

export interface DnsAnswer {
  readonly name: string;
  readonly type: "AAAA" | "A";
  /** The resolver tool used; `none` when the image has none. */
  readonly tool: string;
  readonly answers: readonly string[];
}

/** What the script printed, parsed (cli/probe/parse.ts). */
export interface ScriptFacts {
  readonly kernelRelease: string;
  readonly kernelConfig: { readonly state: "read" | "unreadable" | "none"; readonly path: string };
  /** CONFIG_MODULES, when the config was read. */
  readonly kernelModules?: string;
  /** Option name → value (`""`: not set); empty when the config was not read. */
  readonly options: Readonly<Record<string, string>>;
  readonly links: Readonly<Record<string, LinkTry>>;
  readonly tools: Readonly<Record<string, ToolTry>>;
  readonly cgroup: {
    readonly fstype: string;
    readonly controllers?: string;
    readonly dirs?: string;
  };
  readonly eth0: { readonly mtu?: number; readonly addresses: readonly Eth0Address[] };
  readonly flyPrivateIp: string;
  readonly dns: readonly DnsAnswer[];
  readonly nofileHard: string;
}

/** What a second exec's argv came back as, compared with what was sent. */
export interface QuotingFacts {
  readonly sent: readonly string[];
  readonly expected: string;
  readonly got: string;
  readonly exitCode: number;
}

/** Everything one probe found: the script's facts and what the CLI measured. */
export interface ProbeFacts {
  readonly script: ScriptFacts;
  readonly quoting: QuotingFacts;
  /** Milliseconds from the create request to the machine reported `started`. */
  readonly startMs: number;
}

/** A probe as it is cached: per org, region and image, with when it was taken. */
export interface ProbeRecord {
  readonly version: 1;
  /** ISO 8601. */
  readonly takenAt: string;
  readonly target: "fly" | "local";
  readonly org: string;
  readonly region: string;
  readonly image: string;
  /** The throwaway app and the control-plane name the script resolved. */
  readonly probeApp: string;
  readonly cpHost: string;
  /** The kernel option list the probe checked, as it was then. */
  readonly kernelOptions: readonly KernelOption[];
  readonly facts: ProbeFacts;
}

export type Outcome = "ok" | "missing" | "unknown";

/** One line of the report. */
export interface Capability {
  readonly name: string;
  readonly result: Outcome;
  readonly detail: string;
  /** What the node will do about it. */
  readonly node: string;
  /** A missing required capability stops a deploy (cli/probe/gate.ts). */
  readonly required: boolean;
}

/** A probe and what it means for one cluster's config. */
export interface ProbeResult {
  readonly record: ProbeRecord;
  readonly flannelBackend: string;
  readonly capabilities: readonly Capability[];
  /** Why a deploy would be stopped (empty: it would not). */
  readonly refusals: readonly string[];
  /** Where the record was cached. */
  readonly cacheFile?: string;
}
