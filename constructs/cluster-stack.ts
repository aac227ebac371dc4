import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { FlyProvider } from "../.gen/providers/fly/provider";
import { ClusterConfig } from "../config/schema";
import { S3State } from "../config/state";
import { imageRunsK3s, nodeGroupIdProblem } from "../config/naming";
import { ControlPlane } from "./control-plane";
import { NodeGroup } from "./node-group";
import { DEFAULT_OPS_COMMAND, OPS_COMMAND_CONTEXT } from "./ops-step";

export interface ClusterStackProps {
  readonly config: ClusterConfig;
  /** Node groups recorded for the cluster (clusters/<name>/node-groups). @default none */
  readonly nodeGroups?: readonly string[];
  /** Control-plane server that bootstraps the cluster. @default 0 */
  readonly bootstrapNodeId?: number;
  /**
   * Terraform state file. Keep it outside cdktf.out/ (which is disposable) and
   * outside the checkout; see README "State".
   */
  readonly stateFile: string;
  /**
   * Keep the state in an S3 bucket instead of stateFile, locked with
   * S3-native lock objects (`use_lockfile`). Credentials are not part of it:
   * OpenTofu reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY at apply time.
   * @default none: the state is the local file stateFile
   */
  readonly s3State?: S3State;
  /**
   * Path of `bin/fly-machines` as the provisioners run it.
   * @default this checkout's bin/fly-machines (absolute)
   */
  readonly opsCommand?: string;
  /**
   * Declare the steps that need k3s on the nodes (join, taint, kubeconfig).
   * Without them the stack creates everything Fly-side only.
   * @default true unless the node image is the local Fly's test image (no k3s)
   */
  readonly k3sSteps?: boolean;
}

/**
 * One cluster: the control plane and its node groups. The Fly provider takes
 * its token (FLY_API_TOKEN) and API URL (FLY_API_URL) from the environment,
 * so neither is written into the synthesized configuration.
 */
export class ClusterStack extends TerraformStack {
  readonly controlPlane: ControlPlane;
  readonly nodeGroups: NodeGroup[];
  /** Whether the steps that need k3s on the nodes are declared. */
  readonly k3sSteps: boolean;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    this.node.setContext(OPS_COMMAND_CONTEXT, props.opsCommand ?? DEFAULT_OPS_COMMAND);
    // Decided here once; the control plane carries it to its node groups.
    this.k3sSteps = props.k3sSteps ?? imageRunsK3s(props.config.nodeImage);
    if (props.s3State) s3Backend(this, props.s3State);
    else new LocalBackend(this, { path: props.stateFile });
    new FlyProvider(this, "fly", {});
    new NullProvider(this, "null", {});

    this.controlPlane = new ControlPlane(this, "control-plane", {
      config: props.config,
      bootstrapNodeId: props.bootstrapNodeId,
      k3sSteps: this.k3sSteps,
    });
    this.nodeGroups = (props.nodeGroups ?? []).map((groupId) => {
      const problem = nodeGroupIdProblem(groupId);
      if (problem) throw new Error(problem);
      return new NodeGroup(this, `node-group-${groupId}`, {
        config: props.config,
        groupId,
        controlPlane: this.controlPlane,
      });
    });

    new TerraformOutput(this, "control_plane_app", { value: this.controlPlane.app.name });
    new TerraformOutput(this, "bootstrap_machine_id", {
      value: this.controlPlane.bootstrap.machine.id,
    });
    new TerraformOutput(this, "node_group_apps", {
      value: this.nodeGroups.map((g) => g.app.name),
    });
  }
}

/**
 * OpenTofu's S3 backend with S3-native locking. A service other than AWS (an
 * endpoint is given) gets path-style requests and none of the AWS-only
 * preflight calls (STS, account id, instance metadata, region list).
 */
function s3Backend(stack: TerraformStack, state: S3State): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: state.bucket,
    key: state.key,
    region: state.region,
    ...(state.endpoint
      ? {
          endpoints: { s3: state.endpoint },
          usePathStyle: true,
          skipCredentialsValidation: true,
          skipRequestingAccountId: true,
          skipMetadataApiCheck: true,
          skipRegionValidation: true,
        }
      : {}),
  });
  // cdktf 0.21 predates `use_lockfile` (OpenTofu >= 1.10): set it directly.
  backend.addOverride("use_lockfile", true);
  return backend;
}
