/**
 * `./k3s.sh --probe clusters/<name>` (issue 17): what an org and region can run
 * with the cluster's node image, before the first deploy. What the verb and
 * the deploy's Fly-target check use.
 */
export {
  ProbeInterrupted,
  cachedProbe,
  probeBeforeDeploy,
  probeCacheFileFor,
  probeResult,
  runProbe,
} from "./run";
export { probeGate } from "./gate";
export { printProbe, probeJson, renderProbeTable } from "./report";
export type { ProbeOptions } from "./run";
export type { Capability, Outcome, ProbeRecord, ProbeResult } from "./types";
