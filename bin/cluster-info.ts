/**
 * `cluster-info <dir> [--new-group ID]`: prints the validated names of a
 * cluster as shell assignments for k3s.sh (so the script never parses the
 * config or checks a name itself); --new-group checks a node group id too.
 * Exits non-zero with file:line: KEY messages on an invalid config.
 */
import { ConfigError } from "../config/errors";
import { bootstrapNodeId, loadCluster } from "../config/load";
import {
  apiServerUrl,
  controlPlaneAppName,
  controlPlaneMachineName,
  nodeGroupAppName,
  nodeGroupIdProblem,
  stackName,
} from "../config/naming";
import { stateFileFor } from "../config/state";

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

try {
  const [rawDir, flag, newGroup] = process.argv.slice(2);
  const dir = (rawDir ?? "").replace(/\/+$/, "");
  if (!dir || (flag !== undefined && (flag !== "--new-group" || newGroup === undefined))) {
    throw new Error("usage: cluster-info clusters/<name> [--new-group ID]");
  }
  const problem = newGroup === undefined ? undefined : nodeGroupIdProblem(newGroup);
  if (problem) throw new Error(problem);
  const { config, nodeGroups } = loadCluster(dir);
  const name = config.clusterName;
  const vars: Record<string, string> = {
    CLUSTER: name,
    STACK: stackName(name),
    CP_APP: controlPlaneAppName(name),
    BOOTSTRAP_MACHINE: controlPlaneMachineName(bootstrapNodeId()),
    API_SERVER: apiServerUrl(name),
    NODE_GROUPS: nodeGroups.join(" "),
    STATE_FILE: stateFileFor(name),
  };
  for (const g of nodeGroups) vars[`NG_APP_${g}`] = nodeGroupAppName(name, g);
  for (const [k, v] of Object.entries(vars)) console.log(`${k}=${shq(v)}`);
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `error: ${(e as Error).message}`);
  process.exitCode = 1;
}
