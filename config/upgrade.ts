/**
 * Whether a K3S_VERSION may be deployed over the versions the machines run,
 * and in which order they roll to it. Pure: what runs comes from the
 * Terraform state (contract/tofu-state.ts `runningNodes`); `npm run check`
 * has no state, so it checks only the floor (config/k3s-flags.ts).
 *
 * The rules are Kubernetes' version skew policy (kubernetes/website
 * content/en/releases/version-skew-policy.md): the newest and oldest
 * kube-apiserver of an HA cluster are within one minor version; a kubelet is
 * never newer than kube-apiserver; kube-apiserver does not skip minor versions
 * when upgrading, and kubelets are upgraded after the API servers they talk
 * to. The policy gives an upgrade order only, no downgrade path, so any lower
 * release (minor, patch or k3s build) is refused. k3s's upgrade docs say the
 * same (k3s-io/docs docs/upgrades/manual.md: servers first, one at a time,
 * then agents; do not skip intermediate minor versions).
 */
import { CURRENT_K3S_RELEASE, K3sVersion, parseK3sVersion } from "./k3s-flags";

/** A machine of the cluster as the state records it. */
export interface RunningNode {
  /** Machine name: `ctrl-<i>`, `worker-ng-<id>-<i>`. */
  readonly machine: string;
  readonly app: string;
  /** The K3S_VERSION the machine was last rolled to, as written. */
  readonly version: string;
  readonly role: "server" | "agent";
  /** The bootstrap server: the stack rolls it before the other servers. */
  readonly bootstrap: boolean;
}

/** A version change the deploy would roll, in its order. */
export interface Upgrade {
  /** The versions the machines that roll run now, oldest first. */
  readonly from: readonly string[];
  readonly to: string;
  /** Whether any machine changes Kubernetes minor version (drain before a kubelet's restart). */
  readonly minor: boolean;
  /** Servers, one at a time: the bootstrap server first, then by name. */
  readonly servers: readonly RunningNode[];
  /** Then each node group's workers, by app, each by name. */
  readonly workers: readonly { readonly app: string; readonly nodes: readonly RunningNode[] }[];
}

export interface UpgradeCheck {
  /** Why the deploy must not roll K3S_VERSION (messages for its config line); empty: go ahead. */
  readonly problems: readonly string[];
  /** What is worth saying but not refusing: an upgrade stopped half-way, versions not understood. */
  readonly notes: readonly string[];
  /** The version change, when a machine runs another release; undefined: nothing to roll. */
  readonly upgrade?: Upgrade;
}

/** Orders two releases: negative when `a` is older. Pure. */
export function compareK3s(a: K3sVersion, b: K3sVersion): number {
  return a.minor - b.minor || a.patch - b.patch || a.build - b.build;
}

const byName = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });

/** "ctrl-0, ctrl-1" or "ctrl-0 and 3 more": machines named in a message. Pure. */
function names(nodes: readonly RunningNode[]): string {
  const n = [...nodes].map((x) => x.machine).sort(byName);
  return n.length <= 6 ? n.join(", ") : `${n.slice(0, 5).join(", ")} and ${n.length - 5} more`;
}

/** "ctrl-0 runs v1.36.3+k3s1; ctrl-1, ctrl-2 run v1.35.2+k3s1", newest first. Pure. */
function whoRunsWhat(nodes: readonly Parsed[]): string {
  const versions = [...new Set(nodes.map((n) => n.node.version))]
    .map((v) => nodes.find((n) => n.node.version === v) as Parsed)
    .sort((a, b) => compareK3s(b.v, a.v));
  return versions
    .map((r) => {
      const on = nodes.filter((n) => n.node.version === r.node.version).map((n) => n.node);
      return `${names(on)} ${on.length === 1 ? "runs" : "run"} ${r.node.version}`;
    })
    .join("; ");
}

interface Parsed {
  readonly node: RunningNode;
  readonly v: K3sVersion;
}

