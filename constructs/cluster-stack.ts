import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { FlyProvider } from "../.gen/providers/fly/provider";
import { ClusterConfig } from "../config/schema";
import { S3State } from "../config/state";
import { imageRunsK3s, nodeGroupIdProblem } from "../config/naming";
import { ControlPlane } from "./control-plane";
import { NodeGroup } from "./node-group";

export interface ClusterStackProps {
  readonly config: ClusterConfig;
  /** Node groups recorded for the cluster (clusters/<name>/node-groups). @default none */
  readonly nodeGroups?: readonly string[];
  /** Control-plane server that bootstraps the cluster. @default 0 */
  readonly bootstrapNodeId?: number;
  /**
   * Keep the state in an S3 bucket, locked with S3-native lock objects
   * (`use_lockfile`). Credentials are not part of it: OpenTofu reads
   * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY at apply time.
   * @default none: a local state file, whose path the stack does not name
   * (see localBackend)
   */
  readonly s3State?: S3State;
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
    // Decided here once; the control plane carries it to its node groups.
    this.k3sSteps = props.k3sSteps ?? imageRunsK3s(props.config.nodeImage);
    if (props.s3State) s3Backend(this, props.s3State);
    else localBackend(this);
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
 * The local backend with no path: a partial configuration that `tofu init`
 * completes with `-backend-config=path=<file>` (config/state.ts,
 * `localStateInitArgs`; ./k3s.sh, npm run cdktf and npm run tofu pass it), so
 * the synthesized stack names no file of the machine that synthesized it and
 * the state stays outside cdktf.out/ and the checkout wherever it is applied.
 * cdktf's LocalBackend always writes a path (the synthesizing directory's
 * when none is given): it is removed.
 */
function localBackend(stack: TerraformStack): LocalBackend {
  const backend = new LocalBackend(stack);
  backend.addOverride("path", undefined);
  return backend;
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
