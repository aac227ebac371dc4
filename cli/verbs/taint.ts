/** -t: taints the control plane CriticalAddonsOnly=true:NoExecute. */
import { controlPlaneAppName } from "../../config/naming";
import { taintControlPlane } from "../../ops/taint";
import { VerbContext } from "./context";

export async function taint(ctx: VerbContext): Promise<number> {
  const name = ctx.cluster.config.clusterName;
  await taintControlPlane(await ctx.api(), controlPlaneAppName(name), ctx.bootstrap, ctx.log);
  return 0;
}
