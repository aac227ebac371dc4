/**
 * Whether a Fly-target deploy may go ahead, by the cached probe of the
 * cluster's org, region and node image: it stops when a required capability
 * is missing (a required kernel option, the FLANNEL_BACKEND's device, the 6PN
 * address on eth0, `.internal` DNS, the exec endpoint's arguments, iptables-
 * legacy, cgroups) or when there is no probe to judge by. Unknown never stops
 * it: the node makes the same checks at boot. Pure.
 */
import { ClusterConfig } from "../../config/schema";
import { decideCapabilities, refusals } from "./decide";
import { ProbeRecord } from "./types";

/** The reasons to stop the deploy; empty when it may go ahead. */
export function probeGate(config: ClusterConfig, cached: ProbeRecord | undefined): string[] {
  const { orgName, region, nodeImage } = config;
  if (!cached) {
    return [
      `no probe of org ${orgName}, region ${region}, image ${nodeImage}: run ./k3s.sh --probe first`,
    ];
  }
  const mismatch = (
    [
      ["org", cached.org, orgName],
      ["region", cached.region, region],
      ["image", cached.image, nodeImage],
    ] as const
  ).filter(([, was, is]) => was !== is);
  if (mismatch.length > 0) {
    return [
      `the probe of ${cached.takenAt} is for another ${mismatch.map(([k, was]) => `${k} (${was})`).join(", ")}: run ./k3s.sh --probe again`,
    ];
  }
  return refusals(decideCapabilities(cached, config.flannelBackend)).map(
    (r) => `${r} (probe of ${cached.takenAt})`,
  );
}
