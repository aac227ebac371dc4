/**
 * Readers of what each `--verify` command prints (commands.ts): what an
 * exec answered, and the JSON of kubectl and etcd (parse-net.ts reads the
 * network tools). Each returns the facts it read, or undefined when the text
 * is not what the command prints; none decides pass or fail (the check-*.ts
 * files do). Pure.
 */
import type { ExecAnswer } from "../../ops/exec";
import * as ipaddr from "ipaddr.js";

/** What one exec answered, or why there was no answer (the ops layer's shape). */
export type Answer = ExecAnswer;

/** An answer's first meaningful line, for messages. */
export function said(a: Answer): string {
  if (!a.answered) return a.why;
  const text = `${a.stderr}\n${a.stdout}`.split("\n").find((l) => l.trim() !== "");
  return (text ?? "").trim() || `exit ${a.exitCode}, no output`;
}

/** The same address in one spelling (lowercase, zeros compressed), or the input when it is none. */
export function canonicalIp(ip: string): string {
  try {
    return ipaddr.parse(ip).toString();
  } catch {
    return ip.toLowerCase();
  }
}

/**
 * Whether an exec of `k3s --version` says the binary is not there: the shell
 * convention (126 not executable, 127 not found) or the runtime's own words
 * (runc/crun "executable file not found", Fly's init "no such file").
 */
export function k3sMissing(a: Answer): boolean {
  if (!a.answered || a.exitCode === 0) return false;
  if (a.exitCode === 126 || a.exitCode === 127) return true;
  return /executable file not found|no such file or directory|not found/i.test(
    `${a.stderr}\n${a.stdout}`,
  );
}

/** The fields read of a core/v1 Node. */
export interface NodeFacts {
  readonly name: string;
  readonly ready: boolean;
  /** status.addresses of type InternalIP, in order (the first is the node-ip's first family). */
  readonly internalIps: readonly string[];
  readonly podCidrs: readonly string[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

interface RawNode {
  metadata?: {
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: {
    addresses?: { type?: string; address?: string }[];
    conditions?: { type?: string; status?: string }[];
  };
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `k3s kubectl get nodes -o json` (a List of core/v1 Node). */
export function parseNodes(stdout: string): NodeFacts[] | undefined {
  const list = json(stdout) as { items?: RawNode[] } | undefined;
  if (!list || !Array.isArray(list.items)) return undefined;
  return list.items.map((n) => ({
    name: n.metadata?.name ?? "",
    ready: (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    internalIps: (n.status?.addresses ?? [])
      .filter((a) => a.type === "InternalIP" && a.address)
      .map((a) => a.address as string),
    podCidrs: n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : []),
    annotations: n.metadata?.annotations ?? {},
    labels: n.metadata?.labels ?? {},
  }));
}

/** The body of `/readyz/etcd` is exactly `ok` when healthy (k8s.io/apiserver healthz.go). */
export function readyzOk(a: Answer): boolean {
  return a.answered && a.exitCode === 0 && a.stdout.trim() === "ok";
}

/** An etcd member as the gRPC gateway prints it (etcdserverpb.Member, proto field names). */
export interface EtcdMember {
  readonly id: string;
  /** Empty until the member has started (etcd names it at its first start). */
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

/** `POST /v3/cluster/member/list` through the gateway (and etcdctl's `-w json`, whose ID is a number). */
export function parseMembers(stdout: string): EtcdMember[] | undefined {
  const r = json(stdout) as
    | {
        members?: {
          ID?: string | number;
          name?: string;
          peerURLs?: string[];
          clientURLs?: string[];
          isLearner?: boolean;
        }[];
      }
    | undefined;
  if (!r || !Array.isArray(r.members)) return undefined;
  return r.members.map((m) => ({
    id: String(m.ID ?? ""),
    name: m.name ?? "",
    peerUrls: m.peerURLs ?? [],
    clientUrls: m.clientURLs ?? [],
    isLearner: m.isLearner === true,
  }));
}

/** The host of a URL such as `https://[fdaa::2]:2380`, without brackets. */
export function urlHostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return undefined;
  }
}

/** The fields read of a core/v1 Pod. */
export interface PodFacts {
  readonly name: string;
  readonly node: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly ips: readonly string[];
  readonly component: string;
}

/** `kubectl get pods -o json` (a List of core/v1 Pod). */
export function parsePods(stdout: string): PodFacts[] | undefined {
  const list = json(stdout) as
    | {
        items?: {
          metadata?: { name?: string; labels?: Record<string, string> };
          spec?: { nodeName?: string };
          status?: {
            phase?: string;
            podIPs?: { ip?: string }[];
            podIP?: string;
            conditions?: { type?: string; status?: string }[];
          };
        }[];
      }
    | undefined;
  if (!list || !Array.isArray(list.items)) return undefined;
  return list.items.map((p) => {
    const ips = (p.status?.podIPs ?? []).map((x) => x.ip ?? "").filter(Boolean);
    return {
      name: p.metadata?.name ?? "",
      node: p.spec?.nodeName ?? "",
      phase: p.status?.phase ?? "",
      ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
      ips: ips.length > 0 ? ips : p.status?.podIP ? [p.status.podIP] : [],
      component: p.metadata?.labels?.["app.kubernetes.io/component"] ?? "",
    };
  });
}

/** A ClusterIP Service's addresses. */
export interface ServiceFacts {
  readonly name: string;
  readonly clusterIps: readonly string[];
}

/** `kubectl get services -o json` (a List of core/v1 Service). */
export function parseServices(stdout: string): ServiceFacts[] | undefined {
  const list = json(stdout) as
    { items?: { metadata?: { name?: string }; spec?: { clusterIPs?: string[] } }[] } | undefined;
  if (!list || !Array.isArray(list.items)) return undefined;
  return list.items.map((s) => ({
    name: s.metadata?.name ?? "",
    clusterIps: s.spec?.clusterIPs ?? [],
  }));
}

/** Where a local-path PersistentVolume keeps its data on the node (`hostPath` or `local`). */
export function parseVolumePath(stdout: string): string | undefined {
  const pv = json(stdout) as
    { spec?: { hostPath?: { path?: string }; local?: { path?: string } } } | undefined;
  return pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
}
