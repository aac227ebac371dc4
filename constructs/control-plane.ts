import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { App } from "../.gen/providers/fly/app";
import { ClusterConfig } from "../config/schema";
import {
  CONTROL_PLANE_COUNT,
  apiServerUrl,
  controlPlaneAppName,
  controlPlaneMachineName,
  machineInternalName,
} from "../config/naming";
import { FlyNode } from "./fly-node";
import { nodeEnv, nodeMetadata } from "./node-env";
import { BootstrapRef } from "../contract/fly-machines-call";
import { OpsStep } from "./ops-step";

export interface ControlPlaneProps {
  readonly config: ClusterConfig;
  /** Index of the server that initialises the cluster (BOOTSTRAP_NODE_ID). @default 0 */
  readonly bootstrapNodeId?: number;
  /**
   * Declare the steps that need k3s running on the nodes (wait for the
   * bootstrap server, join, taint, kubeconfig, readiness waits of the rolls),
   * here and in every node group of this control plane. Off for node images
   * without k3s, such as the local Fly's test image (ClusterStack decides).
   */
  readonly k3sSteps: boolean;
  /** @default SERVERS_JOIN_TOGETHER */
  readonly serversJoinTogether?: boolean;
}

/**
 * Whether the two servers that join the bootstrap server may join etcd at the
 * same time. Assumed yes: k3s adds a joining server as an etcd learner and
 * retries while the cluster already has one (one learner at a time: the second
 * joins once the first is promoted), so their join steps run side by side.
 * When false, the second one's join step (which writes its join token) waits
 * for the first one's. Either way every server's machine starts as soon as it
 * exists: its k3s waits in the machine for the token
 * (images/k3s-node/entrypoint.sh, `wait-token`), and the bootstrap step needs
 * every server running to decide found or join. The one place this is decided.
 */
export const SERVERS_JOIN_TOGETHER = true;

/**
 * The control plane: app `<cluster>-cp` with three k3s servers `ctrl-0..2`
 * (embedded etcd). The bootstrap server initialises the cluster; the others
 * join it by its `<machine_id>.vm.<cluster>-cp.internal` name once it is Ready.
 * Afterwards the servers are tainted CriticalAddonsOnly=true:NoExecute and the
 * kubeconfig is written to ~/.kube/<cluster>.
 */
export class ControlPlane extends Construct {
  readonly app: App;
  readonly nodes: FlyNode[] = [];
  readonly bootstrap: FlyNode;
  /** Whether the steps that need k3s on the nodes are declared (node groups follow it). */
  readonly k3sSteps: boolean;
  /**
   * Complete once the bootstrap server was told to found or join (and, with
   * k3s steps, is a Ready node). Workers join from then on: k3s needs one
   * answering server for an agent, not the others' etcd joins.
   */
  readonly bootstrapReady: OpsStep;
  /** Writes ~/.kube/<cluster> (undefined without k3s steps). */
  readonly kubeconfig?: OpsStep;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    const { config } = props;
    const b = props.bootstrapNodeId ?? 0;
    if (!Number.isInteger(b) || b < 0 || b >= CONTROL_PLANE_COUNT) {
      throw new Error(`bootstrapNodeId must be 0 to ${CONTROL_PLANE_COUNT - 1} (got ${b})`);
    }
    const appName = controlPlaneAppName(config.clusterName);
    this.app = new App(this, "app", { name: appName, orgSlug: config.orgName });
    this.k3sSteps = props.k3sSteps;

