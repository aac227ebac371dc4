/**
 * Every physical name the project creates is derived here, and only here.
 * Renaming anything in this file renames (and so replaces) real Fly resources.
 */

/** Number of control-plane servers (embedded etcd quorum of 3). */
export const CONTROL_PLANE_COUNT = 3;

/** Node group ids: lowercase letters and digits, at most 8 characters. */
export const NODE_GROUP_ID = /^[a-z0-9]{1,8}$/;

/** Why `id` is not a valid node group id, or undefined when it is. */
export function nodeGroupIdProblem(id: string): string | undefined {
  return NODE_GROUP_ID.test(id)
    ? undefined
    : `node group id ${JSON.stringify(id)} must be 1 to 8 lowercase letters or digits`;
}

/** Longest cluster name that leaves room for `-ng-<id>` within Fly's 63-character app names. */
export const MAX_CLUSTER_NAME_LENGTH = 63 - "-ng-".length - 8;

export const controlPlaneAppName = (cluster: string): string => `${cluster}-cp`;

export const nodeGroupAppName = (cluster: string, group: string): string =>
  `${cluster}-ng-${group}`;

export const controlPlaneMachineName = (index: number): string => `ctrl-${index}`;

export const workerMachineName = (group: string, index: number): string =>
  `worker-ng-${group}-${index}`;

/** An app's `.internal` name: every started machine of the app, over 6PN. */
export const appInternalHost = (app: string): string => `${app}.internal`;

/** The port k3s serves its API (and supervisor) on: k3s's default, which the node keeps. */
export const K3S_API_PORT = 6443;

/** The k3s API server URL on a host (a name, or an IPv6 literal in brackets). */
export const apiServerUrlOn = (host: string): string => `https://${host}:${K3S_API_PORT}`;

/** The name every node uses to reach the API servers over 6PN. */
export const controlPlaneInternalHost = (cluster: string): string =>
  appInternalHost(controlPlaneAppName(cluster));

export const apiServerUrl = (cluster: string): string =>
  apiServerUrlOn(controlPlaneInternalHost(cluster));

/**
 * The kubeconfig context (and cluster entry) for `fly proxy`: the API server
 * reached through a local port. The 6PN context is named after the cluster.
 */
export const kubeconfigProxyContext = (cluster: string): string => `${cluster}-proxy`;

/**
 * The API server URL through `fly proxy <port>:<port> -a <cluster>-cp` on this
 * machine: k3s's serving certificate covers 127.0.0.1 whatever its tls-san.
 */
export const apiServerProxyUrl = (): string => apiServerUrlOn("127.0.0.1");

/** Terraform stack name for a cluster. */
export const stackName = (cluster: string): string => cluster;

/**
 * The local Fly emulator's test image (busybox, no k3s; built by
 * emulator/images/build-test-image.sh). A cluster whose NODE_IMAGE is this
 * image gets everything Fly-side but none of the steps that need k3s.
 */
export const EMULATOR_TEST_IMAGE = "localhost/fly-emulator-test:latest";

/** Whether the stack can run the k3s steps (join, taint, kubeconfig) on this node image. */
export function imageRunsK3s(image: string): boolean {
  return image !== EMULATOR_TEST_IMAGE;
}

/**
 * A machine's own `.internal` name, `<machine_id>.vm.<app>.internal`: what a
 * server joins the bootstrap server by, and the Kubernetes node name a node
 * registers as (the node image gets it from contract/node-env.ts, which
 * renders this function with FLY_MACHINE_ID and FLY_APP_NAME).
 */
export function machineInternalName(app: string, machineId: string): string {
  return `${machineId}.vm.${appInternalHost(app)}`;
}

/**
 * Fly app that holds a cluster's node images (`npm run image` creates it
 * before the cluster's own apps, so the image exists before the first machine).
 */
export function imageAppName(cluster: string): string {
  return `${cluster}-images`;
}

/**
 * The throwaway app `./k3s.sh --probe` creates in the cluster's org to try one
 * machine of the node image, and deletes afterwards (cli/probe/run.ts).
 */
export function probeAppName(cluster: string): string {
  return `${cluster}-probe`;
}
