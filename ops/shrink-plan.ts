/**
 * Which workers a deploy is about to destroy, pure: the worker machines the
 * state holds but the synthesized stack no longer declares (NODE_GROUP_SIZE
 * lowered, or a node group removed by `./k3s.sh -r`), highest index first, so
 * a group shrinks from its end; and the servers, bootstrap first, whose k3s
 * can drain them. ops/shrink.ts drains them before the apply.
 */
import { imageRunsK3s, machineInternalName, workerMachineName } from "../config/naming";
import { MACHINE_GONE, stateIn } from "../contract/fly-states";
import { ShowState, StateResource, stateResources } from "../contract/tofu-state";
import { Declared } from "./declared";
import { NodeList, nodeWithIp } from "./nodes";

/** A worker machine in the state that the stack no longer declares. */
export interface GoingWorker {
  readonly address: string;
  readonly app: string;
  readonly id: string;
  readonly name: string;
  readonly group: string;
  readonly index: number;
  readonly privateIp: string;
  readonly image: string;
  /** Its image runs k3s, so it is (or was) a Kubernetes node to drain. */
  readonly runsK3s: boolean;
}

const env = (r: StateResource) => (r.values.env ?? {}) as Record<string, string | undefined>;

/** The group and index of a worker machine name (`worker-ng-<id>-<i>`), if it is one. Pure. */
export function workerOf(name: string): { group: string; index: number } | undefined {
  const m = /^worker-ng-([a-z0-9]+)-(\d+)$/.exec(name);
  if (!m) return undefined;
  const index = Number(m[2]);
  return workerMachineName(m[1], index) === name ? { group: m[1], index } : undefined;
}

/**
 * The worker machines of `show` that `declared` no longer holds (by resource
 * address), Fly's destroyed ones left out, ordered by app and then highest
 * index first. Servers are never in it. Pure.
 */
export function goingWorkers(show: ShowState, declared: Declared): GoingWorker[] {
  const kept = new Set(declared.machines.map((m) => m.address));
  return stateResources(show)
    .filter((r) => r.type === "fly_machine" && !kept.has(r.address))
    .filter((r) => env(r).K3S_ROLE !== "server" && !stateIn(MACHINE_GONE, r.values.state))
    .flatMap((r) => {
      const name = String(r.values.name ?? "");
      const w = workerOf(name);
      if (!w) return [];
      const image = String(r.values.image ?? "");
      return [
        {
          address: r.address,
          app: String(r.values.app ?? ""),
          id: String(r.values.id ?? ""),
          name,
          ...w,
          privateIp: String(r.values.private_ip ?? ""),
          image,
          runsK3s: imageRunsK3s(image),
        },
      ];
    })
    .sort((a, b) => a.app.localeCompare(b.app) || b.index - a.index);
}

/** A server machine of the state, whose k3s may answer for the nodes. */
export interface StateServer {
  readonly app: string;
  readonly id: string;
  readonly name: string;
}

/** The server machines of `show`, the bootstrap server first, then by name. Pure. */
export function stateServers(show: ShowState): StateServer[] {
  return stateResources(show)
    .filter((r) => r.type === "fly_machine" && env(r).K3S_ROLE === "server")
    .filter((r) => !stateIn(MACHINE_GONE, r.values.state))
    .map((r) => ({
      app: String(r.values.app ?? ""),
      id: String(r.values.id ?? ""),
      name: String(r.values.name ?? ""),
      bootstrap: env(r).K3S_BOOTSTRAP === "true",
    }))
    .sort((a, b) => Number(b.bootstrap) - Number(a.bootstrap) || a.name.localeCompare(b.name))
    .map(({ app, id, name }) => ({ app, id, name }));
}

/**
 * The Kubernetes node of a going worker: the node with its 6PN address, else
 * the node named after its machine (`<id>.vm.<app>.internal`, the name a node
 * registers as) when its address changed; undefined when there is none. Pure.
 */
export function goingNode(
  nodes: NodeList,
  w: GoingWorker,
): { readonly name: string; readonly ready: boolean } | undefined {
  const byName = machineInternalName(w.app, w.id);
  const node =
    (w.privateIp ? nodeWithIp(nodes, w.privateIp) : undefined) ??
    nodes.items.find((n) => n.metadata.name === byName);
  if (!node) return undefined;
  const ready = node.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  return { name: node.metadata.name, ready: ready === true };
}

/** The line that says a worker goes. Pure. */
export function goingLine(w: GoingWorker): string {
  return (
    `machine ${w.name} of ${w.app} is no longer declared (NODE_GROUP_SIZE lowered, or node ` +
    `group ${w.group} removed): the apply destroys it and its volume`
  );
}