    // The bootstrap server first: the others reference its machine id.
    const order = [b, ...[...Array(CONTROL_PLANE_COUNT).keys()].filter((i) => i !== b)];
    const k3s = this.k3sSteps;
    const together = props.serversJoinTogether ?? SERVERS_JOIN_TOGETHER;
    const byIndex = new Map<number, FlyNode>();
    let bootstrapStep: OpsStep | undefined;
    const joins: OpsStep[] = [];
    for (const i of order) {
      const bootstrap = byIndex.get(b);
      const node = new FlyNode(this, controlPlaneMachineName(i), {
        app: this.app,
        machineName: controlPlaneMachineName(i),
        region: config.region,
        volumeName: config.volumeName,
        volumeSizeGb: config.volumeSizeGb,
        vm: config.controlPlane,
        image: config.nodeImage,
        env: (zone) =>
          nodeEnv(config, {
            role: "server",
            bootstrap: i === b,
            bootstrapServer: bootstrap
              ? machineInternalName(appName, bootstrap.machine.id)
              : undefined,
            zone,
          }),
        metadata: nodeMetadata(config, { role: "server", index: i }),
        // A restarted server's roll ends once it is Ready again and etcd
        // reports healthy (needs k3s on the nodes).
        rollReadiness: k3s ? { bootstrap, etcd: true } : undefined,
      });
      byIndex.set(i, node);
      if (i === b) {
        // Found or join, decided from the other servers (ops/bootstrap.ts).
        // The other servers' rolls of machines that have run come after it
        // (the deploy's turns, ops/roll-turns.ts), so a replaced bootstrap
        // server has joined before any of them restarts.
        bootstrapStep = new OpsStep(this, "bootstrap", {
          description: `tell ${controlPlaneMachineName(b)} to found or join the cluster`,
          call: {
            command: "bootstrap",
            cpApp: this.app.name,
            bootstrap: node.machine.id,
            waitReady: k3s,
          },
          triggers: { machine_id: node.machine.id },
          dependsOn: [node.rolled.resource],
        });
      } else if (k3s) {
        const after = [(bootstrapStep as OpsStep).resource];
        if (!together && joins.length > 0) after.push(joins[joins.length - 1].resource);
        joins.push(joinStep(node, bootstrap as FlyNode, after));
      }
    }
    for (let i = 0; i < CONTROL_PLANE_COUNT; i++) this.nodes.push(byIndex.get(i) as FlyNode);
    this.bootstrap = byIndex.get(b) as FlyNode;
    this.bootstrapReady = bootstrapStep as OpsStep;

    if (!k3s) return;

    const bootstrapRef = bootstrapRefOf(this.bootstrap);

    const taint = new OpsStep(this, "taint", {
      description: "taint the control plane CriticalAddonsOnly=true:NoExecute",
      call: { command: "taint", ...bootstrapRef },
      triggers: Object.fromEntries(this.nodes.map((n, i) => [`ctrl_${i}`, n.machine.id])),
      dependsOn: joins.map((j) => j.resource),
    });

    this.kubeconfig = new OpsStep(this, "kubeconfig", {
      description: `write the kubeconfig to ~/.kube/${config.clusterName}`,
      call: {
        command: "kubeconfig",
        ...bootstrapRef,
        cluster: config.clusterName,
        server: apiServerUrl(config.clusterName),
        out: `$HOME/.kube/${config.clusterName}`,
      },
      triggers: { machine_id: this.bootstrap.machine.id },
      dependsOn: [taint.resource],
    });
  }
}

/** The control-plane app and bootstrap server a step names, as references. */
function bootstrapRefOf(bootstrap: FlyNode): BootstrapRef {
  return { cpApp: bootstrap.app.name, bootstrap: bootstrap.machine.id };
}

/**
 * Writes the join token onto `node`, read from the control plane's
 * `bootstrap` server, and waits until the node is Ready as it sees it.
 */
export function joinStep(
  node: FlyNode,
  bootstrap: FlyNode,
  dependsOn: ITerraformDependable[],
): OpsStep {
  return new OpsStep(node, "join", {
    description: `join ${node.node.id} to the cluster`,
    call: {
      command: "join",
      ...bootstrapRefOf(bootstrap),
      app: node.app.name,
      machine: node.machine.id,
    },
    triggers: { machine_id: node.machine.id },
    dependsOn: [...dependsOn, node.rolled.resource],
  });
}
