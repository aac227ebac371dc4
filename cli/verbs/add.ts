/** -a GROUP: records node group GROUP in clusters/<name>/node-groups, then deploys (as -c). */
import * as fs from "fs";
import * as path from "path";
import { NODE_GROUPS_FILE, loadCluster } from "../../config/load";
import { withNodeGroup } from "../node-groups";
import { ROOT } from "../toolchain";
import { VerbContext } from "./context";
import { create } from "./create";

export async function add(ctx: VerbContext): Promise<number> {
  const { dir, log } = ctx;
  const group = ctx.opts.group as string;
  const file = path.join(ROOT, dir, NODE_GROUPS_FILE);
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const next = withNodeGroup(text, group);
  if (next === text) log(`node group ${group} is already recorded; deploying`);
  else {
    fs.writeFileSync(file, next);
    log(`recorded node group ${group} in ${dir}/${NODE_GROUPS_FILE}`);
  }
  return create({ ...ctx, cluster: loadCluster(path.join(ROOT, dir), dir) });
}
