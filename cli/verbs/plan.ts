/** -p: what a deploy would change; exit 2 when anything would. */
import { VerbContext } from "./context";

export async function plan(ctx: VerbContext): Promise<number> {
  const name = ctx.cluster.config.clusterName;
  const stack = await ctx.stack(ctx.cluster.config);
  await stack.prepare();
  const { changes, repairs } = await stack.plan();
  for (const c of changes) console.log(c);
  for (const r of repairs) console.log(`repair ${r.address}: ${r.reason}`);
  if (changes.length + repairs.length === 0)
    console.log(`no changes: cluster ${name} matches its config`);
  return changes.length + repairs.length === 0 ? 0 : 2;
}
