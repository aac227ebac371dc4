import { execOrFail } from "./exec";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";

export const CONTROL_PLANE_TAINT = "CriticalAddonsOnly=true:NoExecute";

/** Taints every control-plane node so that only critical add-ons run there. */
export async function taintControlPlane(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  log: Log,
): Promise<void> {
  const server = await api.findMachine(cpApp, bootstrap);
  await execOrFail(api, server, cpApp, [
    "k3s",
    "kubectl",
    "taint",
    "nodes",
    "-l",
    "node-role.kubernetes.io/control-plane=true",
    CONTROL_PLANE_TAINT,
    "--overwrite",
  ]);
  log(`control plane tainted ${CONTROL_PLANE_TAINT}`);
}
