/** -p: what a deploy would change; exit 2 when anything would, 1 when K3S_VERSION would be refused. */
import * as path from "path";
import { CONFIG_FILE } from "../../config/load";
import { checkUpgrade } from "../upgrade";
import { VerbContext } from "./context";

export async function plan(ctx: VerbContext): Promise<number> {
  const { config, configFile } = ctx.cluster;
  const name = config.clusterName;
  const stack = await ctx.stack(config);
  await stack.prepare();
  const upgrade = await checkUpgrade(
    (args) => stack.tofu(args),
    configFile,
    path.join(ctx.dir, CONFIG_FILE),
    config.k3sVersion,
  );
  for (const e of upgrade.errors) console.error(e);
  if (upgrade.errors.length > 0) return 1;
  const { changes, repairs } = await stack.plan();
  for (const c of changes) console.log(c);
  for (const r of repairs) console.log(`repair ${r.address}: ${r.reason}`);
  for (const l of upgrade.lines) console.log(l);
  if (changes.length + repairs.length === 0)
    console.log(`no changes: cluster ${name} matches its config`);
  return changes.length + repairs.length === 0 ? 0 : 2;
}
