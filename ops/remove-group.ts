/**
 * What `./k3s.sh -r GROUP` reads and says, pure: a node group's apps,
 * machines and volumes in a state (what the removal destroys, and what a
 * re-run finds left), and its messages. The removal itself is a deploy of the
 * stack without the group (cli/verbs/remove.ts): ops/shrink.ts drains and
 * deletes the group's nodes before the apply destroys the rest.
 */
import { ShowState, stateResources } from "../contract/tofu-state";

/** A node group's resources in a state, as addresses. */
export interface GroupResources {
  readonly apps: readonly string[];
  readonly machines: readonly string[];
  readonly volumes: readonly string[];
}

/** The apps, machines and volumes of app `app` in a state. Pure. */
export function groupResources(show: ShowState | undefined, app: string): GroupResources {
  const of = (type: string, key: "name" | "app") =>
    stateResources(show)
      .filter((r) => r.type === type && r.values[key] === app)
      .map((r) => r.address)
      .sort();
  return {
    apps: of("fly_app", "name"),
    machines: of("fly_machine", "app"),
    volumes: of("fly_volume", "app"),
  };
}

/** How many resources `r` holds. Pure. */
export function groupResourceCount(r: GroupResources): number {
  return r.apps.length + r.machines.length + r.volumes.length;
}

/** `1 apps, 2 machines, 2 volumes`, as -d counts. Pure. */
export function countsLine(r: GroupResources): string {
  return `${r.apps.length} apps, ${r.machines.length} machines, ${r.volumes.length} volumes`;
}

/** The refusal for a group that is not recorded, with the recorded ones. Pure. */
export function unknownGroup(group: string, recorded: readonly string[], file: string): string {
  const list = recorded.length > 0 ? recorded.join(", ") : "none";
  return (
    `node group ${group} is not recorded in ${file} (recorded: ${list}); nothing was done. ` +
    `A group whose line was deleted by hand goes with the next ./k3s.sh -c, drained first`
  );
}

/** What a failed removal leaves and what a re-run does. Pure. */
export function removalFailed(group: string, dir: string): string {
  return (
    `node group ${group} is still recorded in ${dir}/node-groups: run ./k3s.sh -r ${group} ` +
    `${dir} again to finish (it drains what is left and destroys it; what went stays gone). ` +
    `./k3s.sh -c would create the group again`
  );
}