/** A release of minor `minor` to name in advice: one that runs, the project's, or `.0+k3s1`. */
function exampleRelease(minor: number, running: readonly Parsed[]): string {
  const on = running.filter((r) => r.v.minor === minor).sort((a, b) => compareK3s(b.v, a.v));
  if (on.length > 0) return on[0].node.version;
  const current = parseK3sVersion(CURRENT_K3S_RELEASE);
  return current?.minor === minor ? CURRENT_K3S_RELEASE : `v1.${minor}.0+k3s1`;
}

/**
 * Checks `configured` (K3S_VERSION) against what the machines run. Pure.
 * - no machine yet (a new cluster): fine, nothing to roll;
 * - every machine on `configured`: fine, nothing to roll;
 * - a newer patch or k3s build, or the next minor: fine; the servers roll one
 *   at a time, then the workers;
 * - older than what any machine runs (minor, patch or k3s build): refused;
 * - more than one minor above the oldest machine: refused, naming the minor
 *   to deploy first;
 * - machines on two minors (an upgrade stopped half-way): said; the deploy
 *   may continue it, to that newer minor only.
 */
export function upgradeProblems(configured: string, running: readonly RunningNode[]): UpgradeCheck {
  const c = parseK3sVersion(configured);
  if (!c)
    return { problems: [`must be a k3s release such as "${CURRENT_K3S_RELEASE}"`], notes: [] };
  const notes: string[] = [];
  const parsed: Parsed[] = [];
  for (const node of running) {
    const v = parseK3sVersion(node.version);
    if (v) parsed.push({ node, v });
    else
      notes.push(
        `${node.app}/${node.machine} runs K3S_VERSION ${JSON.stringify(node.version)}, not a k3s release; it is not checked`,
      );
  }
  if (parsed.length === 0) return { problems: [], notes };

  const sorted = [...parsed].sort((a, b) => compareK3s(a.v, b.v));
  const oldest = sorted[0];
  const newest = sorted[sorted.length - 1];
  const problems: string[] = [];
  const spread = newest.v.minor - oldest.v.minor;

  if (spread >= 2) {
    problems.push(
      `the machines run Kubernetes versions more than one minor apart (${whoRunsWhat(parsed)}), ` +
        `outside Kubernetes' version skew policy, and no single K3S_VERSION steps them through: ` +
        `bring the machines on v1.${oldest.v.minor} to v1.${oldest.v.minor + 1} by hand first`,
    );
    return { problems, notes };
  }
  const newer = parsed.filter((p) => compareK3s(p.v, c) > 0);
  if (newer.length > 0) {
    problems.push(
      `${configured} is older than ${newest.node.version}, which ${names(newer.map((p) => p.node))} ` +
        `${newer.length === 1 ? "runs" : "run"}: Kubernetes has no downgrade path (its version ` +
        `skew policy gives an upgrade order only), so the deploy does not roll machines back; ` +
        `set K3S_VERSION="${newest.node.version}" or a newer release (going back means restoring ` +
        `an etcd snapshot taken before the upgrade, by hand)`,
    );
  }
  const behind = parsed.filter((p) => c.minor > p.v.minor + 1);
  if (behind.length > 0) {
    const step = oldest.v.minor + 1;
    const example = exampleRelease(step, parsed);
    const half = spread === 1 ? ` (an upgrade stopped half-way: ${whoRunsWhat(parsed)})` : "";
    const first =
      spread === 1
        ? `finish the upgrade to v1.${step} first: set K3S_VERSION="${example}" and deploy`
        : `deploy a v1.${step} release first (e.g. K3S_VERSION="${example}")`;
    problems.push(
      `${configured} skips Kubernetes 1.${step}: ${names(behind.map((p) => p.node))} ` +
        `${behind.length === 1 ? "runs" : "run"} v1.${oldest.v.minor}${half}, and Kubernetes ` +
        `upgrades one minor version at a time (version skew policy: kube-apiserver must not skip ` +
        `minor versions); ${first}, then ${configured}`,
    );
  }
  if (problems.length > 0) return { problems, notes };

  if (spread === 1) {
    const servers = parsed.filter((p) => p.node.role === "server");
    const oldestServer = Math.min(...servers.map((p) => p.v.minor));
    const ahead = parsed.filter((p) => p.node.role === "agent" && p.v.minor > oldestServer);
    notes.push(
      `an earlier upgrade stopped half-way: ${whoRunsWhat(parsed)}; this deploy continues it ` +
        `to ${configured} (Kubernetes 1.${c.minor}), one minor version only` +
        (ahead.length > 0
          ? `. ${names(ahead.map((p) => p.node))} already ${ahead.length === 1 ? "runs" : "run"} ` +
            `a kubelet newer than a server's API server, outside the version skew policy until ` +
            `the servers are upgraded`
          : ""),
    );
  }

  const rolling = parsed.filter((p) => compareK3s(p.v, c) !== 0);
  if (rolling.length === 0) return { problems, notes };
  const from = [
    ...new Set(rolling.sort((a, b) => compareK3s(a.v, b.v)).map((p) => p.node.version)),
  ];
  const servers = rolling
    .map((p) => p.node)
    .filter((n) => n.role === "server")
    .sort((a, b) => Number(b.bootstrap) - Number(a.bootstrap) || byName(a.machine, b.machine));
  const apps = [...new Set(rolling.filter((p) => p.node.role === "agent").map((p) => p.node.app))];
  const workers = apps.sort(byName).map((app) => ({
    app,
    nodes: rolling
      .map((p) => p.node)
      .filter((n) => n.role === "agent" && n.app === app)
      .sort((a, b) => byName(a.machine, b.machine)),
  }));
  const upgrade: Upgrade = {
    from,
    to: configured,
    minor: rolling.some((p) => p.v.minor !== c.minor),
    servers,
    workers,
  };
  return { problems, notes, upgrade };
}

