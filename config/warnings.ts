/**
 * Settings that are valid but risky. Unlike errors (schema.ts), warnings never
 * stop synth or `npm run check`; `npm run check` prints them as
 * `warning: file:line: KEY: why`.
 */
import { CONTROL_PLANE_COUNT } from "./naming";
import { networkWarnings } from "./network";
import type { ClusterConfig } from "./schema";

export interface ConfigWarning {
  readonly key: string;
  readonly message: string;
}

/** Every warning for a validated config, in key order. */
export function configWarnings(config: ClusterConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [
    // A service range inside the pod range (network.ts serviceOverlap).
    ...networkWarnings({
      clusterCidr: config.clusterCidr,
      serviceCidr: config.serviceCidr,
      minimumNodes: CONTROL_PLANE_COUNT + config.nodeGroupSize,
    }),
  ];
  const cp = config.controlPlane;
  if (cp.cpuKind === "shared") {
    // Fly shared vCPUs: 5 ms per 80 ms baseline (6.25%) once the burst balance
    // is spent (superfly/docs machines/cpu-performance.html.md). etcd misses its
    // heartbeats when throttled, which shows as leader elections and API timeouts.
    warnings.push({
      key: "CP_VM_SIZE",
      message: `${cp.size} is a shared-CPU size: etcd on the control plane is throttled to 1/16 of a CPU once its burst balance is spent, which causes leader elections and API timeouts; use performance-1x or larger for a cluster that matters`,
    });
  }
  return warnings;
}
