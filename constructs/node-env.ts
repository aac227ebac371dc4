/**
 * A node machine's environment and metadata, rendered from the cluster config
 * with the names of the node environment contract (contract/node-env.ts).
 * No secret is ever part of a machine's environment: the join token is written
 * onto the node's volume through the Machines API exec endpoint.
 */
import { ClusterConfig } from "../config/schema";
import { controlPlaneAppName } from "../config/naming";
import { snapshotNodeEnv } from "../config/snapshots";
import { NodeEnvName } from "../contract/node-env";
import { JOIN_TOKEN_FILE, K3S_DATA_DIR } from "../contract/node-paths";

export type NodeRole = "server" | "agent";

export interface NodeEnvOptions {
  readonly role: NodeRole;
  /** True for the server that initialises the cluster. */
  readonly bootstrap: boolean;
  /** For joining servers: the DNS name of the bootstrap server. */
  readonly bootstrapServer?: string;
  /** The Fly volume zone the node runs in (a Terraform reference). */
  readonly zone: string;
}

export function nodeEnv(config: ClusterConfig, opts: NodeEnvOptions): Record<string, string> {
  const env: Partial<Record<NodeEnvName, string>> = {
    K3S_ROLE: opts.role,
    K3S_BOOTSTRAP: String(opts.bootstrap),
    K3S_CLUSTER_NAME: config.clusterName,
    K3S_CP_APP: controlPlaneAppName(config.clusterName),
    K3S_CLUSTER_CIDR: config.clusterCidr.value,
    K3S_SERVICE_CIDR: config.serviceCidr.value,
    K3S_CLUSTER_DNS: config.clusterDns,
    K3S_VERSION: config.k3sVersion,
    K3S_ZONE: opts.zone,
    K3S_DATA_DIR,
    K3S_TOKEN_FILE: JOIN_TOKEN_FILE,
    K3S_FLANNEL_BACKEND: config.flannelBackend,
    ...(opts.role === "server" ? snapshotNodeEnv(config.snapshots) : {}),
  };
  if (opts.bootstrapServer) env.K3S_BOOTSTRAP_SERVER = opts.bootstrapServer;
  return env as Record<string, string>;
}

export interface NodeMetadataOptions {
  readonly role: NodeRole;
  readonly index: number;
  /** Node group id, for workers. */
  readonly nodeGroup?: string;
}

export function nodeMetadata(
  config: ClusterConfig,
  opts: NodeMetadataOptions,
): Record<string, string> {
  return {
    fly_k3s_cluster: config.clusterName,
    fly_k3s_role: opts.role,
    fly_k3s_index: String(opts.index),
    ...(opts.nodeGroup === undefined ? {} : { fly_k3s_node_group: opts.nodeGroup }),
  };
}