/**
 * The upgrade as `--plan` shows it: the versions, then the order. Pure.
 *   upgrade v1.35.2+k3s1 → v1.36.3+k3s1 (Kubernetes 1.35 → 1.36), in this order:
 *     1. a fresh etcd snapshot (pre-upgrade-<version>, on the bootstrap server)
 *     2. servers, one at a time: ctrl-0 (bootstrap), ctrl-1, ctrl-2
 *     3. workers of app x-ng-0: worker-ng-0-0, worker-ng-0-1 (...)
 */
export function upgradeLines(u: Upgrade): string[] {
  const fromMinors = [...new Set(u.from.map((f) => parseK3sVersion(f)?.minor))];
  const to = parseK3sVersion(u.to);
  const what = u.minor
    ? `Kubernetes ${fromMinors.map((m) => `1.${m}`).join(", ")} → 1.${to?.minor}`
    : "patch release";
  const lines = [`upgrade ${u.from.join(", ")} → ${u.to} (${what}), in this order:`];
  let step = 1;
  lines.push(
    `  ${step++}. a fresh etcd snapshot, pre-upgrade-<version>, taken on the bootstrap server by the deploy; no machine rolls without it`,
  );
  if (u.servers.length > 0) {
    const s = u.servers.map((n) => (n.bootstrap ? `${n.machine} (bootstrap)` : n.machine));
    lines.push(
      `  ${step++}. servers, one at a time, each Ready with etcd healthy before the next: ${s.join(", ")}`,
    );
  }
  for (const g of u.workers) {
    const drain = "; each one cordoned and drained before its restart, uncordoned once Ready";
    lines.push(
      `  ${step++}. workers of ${g.app}, a quarter of the group at a time (at least one), each Ready before the next in its lane: ` +
        `${g.nodes.map((n) => n.machine).join(", ")}${drain}`,
    );
  }
  return lines;
}
