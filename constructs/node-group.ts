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
   * once that server is a Ready node (not after the other servers' joins),
   * and have join steps and readiness waits only when it declares the steps
   * that need k3s.
   */
  readonly controlPlane: ControlPlane;
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
    for (let i = 0; i < config.nodeGroupSize; i++) {
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
        // Started as soon as it exists (its k3s waits for the join token in
        // the machine); once it has run, its rolls wait for the deploy's
        // turns: after every server's, a quarter of the group at a time
        // (ops/roll-turns.ts).
        rollReadiness: k3s ? { bootstrap: controlPlane.bootstrap, etcd: false } : undefined,
      });
      // An agent needs one answering server: the token is written as soon as
      // the bootstrap server is Ready, while the other servers still join. A
      // k3s agent that reaches a joining server through <cluster>-cp.internal
      // is refused and asks again (k3s pkg/agent/config/config.go, `Get`).
      if (k3s) joinStep(node, controlPlane.bootstrap, [controlPlane.bootstrapReady.resource]);
      this.nodes.push(node);
    }
  }
}
