/**
 * -k: writes the cluster's kubeconfig to ~/.kube/<cluster> (0600, atomic;
 * ops/kubeconfig.ts renders it) with two contexts, one per way this machine
 * can reach the API server, and prints the command that opens each.
 */
import * as path from "path";
import {
  apiServerProxyUrl,
  apiServerUrl,
  controlPlaneAppName,
  kubeconfigProxyContext,
  K3S_API_PORT,
} from "../../config/naming";
import { ClusterConfig } from "../../config/schema";
import { fetchKubeconfig } from "../../ops/kubeconfig";
import { VerbContext } from "./context";

/** The WireGuard configuration file `fly wireguard create` writes (a wg-quick interface name). */
export const WIREGUARD_FILE = "fly0.conf";

/** What -k prints after writing `file`: each context, and the command that opens its path. Pure. */
export function kubeconfigHowTo(config: ClusterConfig, file: string): string[] {
  const name = config.clusterName;
  const proxy = kubeconfigProxyContext(name);
  return [
    `kubeconfig ${file} (mode 0600) has two contexts, one per way to reach the API server from here:`,
    `  ${name} (current): ${apiServerUrl(name)} over Fly's private network (6PN), through a WireGuard peer`,
    `  of org ${config.orgName} on this machine; create one and bring it up once (wg-quick, or the WireGuard app):`,
    `    fly wireguard create ${config.orgName} ${config.region} fly-k3s-$(hostname -s) ${WIREGUARD_FILE} && sudo wg-quick up ./${WIREGUARD_FILE}`,
    `    KUBECONFIG=${file} kubectl get nodes`,
    `  ${proxy}: ${apiServerProxyUrl()} through fly proxy (flyctl only, no WireGuard set-up); keep it running in another terminal:`,
    `    fly proxy ${K3S_API_PORT}:${K3S_API_PORT} -a ${controlPlaneAppName(name)}`,
    `    KUBECONFIG=${file} kubectl --context ${proxy} get nodes`,
  ];
}

export async function kubeconfig(ctx: VerbContext): Promise<number> {
  const { config } = ctx.cluster;
  const name = config.clusterName;
  const out = path.join(process.env.HOME ?? "", ".kube", name);
  await fetchKubeconfig(
    await ctx.api(),
    controlPlaneAppName(name),
    ctx.bootstrap,
    name,
    apiServerUrl(name),
    out,
    ctx.log,
  );
  for (const line of kubeconfigHowTo(config, out)) console.log(line);
  return 0;
}
