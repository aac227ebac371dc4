/**
 * The one sentence every command prints when the cluster's node image holds
 * no k3s (config/naming.ts `imageRunsK3s`): -c after creating everything
 * Fly-side, --verify, and -k, -t and -s before they start anything. Pure.
 */

/**
 * "no Kubernetes is running", why, what that means for this command
 * (`consequence`, e.g. "the join, taint and kubeconfig steps were left out"),
 * and how to get k3s onto the nodes.
 */
export function noKubernetes(image: string, clusterDir: string, consequence: string): string {
  return (
    `no Kubernetes is running: the node image ${image} is the local Fly's test image, ` +
    `which holds no k3s (k3s cannot be downloaded on this machine), so ${consequence}. ` +
    `Set NODE_IMAGE in ${clusterDir}/config to an image built from images/k3s-node ` +
    "(npm run image), then ./k3s.sh -c rolls it out."
  );
}
