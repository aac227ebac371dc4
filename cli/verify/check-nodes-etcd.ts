/**
 * The checks of the servers' view: every machine is a Ready node at its 6PN
 * address (1), and etcd has one started voting member per server, readable
 * through each (2). Pure.
 */
import { CONTROL_PLANE_COUNT } from "../../config/naming";
import { MEANINGS, MachineFacts, VerifyLine, line, plural } from "./checks";
import { Answer, EtcdMember, NodeFacts, canonicalIp, readyzOk, said, urlHostOf } from "./parse";

/** 1. Every started machine is a Ready node whose first InternalIP is its 6PN address; no stray node. */
export function checkNodes(
  machines: readonly MachineFacts[],
  nodes: readonly NodeFacts[],
): VerifyLine {
  const started = machines.filter((m) => m.state === "started");
  const problems: string[] = [];
  for (const m of machines.filter((x) => x.state !== "started")) {
    problems.push(`${m.name} is ${m.state}`);
  }
  for (const m of started) {
    const n = nodes.find((x) => x.name === m.node);
    if (!n) {
      problems.push(`${m.name} has no node ${m.node}`);
      continue;
    }
    const wrong: string[] = [];
    const first = n.internalIps[0];
    if (!n.ready) wrong.push("NotReady");
    if (!first) wrong.push("no InternalIP");
    else if (canonicalIp(first) !== canonicalIp(m.privateIp))
      wrong.push(`first InternalIP ${first} but the machine is at ${m.privateIp}`);
    if (wrong.length) problems.push(`${m.name} ${wrong.join(", ")}`);
  }
  for (const n of nodes) {
    if (!machines.some((m) => m.node === n.name))
      problems.push(`node ${n.name} belongs to no machine${n.ready ? "" : " (NotReady)"}`);
  }
  return line(
    "nodes",
    problems,
    `${plural(started.length, "node")} Ready, each at its machine's 6PN address`,
    MEANINGS.nodes,
  );
}

/** What names a member's node: k3s names a member `<node name>-<8 hex>` (pkg/etcd/etcd.go setName). */
export function memberNode(memberName: string): string {
  const at = memberName.lastIndexOf("-");
  return at > 0 ? memberName.slice(0, at) : memberName;
}

/** k3s's annotations on a server's node: its member's name and address (pkg/etcd/metadata_controller.go). */
export const ETCD_NAME_ANNOTATION = "etcd.k3s.cattle.io/node-name";
export const ETCD_ADDRESS_ANNOTATION = "etcd.k3s.cattle.io/node-address";

interface MemberView {
  readonly name: string;
  readonly host?: string;
  readonly started: boolean;
  readonly learner: boolean;
  readonly shown: string;
}

/**
 * 2a. etcd has exactly three started voting members, one per server, each
 * advertising that server's current 6PN address. From etcd's member list when
 * it could be read; otherwise from the annotations each server puts on its own
 * node (its member's name and address at its last start), and the line says so.
 */
export function checkEtcdMembers(input: {
  readonly servers: readonly MachineFacts[];
  readonly members?: readonly EtcdMember[];
  /** Why the member list could not be read, when it could not. */
  readonly listWhy?: string;
  readonly nodes: readonly NodeFacts[];
}): VerifyLine {
  const views: MemberView[] = input.members
    ? input.members.map((m) => ({
        name: m.name,
        host: m.peerUrls.map(urlHostOf).find((h) => h !== undefined),
        started: m.name !== "" && m.clientUrls.length > 0,
        learner: m.isLearner,
        shown: m.name || `member ${m.id} (${m.peerUrls.join(", ") || "no peer URL"})`,
      }))
    : input.nodes
        .filter((n) => n.annotations[ETCD_NAME_ANNOTATION])
        .map((n) => ({
          name: n.annotations[ETCD_NAME_ANNOTATION],
          host: n.annotations[ETCD_ADDRESS_ANNOTATION],
          started: true,
          learner: false,
          shown: n.annotations[ETCD_NAME_ANNOTATION],
        }));
  const problems: string[] = [];
  let stale = false;
  const seen = new Set<string>();
  for (const v of views) {
    if (!v.started) {
      problems.push(`${v.shown} not started`);
      continue;
    }
    if (v.learner) problems.push(`${v.shown} is a learner (not voting yet)`);
    const server = input.servers.find((s) => s.node === memberNode(v.name));
    if (!server) {
      problems.push(`${v.shown} belongs to no server machine`);
      continue;
    }
    seen.add(server.name);
    if (!v.host) problems.push(`${v.shown} has no peer address`);
    else if (canonicalIp(v.host) !== canonicalIp(server.privateIp)) {
      stale = true;
      problems.push(
        `${server.name}'s member at ${v.host}, machine now at ${server.privateIp} (renumbered)`,
      );
    }
  }
  for (const s of input.servers) if (!seen.has(s.name)) problems.push(`${s.name} has no member`);
  const started = views.filter((v) => v.started && !v.learner).length;
  if (started !== CONTROL_PLANE_COUNT)
    problems.unshift(`${started} started voting members, want ${CONTROL_PLANE_COUNT}`);
  const source = input.members
    ? ""
    : ` (member list unreadable: ${input.listWhy ?? "no answer"}; from the servers' node annotations)`;
  const detail = (text: string) => `${text}${source}`;
  return problems.length === 0
    ? {
        check: "etcd-members",
        status: "pass",
        detail: detail(`${CONTROL_PLANE_COUNT} started members, each at its server's 6PN address`),
      }
    : {
        check: "etcd-members",
        status: "fail",
        detail: detail(problems.join("; ")),
        meaning: stale ? MEANINGS.etcdStale : MEANINGS.etcdMembers,
      };
}

/** 2b. `/readyz/etcd` answers `ok` through every server. */
export function checkEtcdReadyz(
  servers: readonly MachineFacts[],
  answers: ReadonlyMap<string, Answer>,
): VerifyLine {
  const problems: string[] = [];
  for (const s of servers) {
    const a = answers.get(s.name);
    if (!a) problems.push(`${s.name} not asked`);
    else if (!readyzOk(a)) problems.push(`${s.name}: ${said(a)}`);
  }
  return line(
    "etcd-readyz",
    problems,
    `ok through ${servers.map((s) => s.name).join(", ")}`,
    MEANINGS.etcdReadyz,
  );
}
