/** --drift: how Fly differs from the config and state; exit 2 when it does. */
import { VerbContext } from "./context";

export async function drift(ctx: VerbContext): Promise<number> {
  const name = ctx.cluster.config.clusterName;
  const stack = await ctx.stack(ctx.cluster.config);
  await stack.prepare();
  const lines = await stack.drift();
  for (const l of lines) console.log(l);
  if (lines.length === 0)
    console.log(`no drift: Fly matches the config and state of cluster ${name}`);
  return lines.length === 0 ? 0 : 2;
}
