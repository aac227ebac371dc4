import { parseDocument, stringify } from "yaml";
import { apiServerProxyUrl, kubeconfigProxyContext } from "../config/naming";
import { ADMIN_KUBECONFIG } from "../contract/node-paths";
import { execOrFail } from "./exec";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";
import { writePrivateFileAtomic } from "./private-file";

/**
 * The operator's kubeconfig, rendered from the admin kubeconfig k3s writes on
 * a server (`/etc/rancher/k3s/k3s.yaml`: one cluster, user and context, all
 * `default`, server `https://127.0.0.1:6443`). Two contexts share its user
 * (the admin client certificate) and CA:
 *
 * - `<cluster>` (current): `server`, the control plane over 6PN
 *   (`https://<cluster>-cp.internal:6443`, in every server's tls-san), for a
 *   machine with a Fly WireGuard peer up;
 * - `<cluster>-proxy`: `https://127.0.0.1:6443`, for `fly proxy 6443:6443 -a
 *   <cluster>-cp` on this machine (k3s adds 127.0.0.1 to every server's
 *   certificate).
 *
 * Throws when the input has no cluster or user. Pure.
 */
export function renderKubeconfig(text: string, cluster: string, server: string): string {
  const cfg = parseDocument(text).toJS() as {
    clusters?: { name: string; cluster: Record<string, unknown> }[];
    users?: { name: string; user: Record<string, unknown> }[];
  };
  const k3sCluster = cfg.clusters?.[0];
  const user = cfg.users?.[0];
  if (!k3sCluster || !user) throw new Error("kubeconfig from the server has no cluster or user");
  const proxy = kubeconfigProxyContext(cluster);
  const out = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [
      { name: cluster, cluster: { ...k3sCluster.cluster, server } },
      { name: proxy, cluster: { ...k3sCluster.cluster, server: apiServerProxyUrl() } },
    ],
    users: [{ name: cluster, user: user.user }],
    contexts: [
      { name: cluster, context: { cluster, user: cluster } },
      { name: proxy, context: { cluster: proxy, user: cluster } },
    ],
    "current-context": cluster,
  };
  return stringify(out);
}

/** Fetches the admin kubeconfig from a server and writes it to `out` (0600). */
export async function fetchKubeconfig(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  name: string,
  server: string,
  out: string,
  log: Log,
): Promise<void> {
  const m = await api.findMachine(cpApp, bootstrap);
  const raw = await execOrFail(api, m, cpApp, ["cat", ADMIN_KUBECONFIG]);
  writePrivateFileAtomic(out, renderKubeconfig(raw, name, server));
  log(
    `kubeconfig written to ${out}: context ${name} (current, ${server} over 6PN) and ${kubeconfigProxyContext(name)} (${apiServerProxyUrl()} through fly proxy)`,
  );
}
