import { Construct } from "constructs";
import { App } from "../.gen/providers/fly/app";
import { ClusterConfig } from "../config/schema";
import { nodeGroupAppName, workerMachineName } from "../config/naming";
import { ControlPlane, joinStep } from "./control-plane";
import { FlyNode } from "./fly-node";
import { nodeEnv, nodeMetadata } from "./node-env";

export interface NodeGroupProps {
  readonly config: ClusterConfig;
  /** Node group id, e.g. `0`. */
  readonly groupId: string;
  /**
   * The cluster's control plane: workers join through its bootstrap server
   * once it is ready, and have join steps and readiness waits only when it
   * declares the steps that need k3s.
   */
  readonly controlPlane: ControlPlane;
}

/**
 * How many of a group's workers may roll at once: a quarter of them, rounded
 * down, at least one (Kubernetes' default `maxUnavailable` for rolling
 * updates). Worker i rolls after worker i - lanes, so the lanes roll side by
 * side, each one worker at a time. Pure.
 */
export function rollLanes(groupSize: number): number {
  return Math.max(1, Math.floor(groupSize / 4));
}

/**
 * A node group: app `<cluster>-ng-<id>` with NODE_GROUP_SIZE k3s agents
 * `worker-ng-<id>-<i>`, each on its own volume in its own zone, joining the
 * cluster through `<cluster>-cp.internal`.
 */
export class NodeGroup extends Construct {
  readonly app: App;
  readonly nodes: FlyNode[] = [];

  constructor(scope: Construct, id: string, props: NodeGroupProps) {
    super(scope, id);
    const { config, groupId, controlPlane } = props;
    const k3s = controlPlane.k3sSteps;
    this.app = new App(this, "app", {
      name: nodeGroupAppName(config.clusterName, groupId),
      orgSlug: config.orgName,
    });
    const lanes = rollLanes(config.nodeGroupSize);
    for (let i = 0; i < config.nodeGroupSize; i++) {
      const previous = this.nodes[i - lanes];
      const node = new FlyNode(this, `worker-${i}`, {
        app: this.app,
        machineName: workerMachineName(groupId, i),
        region: config.region,
        volumeName: config.volumeName,
        volumeSizeGb: config.volumeSizeGb,
        vm: config.worker,
        image: config.nodeImage,
        env: (zone) => nodeEnv(config, { role: "agent", bootstrap: false, zone }),
        metadata: nodeMetadata(config, { role: "agent", index: i, nodeGroup: groupId }),
        // A worker is rolled only after the one before it in its lane is Ready
        // again; the first of each lane only after every server has rolled.
        rollAfter: [previous ? previous.rolled.resource : controlPlane.rolled],
        rollReadiness: k3s ? { bootstrap: controlPlane.bootstrap, etcd: false } : undefined,
      });
      if (k3s) joinStep(node, controlPlane.bootstrap, [controlPlane.ready]);
      this.nodes.push(node);
    }
  }
}
