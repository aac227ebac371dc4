/** -k: writes the cluster's kubeconfig to ~/.kube/<cluster> (0600). */
import * as path from "path";
import { apiServerUrl, controlPlaneAppName } from "../../config/naming";
import { fetchKubeconfig } from "../../ops/kubeconfig";
import { VerbContext } from "./context";

export async function kubeconfig(ctx: VerbContext): Promise<number> {
  const name = ctx.cluster.config.clusterName;
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
  console.log(`KUBECONFIG=${out} kubectl get nodes`);
  return 0;
}
