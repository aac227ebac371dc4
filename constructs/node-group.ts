import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { App } from "../.gen/providers/fly/app";
import { ClusterConfig } from "../config/schema";
import { nodeGroupAppName, workerMachineName } from "../config/naming";
import { joinStep } from "./control-plane";
import { FlyNode } from "./fly-node";
import { nodeEnv, nodeMetadata } from "./node-env";

export interface NodeGroupProps {
  readonly config: ClusterConfig;
  /** Node group id, e.g. `0`. */
  readonly groupId: string;
  /** App name of the control plane, as a reference (so it exists first). */
  readonly controlPlaneApp: string;
  /** Bootstrap server machine id, as a reference. */
  readonly bootstrapMachineId: string;
  /** Complete once every server is Ready; workers join after it. */
  readonly after: ITerraformDependable[];
  /** Declare the join steps, which need k3s on the nodes. @default true */
  readonly k3sSteps?: boolean;
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
    const { config, groupId } = props;
    this.app = new App(this, "app", {
      name: nodeGroupAppName(config.clusterName, groupId),
      orgSlug: config.orgName,
    });
    const bootstrapRef = { cpApp: props.controlPlaneApp, bootstrap: props.bootstrapMachineId };
    const lanes = rollLanes(config.nodeGroupSize);
    for (let i = 0; i < config.nodeGroupSize; i++) {
      const previous = this.nodes[i - lanes];
      const node = new FlyNode(this, `worker-${i}`, {
        appName: this.app.name,
        machineName: workerMachineName(groupId, i),
        region: config.region,
        volumeName: config.volumeName,
        volumeSizeGb: config.volumeSizeGb,
        vm: config.worker,
        image: config.nodeImage,
        env: (zone) => nodeEnv(config, { role: "agent", bootstrap: false, zone }),
        metadata: nodeMetadata(config, { role: "agent", index: i, nodeGroup: groupId }),
        rollAfter: previous ? [previous.rolled.resource] : undefined,
        // A worker is rolled only after the one before it in its lane is Ready again.
        rollReadiness:
          props.k3sSteps === false
            ? undefined
            : {
                cpApp: props.controlPlaneApp,
                bootstrapMachineId: props.bootstrapMachineId,
                etcd: false,
              },
      });
      if (props.k3sSteps !== false) joinStep(node, this.app.name, bootstrapRef, props.after);
      this.nodes.push(node);
    }
  }
}
