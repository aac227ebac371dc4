/** The Fly apps of a cluster as the operator names them: `cp` or a recorded node group. */
import { ClusterDefinition, NODE_GROUPS_FILE } from "../config/load";
import { controlPlaneAppName, nodeGroupAppName } from "../config/naming";

/** Every app of the cluster: the control plane's, then each recorded node group's. */
export function clusterApps(c: ClusterDefinition): string[] {
  const name = c.config.clusterName;
  return [controlPlaneAppName(name), ...c.nodeGroups.map((g) => nodeGroupAppName(name, g))];
}

/** The app of `cp` or of node group `group`; refuses a group not recorded in `dir`. */
export function appFor(c: ClusterDefinition, dir: string, group: string): string {
  if (group === "cp") return controlPlaneAppName(c.config.clusterName);
  if (!c.nodeGroups.includes(group)) {
    throw new Error(
      `node group ${group} is not recorded in ${dir}/${NODE_GROUPS_FILE} (groups: ${c.nodeGroups.join(" ") || "none"})`,
    );
  }
  return nodeGroupAppName(c.config.clusterName, group);
}
